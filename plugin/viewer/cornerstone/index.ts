/**
 * Public entry of plugin/viewer/ (`tilesr/viewer/cornerstone`): the cornerstone-core adapter for hosts
 * that bring their own cornerstone viewport instead of `<sr-viewer>` — the `tilesr:` image loader,
 * navigation helpers, the live-enhancement controller and the viewport watermark.
 */
export * from './cornerstone.ts';
export * from './loader.ts';
export * from './navigation.ts';
export * from '../../live/display.ts';
export * from './live-enhance.ts';
export { CornerstoneAdapter } from './adapter.ts';
export * from './open-controller.ts';
export {
  sharedScheduler,
  sharedCache,
  sharedSession,
  disposeSharedSessions,
  type SharedSession,
} from '../../live/sessions.ts';
export {
  watermarkLabel,
  drawWatermark,
  outlineTiles,
  WATERMARK_COLORS,
  type WatermarkBox,
} from '../../watermark/viewport.ts';
