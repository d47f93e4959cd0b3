/** Registers `<sr-progress>` (side effect). */
import { SrProgress } from './sr-progress.component.ts';

export { SrProgress };
export * from './sr-progress.component.ts';

if (!customElements.get('sr-progress')) customElements.define('sr-progress', SrProgress);

declare global {
  interface HTMLElementTagNameMap {
    'sr-progress': SrProgress;
  }
}
