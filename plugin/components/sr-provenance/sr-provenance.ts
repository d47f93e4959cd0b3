/** Registers `<sr-provenance>` (side effect). */
import { SrProvenance } from './sr-provenance.component.ts';

export { SrProvenance };
export * from './sr-provenance.component.ts';

if (!customElements.get('sr-provenance')) customElements.define('sr-provenance', SrProvenance);

declare global {
  interface HTMLElementTagNameMap {
    'sr-provenance': SrProvenance;
  }
}
