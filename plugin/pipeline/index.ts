/**
 * Public entry of plugin/pipeline/ (`tilesr/pipeline`): enhanceRaster and the parts a host needs to
 * share work between calls (scheduler, tile cache), plan tiles or read provenance.
 */
export * from './enhance.ts';
export * from './errors.ts';
export * from './provenance.ts';
export { RANGE_RULE } from './range.ts';
export { TileCache, tileCacheKey, type TileKeyParts, type Sized } from './cache.ts';
export {
  TileScheduler,
  type Priority,
  type SubmitOptions,
  type BatchProgress,
  type TaskRun,
} from './scheduler.ts';
export {
  planTiles,
  webGpuTileLimits,
  maxTileForLimits,
  DEFAULT_HALO,
  DEFAULT_TILE,
  type Rect,
  type TileSpec,
  type TilePlan,
  type TileLimits,
  type TilePlanOptions,
} from './tiler.ts';
export {
  bindTileEnhancer,
  haloFor,
  growRect,
  runTile,
  tileProvenance,
  DEFAULT_HALO_MARGIN,
  type TileEnhancer,
  type TileEnhancerOptions,
  type TileRequest,
  type EnhancedTile,
  type TileSource,
} from './tile.ts';
