/**
 * One live cell through the pipeline: the cell plus its halo is cut out of the frame and enhanced
 * with the frame's whole-image ranges, so a cell equals the same window of `tilesr enhance` (the
 * same enhanceRaster, range rule and halo; cell.test.ts checks it against the CLI).
 */
import type { Raster } from '../../formats/raster.ts';
import type { InferenceSession } from '../../models/backend/types.ts';
import type { Variant } from '../../models/card.ts';
import type { NormRange } from '../../models/normalize.ts';
import { getModel } from '../../models/registry.ts';
import type { TileCache } from '../pipeline/cache.ts';
import { DEFAULT_HALO_MARGIN, enhanceRaster, type EnhanceResult } from '../pipeline/enhance.ts';
import type { Priority, TileScheduler } from '../pipeline/scheduler.ts';
import type { Rect } from '../pipeline/tiler.ts';
import { cropRaster, growRect } from './crop.ts';

/** What one cell needs besides its frame. */
export interface CellRequest {
  modelId: string;
  variant?: Variant;
  /** Bands of the frame to enhance, in output order. */
  bands: number[];
  /** Whole-frame ranges, one per entry of `bands`. */
  ranges: NormRange[];
  session?: InferenceSession;
  scheduler?: TileScheduler;
  cache?: TileCache;
  priority?: Priority;
  imageId?: string;
  signal?: AbortSignal;
}

/** Enhances `cell` (LR px of the frame) of `raster` as the live viewer does. */
export function enhanceCell(raster: Raster, cell: Rect, req: CellRequest): Promise<EnhanceResult> {
  const entry = getModel(req.modelId, req.variant);
  const halo = entry.receptiveFieldLrPx + DEFAULT_HALO_MARGIN;
  const crop = cropRaster(raster, growRect(cell, halo, raster.width, raster.height), req.bands);
  return enhanceRaster(crop, {
    modelId: req.modelId,
    variant: req.variant,
    window: cell,
    tile: Math.max(cell.width, cell.height),
    halo,
    // one cell is one tile: small enough for any device, so no device limits apply
    limits: {},
    session: req.session,
    scheduler: req.scheduler,
    cache: req.cache,
    priority: req.priority,
    ranges: req.ranges,
    imageId: req.imageId,
    signal: req.signal,
  });
}
