/**
 * Public entry of plugin/live/ (`tilesr/live`): the viewer-agnostic live engine. A host writes a
 * `ViewerAdapter` for its viewer (visible region, zoom, redraw, draw tiles + mark) and hands it to
 * `LiveTileEnhancer`, which owns the grid, priorities, prefetch, aborts, tile store, provenance and
 * the consistency check.
 */
export * from './live-tile-enhancer.ts';
export type { Point2, ViewState, DrawTile, DrawResult, ViewerAdapter } from './adapter.ts';
export { cellRect, gridCells, regionOf, type Cell } from './grid.ts';
export {
  sharedScheduler,
  sharedCache,
  sharedSession,
  disposeSharedSessions,
  type SharedSession,
  type SharedSessionOptions,
} from './sessions.ts';
export { tileConsistencyPsnr } from '../pipeline/tile-check.ts';
export * from './image.ts';
export * from './tile-render.ts';
