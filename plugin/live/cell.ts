/**
 * One live cell through the pipeline's per-tile entry point (plugin/pipeline/tile.ts) with the
 * frame's whole-image ranges, so a cell equals the same window of `tilesr enhance` (same halo rule,
 * range rule and model contract; cell.test.ts checks it against the CLI). A thin wrapper kept for
 * callers that want an EnhanceResult for one cell of a Raster (export tests, the OpenLayers adapter).
 */
import { toModalityValues, type Raster } from '../../formats/raster.ts';
import { createSession } from '../../models/backend/select.ts';
import type { InferenceSession } from '../../models/backend/types.ts';
import type { Variant } from '../../models/card.ts';
import type { NormRange } from '../../models/normalize.ts';
import { getModel, loadModel } from '../../models/registry.ts';
import type { TileCache } from '../pipeline/cache.ts';
import type { EnhanceResult } from '../pipeline/enhance.ts';
import type { Priority, TileScheduler } from '../pipeline/scheduler.ts';
import { bindTileEnhancer, tileProvenance, tileSpacing } from '../pipeline/tile.ts';
import type { Rect } from '../pipeline/tiler.ts';

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

/** Real-unit values per raster, made once (a frame's cells share them). */
const valuesOf = new WeakMap<Raster, ArrayLike<number>>();

/** Enhances `cell` (LR px of the frame) of `raster` as the live viewer does. */
export async function enhanceCell(raster: Raster, cell: Rect, req: CellRequest): Promise<EnhanceResult> {
  const t0 = performance.now();
  let values = valuesOf.get(raster);
  if (!values) {
    values = toModalityValues(raster);
    valuesOf.set(raster, values);
  }
  const session =
    req.session ??
    (await createSession(await loadModel(getModel(req.modelId, req.variant), req.signal), {}, req.signal));
  try {
    const enhancer = bindTileEnhancer({
      values,
      width: raster.width,
      height: raster.height,
      samples: raster.samples,
      frame: raster.frame,
      imageId: req.imageId ?? `anonymous-${Math.random().toString(36).slice(2)}`,
      modelId: req.modelId,
      variant: req.variant,
      bands: req.bands,
      ranges: req.ranges,
      session,
      scheduler: req.scheduler,
      cache: req.cache,
    });
    const tile = await enhancer.enhanceTile(cell, { priority: req.priority, signal: req.signal });
    const provenance = tileProvenance(enhancer, tile, {
      format: raster.info.format,
      frame: raster.frame,
      totalMs: performance.now() - t0,
    });
    return {
      data: tile.data,
      width: tile.width,
      height: tile.height,
      samples: tile.samples,
      scale: tile.scale,
      spacing: tileSpacing(raster, cell, tile.scale),
      provenance,
    };
  } finally {
    if (!req.session) await session.dispose();
  }
}
