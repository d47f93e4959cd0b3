/**
 * Public entry of plugin/viewer/ (`tilesr/viewer/cornerstone`): the cornerstone-core adapter for hosts
 * that bring their own cornerstone viewport instead of `<sr-viewer>` — the `tilesr:` image loader,
 * navigation helpers, the cornerstone-core adapter of the live engine (with plugin/live's
 * `LiveTileEnhancer`), the shared sessions and the viewport watermark.
 */
export * from './cornerstone.ts';
export * from './loader.ts';
export * from './navigation.ts';
export * from '../../live/display.ts';
export * from './live-attach.ts';
export { CornerstoneAdapter } from './adapter.ts';
export * from './open-controller.ts';
export * from '../../live/sessions.ts';
export {
  watermarkLabel,
  drawWatermark,
  outlineTiles,
  WATERMARK_COLORS,
  type WatermarkBox,
} from '../../watermark/viewport.ts';
