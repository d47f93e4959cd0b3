/** Registers `<sr-report>` (side effect). */
import { SrReport } from './sr-report.component.ts';

export { SrReport };
export * from './sr-report.component.ts';

if (!customElements.get('sr-report')) customElements.define('sr-report', SrReport);

declare global {
  interface HTMLElementTagNameMap {
    'sr-report': SrReport;
  }
}
