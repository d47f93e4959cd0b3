/** Registers `<sr-stack-viewer>` (side effect) and re-exports its class; events: sr-viewer.events.ts. */
import { SrStackViewer } from './sr-stack-viewer.component.ts';

export { SrStackViewer };
export * from './sr-stack-viewer.component.ts';

if (!customElements.get('sr-stack-viewer')) customElements.define('sr-stack-viewer', SrStackViewer);

declare global {
  interface HTMLElementTagNameMap {
    'sr-stack-viewer': SrStackViewer;
  }
}
