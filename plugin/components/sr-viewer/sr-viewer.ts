/** Registers <sr-viewer> (side effect) and re-exports its class and event types. */
export { SrViewer } from './sr-viewer.component.ts';
export type * from './sr-viewer.events.ts';
