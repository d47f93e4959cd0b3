/** Registers `<sr-map-viewer>` (side effect). */
import { SrMapViewer } from './sr-map-viewer.component.ts';

export { SrMapViewer };
export * from './sr-map-viewer.component.ts';

if (!customElements.get('sr-map-viewer')) customElements.define('sr-map-viewer', SrMapViewer);

declare global {
  interface HTMLElementTagNameMap {
    'sr-map-viewer': SrMapViewer;
  }
}
