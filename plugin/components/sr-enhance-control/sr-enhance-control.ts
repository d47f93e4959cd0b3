/** Registers `<sr-enhance-control>` (side effect). */
import { SrEnhanceControl } from './sr-enhance-control.component.ts';

export { SrEnhanceControl };
export * from './sr-enhance-control.component.ts';

if (!customElements.get('sr-enhance-control')) customElements.define('sr-enhance-control', SrEnhanceControl);

declare global {
  interface HTMLElementTagNameMap {
    'sr-enhance-control': SrEnhanceControl;
  }
}
