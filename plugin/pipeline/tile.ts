/**
 * The per-tile entry point: session, normalization ranges, halo, model contract and range rule are
 * bound once per image (and band set); `enhanceTile(rect)` then runs one LR rect through the model
 * and returns exactly the same window of whole-image `enhanceRaster` (same halo, same ranges, same
 * range rule, same cache keys for the same input): the halo covers the receptive field, so a tile's
 * core does not depend on where the tile boundaries are. enhanceRaster and the live engine
 * (plugin/live/) both run their tiles through `runTile`.
 */
import type { BackendId, InferenceSession } from '../../models/backend/types.ts';
import type { Variant } from '../../models/card.ts';
import { computeRange, normalize, type NormRange } from '../../models/normalize.ts';
import { getModel, type ModelEntry } from '../../models/registry.ts';
import type { PixelWindow, Raster, Spacing } from '../../formats/raster.ts';
import { assemble, type BandPlane } from './assemble.ts';
import { tileCacheKey, type TileCache } from './cache.ts';
import { PipelineError, throwIfAborted } from './errors.ts';
import { colorPathFor, LUMA_RANGE, lumaMerge, lumaSplit, type ColorPath, type LumaPlanes } from './luma.ts';
import { modelProvenance, scaledSpacing, type Provenance } from './provenance.ts';
import { excessPlane, RANGE_RULE, restoreRange } from './range.ts';
import { TileScheduler, type Priority } from './scheduler.ts';
import type { Rect } from './tiler.ts';

/** Receptive fields on the cards are measured at a 1e-6 output change; a few px more keep seams far below. */
export const DEFAULT_HALO_MARGIN = 4;

/** THE halo rule (LR px per side): the model's receptive field plus DEFAULT_HALO_MARGIN. */
export function haloFor(entry: Pick<ModelEntry, 'receptiveFieldLrPx'>): number {
  return entry.receptiveFieldLrPx + DEFAULT_HALO_MARGIN;
}

/** `rect` grown by `halo` on every side and clamped to an image of the given size (never padded). */
export function growRect(rect: Rect, halo: number, width: number, height: number): Rect {
  const x0 = Math.max(0, rect.x - halo);
  const y0 = Math.max(0, rect.y - halo);
  const x1 = Math.min(width, rect.x + rect.width + halo);
  const y1 = Math.min(height, rect.y + rect.height + halo);
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

/** One normalized SR plane of a tile input (input.width*s x input.height*s) and who produced it. */
export interface TileRunOutput {
  data: Float32Array;
  width: number;
  height: number;
  backend: BackendId | 'cache';
}

/** What runTile needs for one band of one tile. */
export interface TileRunRequest {
  session: InferenceSession;
  scale: number;
  /** LR px fed to the model (core + halo). */
  input: Rect;
  /** The clipped normalized input plane (input.width x input.height), made only on a cache miss. */
  plane: () => Float32Array;
  /** What clipping removed (range.ts), made only on a cache miss; undefined when nothing. */
  excess: () => Float32Array | undefined;
  cache?: TileCache;
  key: string;
  /** Called with the model's run time (ms) when the model ran (not on a cache hit). */
  onInference?: (ms: number) => void;
}

/** One band of one tile: cache, else model(clip(x)) then the range rule; the result is cached. */
export async function runTile(req: TileRunRequest, signal: AbortSignal): Promise<TileRunOutput> {
  const { input, scale } = req;
  const hit = req.cache?.get(req.key);
  if (hit) return { data: hit, width: input.width * scale, height: input.height * scale, backend: 'cache' };
  const start = performance.now();
  const out = await req.session.run({ data: req.plane(), width: input.width, height: input.height }, signal);
  req.onInference?.(performance.now() - start);
  const sr = restoreRange(out.data, req.excess(), input.width, input.height, scale);
  req.cache?.set(req.key, sr);
  return { data: sr, width: out.width, height: out.height, backend: out.backend ?? req.session.backend };
}

/** The image a TileEnhancer works on: real-unit values, pixel-interleaved [height, width, samples]. */
export interface TileSource {
  values: ArrayLike<number>;
  width: number;
  height: number;
  samples: number;
  /** Identifies the image (cache keys, joining identical tiles across requests). */
  imageId: string;
  frame?: number;
}

/** Everything bound once per image and band set. */
export interface TileEnhancerOptions extends TileSource {
  modelId: string;
  variant?: Variant;
  /** Bands of the image to enhance, in output order. */
  bands: number[];
  /** Whole-image ranges, one per entry of `bands` (default: computed here over the whole image). */
  ranges?: NormRange[];
  session: InferenceSession;
  scheduler?: TileScheduler;
  cache?: TileCache;
  /** Halo per side (default haloFor(entry)). */
  halo?: number;
  /** 'luma': three bands [R, G, B] through one model run on luma (luma.ts); default 'per-band'. */
  colorPath?: ColorPath;
}

/** Per-request options of enhanceTile. */
export interface TileRequest {
  priority?: Priority;
  signal?: AbortSignal;
}

/** One enhanced rect: [h*s, w*s, bands] real-unit floats, as the same window of enhanceRaster. */
export interface EnhancedTile {
  rect: Rect;
  /** LR px the model saw (rect + halo, clamped to the image). */
  input: Rect;
  data: Float32Array;
  width: number;
  height: number;
  samples: number;
  scale: number;
  /** Backend (or 'cache') per band. */
  backends: Array<BackendId | 'cache'>;
  /** Model run time summed over bands (ms; 0 when every band came from the cache). */
  inferenceMs: number;
  /** Model runs this request caused (0: all from the cache or joined another request's run). */
  inferences: number;
}

/** A bound per-tile enhancer (see bindTileEnhancer). */
export interface TileEnhancer {
  readonly entry: ModelEntry;
  readonly halo: number;
  readonly scale: number;
  readonly bands: number[];
  /** The ranges every tile is normalized with, one per entry of `bands`. */
  readonly ranges: NormRange[];
  /** Whether the ranges were given by the caller ('provided') or computed here ('raster'). */
  readonly rangeSource: 'provided' | 'raster';
  /** The path the pixels are made by ('luma' only for three bands asked to go through luma). */
  readonly colorPath: ColorPath;
  enhanceTile(rect: Rect, request?: TileRequest): Promise<EnhancedTile>;
}

function checkRect(rect: Rect, width: number, height: number): void {
  const ints = [rect.x, rect.y, rect.width, rect.height];
  if (
    ints.some((n) => !Number.isInteger(n)) ||
    rect.width < 1 ||
    rect.height < 1 ||
    rect.x < 0 ||
    rect.y < 0 ||
    rect.x + rect.width > width ||
    rect.y + rect.height > height
  )
    throw new PipelineError(
      'INVALID_REQUEST',
      `tile ${rect.x},${rect.y},${rect.width},${rect.height} is not inside the ${width}x${height} image`,
    );
}

/** One band of `rect` of interleaved values, as a plain plane. */
function bandCrop(src: TileSource, rect: Rect, band: number): Float64Array {
  const out = new Float64Array(rect.width * rect.height);
  for (let y = 0; y < rect.height; y++)
    for (let x = 0; x < rect.width; x++)
      out[y * rect.width + x] = src.values[
        ((rect.y + y) * src.width + rect.x + x) * src.samples + band
      ] as number;
  return out;
}

/** Binds model, session, ranges, halo and range rule to one image; see TileEnhancer. */
export function bindTileEnhancer(options: TileEnhancerOptions): TileEnhancer {
  const entry = getModel(options.modelId, options.variant);
  const { bands, width, height, samples } = options;
  if (bands.length === 0 || bands.some((b) => !Number.isInteger(b) || b < 0 || b >= samples))
    throw new PipelineError('INVALID_REQUEST', `bands ${bands.join(',')} not all in 0..${samples - 1}`);
  if (options.values.length < width * height * samples)
    throw new PipelineError(
      'INVALID_REQUEST',
      `values hold fewer than ${width}x${height}x${samples} samples`,
    );
  if (options.ranges && options.ranges.length !== bands.length)
    throw new PipelineError('INVALID_REQUEST', `${options.ranges.length} ranges for ${bands.length} bands`);
  const ranges =
    options.ranges ?? bands.map((band) => computeRange(options.values, { stride: samples, band }));
  const halo = options.halo ?? haloFor(entry);
  const scale = entry.scale;
  const scheduler = options.scheduler ?? new TileScheduler({ concurrency: 1 });
  const frame = options.frame ?? 0;
  const { session, cache, imageId } = options;
  if (options.colorPath === 'luma' && bands.length !== 3)
    throw new PipelineError('INVALID_REQUEST', `colorPath 'luma' needs 3 bands, not ${bands.length}`);
  const colorPath = colorPathFor(bands, options.colorPath);

  async function enhanceTile(rect: Rect, request: TileRequest = {}): Promise<EnhancedTile> {
    checkRect(rect, width, height);
    const { signal } = request;
    throwIfAborted(signal);
    const input = growRect(rect, halo, width, height);
    let inferenceMs = 0;
    let inferences = 0;
    const onInference = (ms: number) => {
      inferenceMs += ms;
      inferences++;
    };
    const keyOf = (band: number, range: NormRange, extra = '') =>
      tileCacheKey({
        imageId,
        frame,
        band,
        input,
        core: rect,
        modelId: entry.id,
        variant: entry.variant,
        sha256: entry.sha256,
        backend: session.backend,
        range: [range.lo, range.hi],
      }) + extra;
    const run = (key: string, plane: () => Float32Array, excess: () => Float32Array | undefined) =>
      scheduler.submit(
        key,
        (sig) => runTile({ session, scale, input, plane, excess, cache, key, onInference }, sig),
        { priority: request.priority, signal },
      );
    // keep the core: the same crop the Stitcher makes of a tile
    const sw = rect.width * scale;
    const sh = rect.height * scale;
    const ox = (rect.x - input.x) * scale;
    const oy = (rect.y - input.y) * scale;
    let outputs: TileRunOutput[];
    let planes: BandPlane[];
    if (colorPath === 'luma') {
      // one run on Y; its key names the three bands and ranges Y is made of
      const extra = `|luma${bands.join(',')}:${ranges.map((r) => `${r.lo},${r.hi}`).join(';')}`;
      let lr: LumaPlanes | undefined;
      const split = () => (lr ??= lumaSplit(options, input, bands, ranges));
      const y = await run(
        keyOf(bands[0] as number, LUMA_RANGE, extra),
        () => split().y,
        () => undefined, // Y of clipped bands is in [0,1]: the bands' excesses are added in lumaMerge
      );
      throwIfAborted(signal);
      outputs = bands.map(() => y);
      const core = { ox, oy, width: sw, height: sh };
      const rgb = lumaMerge(y.data, split(), { width: input.width, height: input.height, scale }, core);
      planes = rgb.map((sr, bi) => ({ sr, range: ranges[bi] as NormRange, band: bands[bi] as number }));
    } else {
      // every band joins the scheduler synchronously: a caller may abort older requests right after
      outputs = await Promise.all(
        bands.map((band, bi) => {
          const range = ranges[bi] as NormRange;
          let crop: Float64Array | undefined;
          const lr = () => (crop ??= bandCrop(options, input, band));
          return run(
            keyOf(band, range),
            () => normalize(lr(), range),
            () => excessPlane(lr(), range),
          );
        }),
      );
      throwIfAborted(signal);
      planes = outputs.map((out, bi) => {
        const sr = new Float32Array(sw * sh);
        for (let y = 0; y < sh; y++) {
          const src = (oy + y) * out.width + ox;
          sr.set(out.data.subarray(src, src + sw), y * sw);
        }
        return { sr, range: ranges[bi] as NormRange, band: bands[bi] as number };
      });
    }
    const data = assemble(planes, { values: options.values, width, stride: samples }, rect, scale);
    return {
      rect: { ...rect },
      input,
      data,
      width: sw,
      height: sh,
      samples: bands.length,
      scale,
      backends: outputs.map((o) => o.backend),
      inferenceMs,
      inferences,
    };
  }

  return {
    entry,
    halo,
    scale,
    bands: [...bands],
    ranges,
    rangeSource: options.ranges ? 'provided' : 'raster',
    colorPath,
    enhanceTile,
  };
}

/**
 * Provenance of one enhanced tile as enhanceRaster would write it for the same window (one tile,
 * no feather), for callers that need an EnhanceResult-shaped answer (plugin/viewer/cell.ts).
 */
export function tileProvenance(
  enhancer: TileEnhancer,
  tile: EnhancedTile,
  source: { format: string; frame: number; totalMs: number },
): Provenance {
  return {
    ...modelProvenance(enhancer.entry, {
      bands: enhancer.bands,
      ranges: enhancer.ranges,
      rangeSource: enhancer.rangeSource,
      backends: tile.backends,
      colorPath: enhancer.colorPath,
    }),
    tileBackends: tile.backends.map((b) => [b]),
    rangeRule: RANGE_RULE,
    tile: {
      size: Math.max(tile.rect.width, tile.rect.height),
      halo: enhancer.halo,
      feather: 0,
      columns: 1,
      rows: 1,
      count: 1,
    },
    source: { format: source.format, frame: source.frame, window: { ...tile.rect }, bands: enhancer.bands },
    timings: {
      totalMs: source.totalMs,
      loadMs: 0,
      normalizeMs: 0,
      inferenceMs: tile.inferenceMs,
      tileMsMedian: tile.inferenceMs / Math.max(1, tile.inferences),
      tileMsMax: tile.inferenceMs,
      stitchMs: 0,
    },
  };
}

/** Spacing of an enhanced tile of `raster` (full-frame raster: LR step 1). */
export function tileSpacing(raster: Raster, rect: PixelWindow, scale: number): Spacing | undefined {
  return scaledSpacing(raster.info.spacing, rect, scale);
}
