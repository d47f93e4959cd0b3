/**
 * enhanceRaster: a Raster in, super-resolved float32 pixels in original units out, with provenance.
 * Each band is normalized once over the whole raster (or with caller-given whole-image ranges),
 * tiled with a halo covering the receptive field, run through the single-channel model, stitched and
 * mapped back to original units. The input raster is never modified.
 */
import { webGpuAdapterLimits } from '../../models/backend/gpu-types.ts';
import { createSession } from '../../models/backend/select.ts';
import type {
  BackendPreference,
  BackendId,
  FallbackRecord,
  InferenceSession,
} from '../../models/backend/types.ts';
import type { Variant } from '../../models/card.ts';
import { computeRange, normalize, type NormRange } from '../../models/normalize.ts';
import { getModel, loadModel } from '../../models/registry.ts';
import {
  toModalityValues,
  windowInside,
  type PixelWindow,
  type Raster,
  type Spacing,
} from '../../formats/raster.ts';
import { assemble } from './assemble.ts';
import { excessPlane, RANGE_RULE } from './range.ts';
import { tileCacheKey, type TileCache } from './cache.ts';
import { PipelineError, throwIfAborted } from './errors.ts';
import { assertDomain } from './domain.ts';
import { assertEnhanceable } from './derived.ts';
import { modelProvenance, scaledSpacing, type Provenance } from './provenance.ts';
import { TileScheduler, type Priority } from './scheduler.ts';
import { Stitcher } from './stitch.ts';
import { haloFor, runTile, type TileRunOutput } from './tile.ts';
import { cropPlane, planTiles, webGpuTileLimits, type TileLimits } from './tiler.ts';

/** Progress of one enhancement: tiles finished over all bands, and the backend in use now. */
export interface EnhanceProgress {
  done: number;
  total: number;
  backend: BackendId;
}

/** Options of enhanceRaster. */
export interface EnhanceOptions {
  /** Registry id, e.g. 'medical-x2'. */
  modelId: string;
  /** 'fidelity' (default) or 'perceptual' (GAN: invents texture; provenance flags it). */
  variant?: Variant;
  /** Enhance only this band/sample (default: every sample, each through the model). */
  band?: number;
  /** Must equal raster.frame when given (a Raster holds one frame). */
  frame?: number;
  /** LR region in full-image pixel coordinates, inside raster.window; pixels around it feed the halo. */
  window?: PixelWindow;
  /** Core tile side in LR px (default 256), shrunk to fit `limits`. */
  tile?: number;
  limits?: TileLimits;
  /** Halo per side in LR px (default: the card's receptive field + 4, see DEFAULT_HALO_MARGIN). */
  halo?: number;
  /** Feather-blend width in LR px across seams (default 0: exact crop). */
  feather?: number;
  /** Where to run: 'auto' (default; node-cpu in Node, WebGPU else WASM in browsers) or a backend id. */
  backend?: BackendPreference;
  /** Node only: onnxruntime intra-op threads (default: all cores). */
  nodeThreads?: number;
  /** An open session to use instead (caller keeps ownership). */
  session?: InferenceSession;
  /** Normalization range per raster band, computed by the caller over the whole image or an overview. */
  ranges?: Array<NormRange | undefined>;
  scheduler?: TileScheduler;
  priority?: Priority;
  cache?: TileCache;
  /** Identifies the image for the cache and for joining identical tiles across requests. */
  imageId?: string;
  /** Run a model of another domain than the image's (domain.ts); provenance records it. */
  allowDomainMismatch?: boolean;
  /** Enhance an image that is itself a super-resolution result (derived.ts); provenance records both steps. */
  allowDerived?: boolean;
  signal?: AbortSignal;
  onProgress?: (p: EnhanceProgress) => void;
  onFallback?: (r: FallbackRecord) => void;
}

/** Enhanced pixels: [H*s, W*s] for one band, pixel-interleaved [H*s, W*s, C] for several. */
export interface EnhanceResult {
  data: Float32Array;
  width: number;
  height: number;
  samples: number;
  scale: number;
  /** Original spacing divided by the scale (geotransform re-anchored at the region). */
  spacing: Spacing | undefined;
  provenance: Provenance;
}

export { DEFAULT_HALO_MARGIN, haloFor } from './tile.ts';

const now = () => performance.now();

function localRegion(
  raster: Raster,
  window: PixelWindow | undefined,
): { x: number; y: number; width: number; height: number } {
  if (!window) return { x: 0, y: 0, width: raster.width, height: raster.height };
  if (raster.width !== raster.window.width || raster.height !== raster.window.height)
    throw new PipelineError('INVALID_REQUEST', 'a window cannot be given for a raster read from an overview');
  const x = window.x - raster.window.x;
  const y = window.y - raster.window.y;
  if (!windowInside({ x, y, width: window.width, height: window.height }, raster))
    throw new PipelineError(
      'INVALID_REQUEST',
      `window ${window.x},${window.y},${window.width},${window.height} is not inside the raster`,
    );
  return { x, y, width: window.width, height: window.height };
}

/** Tile limits for a session's device: WebGPU bounds one activation buffer by the adapter's limits. */
export async function deviceTileLimits(session: InferenceSession): Promise<TileLimits | undefined> {
  if (session.backend !== 'webgpu') return undefined;
  const l = await webGpuAdapterLimits();
  return l ? webGpuTileLimits(l) : undefined;
}

/** Super-resolves `raster` (or a window of it) with a registry model; see EnhanceOptions. */
export async function enhanceRaster(raster: Raster, options: EnhanceOptions): Promise<EnhanceResult> {
  const t0 = now();
  const { signal } = options;
  throwIfAborted(signal);
  const entry = getModel(options.modelId, options.variant);
  assertDomain(raster.info, entry, { allowMismatch: options.allowDomainMismatch });
  const derivedFrom = assertEnhanceable(raster.info, options);
  if (options.frame !== undefined && options.frame !== raster.frame)
    throw new PipelineError('INVALID_REQUEST', `raster holds frame ${raster.frame}, not ${options.frame}`);
  const bands = options.band === undefined ? [...Array(raster.samples).keys()] : [options.band];
  if (bands.some((b) => !Number.isInteger(b) || b < 0 || b >= raster.samples))
    throw new PipelineError('INVALID_REQUEST', `band ${options.band} outside 0..${raster.samples - 1}`);
  const region = localRegion(raster, options.window);
  const scale = entry.scale;
  const halo = options.halo ?? haloFor(entry);

  // ranges first: one per band over the whole raster, never per tile (per-tile ranges make seams)
  let t = now();
  const values = toModalityValues(raster);
  const stride = raster.samples;
  const ranges = bands.map((b) => options.ranges?.[b] ?? computeRange(values, { stride, band: b }));
  const planes = bands.map((b, i) => normalize(values, ranges[i] as NormRange, { stride, band: b }));
  // what clipping to the contract range takes away, added back after the model (./range.ts)
  const excess = bands.map((b, i) => excessPlane(values, ranges[i] as NormRange, { stride, band: b }));
  const normalizeMs = now() - t;

  t = now();
  // models/backend/select wraps the session for reported fallback (webgpu -> wasm, node-webgpu -> node-cpu)
  const fallbacks: FallbackRecord[] = [];
  const onFallback = (r: FallbackRecord) => {
    fallbacks.push(r);
    options.onFallback?.(r);
  };
  const session =
    options.session ??
    (await createSession(
      await loadModel(entry, signal),
      { preference: options.backend, nodeThreads: options.nodeThreads, onFallback },
      signal,
    ));
  const loadMs = options.session ? 0 : now() - t;
  try {
    const limits = options.limits ?? (await deviceTileLimits(session));
    const plan = planTiles(raster, region, { ...limits, scale, halo, tile: options.tile });
    const feather = options.feather ?? 0;
    const stitchers = bands.map(() => new Stitcher(plan, { feather }));
    const scheduler = options.scheduler ?? new TileScheduler({ concurrency: 1 });
    const cache = options.cache;
    const imageId = options.imageId ?? `anonymous-${Math.random().toString(36).slice(2)}`;
    const tileMs: number[] = [];
    const tileBackends = bands.map(() => new Array<BackendId | 'cache'>(plan.tiles.length));
    const tasks = bands.flatMap((band, bi) =>
      plan.tiles.map((tile) => {
        const range = ranges[bi] as NormRange;
        const key = tileCacheKey({
          imageId,
          frame: raster.frame,
          band,
          input: tile.input,
          core: tile.core,
          modelId: entry.id,
          variant: entry.variant,
          sha256: entry.sha256,
          backend: session.backend,
          range: [range.lo, range.hi],
        });
        const run = (sig: AbortSignal): Promise<TileRunOutput> =>
          runTile(
            {
              session,
              scale,
              input: tile.input,
              plane: () => cropPlane(planes[bi] as Float32Array, raster.width, tile.input),
              excess: () => {
                const ex = excess[bi];
                return ex && cropPlane(ex, raster.width, tile.input);
              },
              cache,
              key,
              onInference: (ms) => tileMs.push(ms),
            },
            sig,
          );
        return { key, run, band: bi, tile };
      }),
    );
    let stitchMs = 0;
    await scheduler.runAll(tasks, {
      priority: options.priority,
      signal,
      onResult: (out, i) => {
        const task = tasks[i] as (typeof tasks)[number];
        const s = now();
        (stitchers[task.band] as Stitcher).place(task.tile, out);
        stitchMs += now() - s;
        (tileBackends[task.band] as Array<BackendId | 'cache'>)[task.tile.index] = out.backend;
      },
      onProgress: (p) => options.onProgress?.({ done: p.done, total: p.total, backend: session.backend }),
    });
    throwIfAborted(signal);

    const sw = region.width * scale;
    const sh = region.height * scale;
    t = now();
    const planesSr = bands.map((band, bi) => ({
      sr: (stitchers[bi] as Stitcher).finish(),
      range: ranges[bi] as NormRange,
      band,
    }));
    const data = assemble(planesSr, { values, width: raster.width, stride }, region, scale);
    stitchMs += now() - t;

    const sorted = [...tileMs].sort((a, b) => a - b);
    const lrStep = raster.window.width / raster.width;
    const window = {
      x: raster.window.x + region.x * lrStep,
      y: raster.window.y + region.y * lrStep,
      width: region.width * lrStep,
      height: region.height * lrStep,
    };
    const provenance: Provenance = {
      ...modelProvenance(entry, {
        bands,
        ranges,
        rangeSource: bands.map((band) => (options.ranges?.[band] ? 'provided' : 'raster')),
        backends: tileBackends.flat(),
        fallbacks,
        format: raster.info.format,
        derivedFrom,
      }),
      tileBackends,
      rangeRule: RANGE_RULE,
      tile: {
        size: plan.tile,
        halo,
        feather,
        columns: plan.columns,
        rows: plan.rows,
        count: plan.tiles.length,
      },
      source: { format: raster.info.format, frame: raster.frame, window, bands },
      timings: {
        totalMs: now() - t0,
        loadMs,
        normalizeMs,
        inferenceMs: tileMs.reduce((a, b) => a + b, 0),
        tileMsMedian: sorted[Math.floor(sorted.length / 2)] ?? 0,
        tileMsMax: sorted[sorted.length - 1] ?? 0,
        stitchMs,
      },
    };
    return {
      data,
      width: sw,
      height: sh,
      samples: bands.length,
      scale,
      spacing: scaledSpacing(raster.info.spacing, window, scale, lrStep),
      provenance,
    };
  } finally {
    if (!options.session) await session.dispose();
  }
}
