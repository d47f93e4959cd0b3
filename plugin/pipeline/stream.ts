/**
 * Whole scenes in bounded memory: a region of a RasterSource is enhanced one block at a time and
 * each block handed to a consumer (e.g. the streaming COG writer) before the next is read, so memory
 * grows with one block (one row of the tile plan, full region width), not with the image.
 *
 * Blocks are the rows of the tile plan of the whole region, and each block's raster is read with the
 * halo, so every tile sees exactly the pixels it sees when the region is enhanced at once: the
 * stitched output equals enhanceRaster on the whole region (with the same ranges). Normalization
 * ranges are computed once per band over the whole image (from an overview when the file has one),
 * never per block. One Provenance covers the whole region, merged from the blocks'.
 */
import { createSession } from '../../models/backend/select.ts';
import type { BackendId, FallbackRecord, InferenceSession } from '../../models/backend/types.ts';
import { computeRange, type NormRange } from '../../models/normalize.ts';
import { getModel, loadModel } from '../../models/registry.ts';
import { assertDomain } from './domain.ts';
import { assertEnhanceable } from './derived.ts';
import { toModalityValues, type PixelWindow, type RasterSource, type Spacing } from '../../formats/raster.ts';
import { deviceTileLimits, enhanceRaster, type EnhanceOptions, type EnhanceProgress } from './enhance.ts';
import { PipelineError, throwIfAborted } from './errors.ts';
import { growRect, haloFor } from './tile.ts';
import { scaledSpacing, type Provenance } from './provenance.ts';
import { planTiles } from './tiler.ts';

/** Largest overview side read to compute normalization ranges of a whole image. */
export const RANGE_OVERVIEW = 1024;

/**
 * One robust range per band over the whole frame, read from the smallest overview at least
 * RANGE_OVERVIEW a side (the full resolution when the file has none), so that any window or block is
 * normalized as the whole image is. `fullResolution`: whether the ranges saw every pixel.
 */
export async function wholeImageRanges(
  source: RasterSource,
  frame: number,
  signal?: AbortSignal,
): Promise<{ ranges: NormRange[]; fullResolution: boolean }> {
  const size = { width: RANGE_OVERVIEW, height: RANGE_OVERVIEW };
  const whole = await source.read({ frame, targetSize: size, ...(signal ? { signal } : {}) });
  const values = toModalityValues(whole);
  const ranges = Array.from({ length: whole.samples }, (_, b) =>
    computeRange(values, { stride: whole.samples, band: b }),
  );
  return { ranges, fullResolution: whole.width === source.info.width && whole.height === source.info.height };
}

/** Options of enhanceInBlocks: enhanceRaster's, less what a block cannot differ in. */
export interface StreamEnhanceOptions extends Pick<
  EnhanceOptions,
  | 'modelId'
  | 'variant'
  | 'band'
  | 'tile'
  | 'limits'
  | 'halo'
  | 'backend'
  | 'nodeThreads'
  | 'session'
  | 'allowDomainMismatch'
  | 'allowDerived'
> {
  frame?: number;
  /** LR region in full-image pixels (default: the whole image). */
  window?: PixelWindow;
  /** Normalization range per band over the whole image (default: wholeImageRanges). */
  ranges?: NormRange[];
  /** Blocks enhanced ahead of the consumer: 0 (default) one at a time; 1 the next while it consumes. */
  ahead?: 0 | 1;
  signal?: AbortSignal;
  onProgress?: (p: EnhanceProgress) => void;
  onFallback?: (r: FallbackRecord) => void;
}

/** The output, known before the first block. */
export interface StreamLayout {
  /** SR size: region x scale. */
  width: number;
  height: number;
  samples: number;
  scale: number;
  /** Source band of each sample. */
  bands: number[];
  region: PixelWindow;
  spacing: Spacing | undefined;
  blocks: number;
}

/** Full-width SR rows [y, y + rows) of the output, real units, bands interleaved. */
export interface EnhancedBlock {
  index: number;
  y: number;
  rows: number;
  data: Float32Array;
}

/** Receives the layout once, then every block in order (the next waits until this one returns). */
export interface BlockConsumer {
  start?(layout: StreamLayout): void | Promise<void>;
  block(block: EnhancedBlock): void | Promise<void>;
}

/** What enhanceInBlocks returns once every block has been consumed. */
export interface StreamEnhanceResult extends StreamLayout {
  provenance: Provenance;
  /** Most blocks held at once (being enhanced or consumed): 1 + `ahead`; tests check the bound. */
  peakBlocks: number;
}

/** Enhances `options.window` (or the whole frame) block by block into `consumer`; see the module comment. */
export async function enhanceInBlocks(
  source: RasterSource,
  options: StreamEnhanceOptions,
  consumer: BlockConsumer,
): Promise<StreamEnhanceResult> {
  const t0 = performance.now();
  const { info } = source;
  const outer = options.signal;
  throwIfAborted(outer);
  const entry = getModel(options.modelId, options.variant);
  // refused before any read or inference (each block's enhanceRaster checks it again)
  assertDomain(info, entry, { allowMismatch: options.allowDomainMismatch });
  assertEnhanceable(info, options);
  const frame = options.frame ?? 0;
  const region = options.window ?? { x: 0, y: 0, width: info.width, height: info.height };
  const bands = options.band === undefined ? [...Array(info.samples).keys()] : [options.band];
  if (bands.some((b) => !Number.isInteger(b) || b < 0 || b >= info.samples))
    throw new PipelineError('INVALID_REQUEST', `band ${options.band} outside 0..${info.samples - 1}`);
  const scale = entry.scale;
  const halo = options.halo ?? haloFor(entry);
  // the rows' window plus the halo, clamped to the image (the one halo rule, pipeline/tile.ts)
  const readRect = (y: number, height: number): PixelWindow =>
    growRect({ x: region.x, y, width: region.width, height }, halo, info.width, info.height);

  let t = performance.now();
  const computed = options.ranges ? undefined : await wholeImageRanges(source, frame, outer);
  const ranges = options.ranges ?? (computed as { ranges: NormRange[] }).ranges;
  const whole = readRect(region.y, region.height);
  // as enhanceRaster labels them: 'raster' when they come from every pixel of what the halo reaches
  const fromRaster =
    computed?.fullResolution === true && whole.width === info.width && whole.height === info.height;
  const rangesMs = performance.now() - t;

  t = performance.now();
  const fallbacks: FallbackRecord[] = [];
  const onFallback = (r: FallbackRecord) => {
    fallbacks.push(r);
    options.onFallback?.(r);
  };
  const session: InferenceSession =
    options.session ??
    (await createSession(
      await loadModel(entry, outer),
      { preference: options.backend, nodeThreads: options.nodeThreads, onFallback },
      outer,
    ));
  const loadMs = options.session ? 0 : performance.now() - t;
  // the consumer failing must stop a block being enhanced ahead of it
  const inner = new AbortController();
  const onOuterAbort = () => inner.abort(outer?.reason);
  outer?.addEventListener('abort', onOuterAbort, { once: true });
  try {
    const limits = options.limits ?? (await deviceTileLimits(session));
    const plan = planTiles(info, region, { ...limits, scale, halo, tile: options.tile });
    const layout: StreamLayout = {
      width: region.width * scale,
      height: region.height * scale,
      samples: bands.length,
      scale,
      bands,
      region: { ...region },
      spacing: scaledSpacing(info.spacing, region, scale),
      blocks: plan.rows,
    };
    await consumer.start?.(layout);
    const total = plan.tiles.length * bands.length;
    const doneBy = new Array<number>(plan.rows).fill(0);
    let held = 0;
    let peakBlocks = 0;
    const parts: Provenance[] = [];

    const produce = async (r: number) => {
      held++;
      peakBlocks = Math.max(peakBlocks, held);
      const core = (plan.tiles[r * plan.columns] as (typeof plan.tiles)[number]).core;
      const raster = await source.read({
        frame,
        window: readRect(core.y, core.height),
        signal: inner.signal,
      });
      const res = await enhanceRaster(raster, {
        modelId: entry.id,
        variant: entry.variant,
        band: options.band,
        window: { x: region.x, y: core.y, width: region.width, height: core.height },
        tile: options.tile,
        ...(limits ? { limits } : {}),
        halo,
        session,
        ranges,
        allowDomainMismatch: options.allowDomainMismatch,
        allowDerived: options.allowDerived,
        signal: inner.signal,
        onProgress: (p) => {
          doneBy[r] = p.done;
          options.onProgress?.({ done: doneBy.reduce((a, b) => a + b, 0), total, backend: p.backend });
        },
      });
      return {
        index: r,
        y: (core.y - region.y) * scale,
        rows: res.height,
        data: res.data,
        prov: res.provenance,
      };
    };

    let next: ReturnType<typeof produce> | undefined = produce(0);
    try {
      for (let r = 0; r < plan.rows; r++) {
        const current = await (next as ReturnType<typeof produce>);
        next = undefined;
        if ((options.ahead ?? 0) > 0 && r + 1 < plan.rows) {
          next = produce(r + 1);
          next.catch(() => undefined); // awaited on the next turn; never an unhandled rejection
        }
        parts.push(current.prov);
        await consumer.block({ index: current.index, y: current.y, rows: current.rows, data: current.data });
        held--;
        throwIfAborted(outer);
        if (!next && r + 1 < plan.rows) next = produce(r + 1);
      }
    } catch (err) {
      inner.abort(err);
      await next?.catch(() => undefined);
      throw err;
    }
    const provenance = mergeProvenance(parts, {
      fallbacks,
      fromRaster,
      region,
      plan: { size: plan.tile, columns: plan.columns, rows: plan.rows, count: plan.tiles.length },
      timings: { totalMs: performance.now() - t0, loadMs, rangesMs },
    });
    return { ...layout, provenance, peakBlocks };
  } finally {
    outer?.removeEventListener('abort', onOuterAbort);
    if (!options.session) await session.dispose();
  }
}

/** The blocks' provenances as one for the whole region (tiles in plan order, timings summed). */
function mergeProvenance(
  parts: Provenance[],
  whole: {
    fallbacks: FallbackRecord[];
    fromRaster: boolean;
    region: PixelWindow;
    plan: { size: number; columns: number; rows: number; count: number };
    timings: { totalMs: number; loadMs: number; rangesMs: number };
  },
): Provenance {
  const first = parts[0];
  if (!first) throw new PipelineError('INVALID_REQUEST', 'no block was enhanced');
  const backends: Partial<Record<BackendId | 'cache', number>> = {};
  for (const p of parts)
    for (const [k, n] of Object.entries(p.backends) as Array<[BackendId | 'cache', number]>)
      backends[k] = (backends[k] ?? 0) + n;
  const sum = (f: (p: Provenance) => number) => parts.reduce((a, p) => a + f(p), 0);
  const medians = parts.map((p) => p.timings.tileMsMedian).sort((a, b) => a - b);
  return {
    ...first,
    backends,
    tileBackends: first.tileBackends.map((_, bi) => parts.flatMap((p) => p.tileBackends[bi] ?? [])),
    fallbacks: whole.fallbacks.map((f) => ({ ...f })),
    normalization: first.normalization.map((n) => ({
      ...n,
      source: whole.fromRaster ? 'raster' : 'provided',
    })),
    tile: { ...first.tile, ...whole.plan },
    source: { ...first.source, window: { ...whole.region } },
    timings: {
      totalMs: whole.timings.totalMs,
      loadMs: whole.timings.loadMs,
      normalizeMs: whole.timings.rangesMs + sum((p) => p.timings.normalizeMs),
      inferenceMs: sum((p) => p.timings.inferenceMs),
      // per-tile times are not kept per block: the median of the blocks' medians
      tileMsMedian: medians[Math.floor(medians.length / 2)] ?? 0,
      tileMsMax: Math.max(...parts.map((p) => p.timings.tileMsMax)),
      stitchMs: sum((p) => p.timings.stitchMs),
    },
    createdAt: new Date().toISOString(),
  };
}
