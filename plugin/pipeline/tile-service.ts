/**
 * The per-tile service every viewer uses: one block of LR px (one or more grid cells) of an image in
 * memory or read window by window, through the bound per-tile entry point (tile.ts: the one halo
 * rule, whole-image ranges, range rule, shared scheduler and cache), then each cell sliced out of the
 * block and checked for consistency (tile-check.ts). The live engine (plugin/live: jobs, priorities,
 * prefetch, store) and the OpenLayers loader both call it, so there is one way a live tile is made.
 */
import type { BackendId, InferenceSession } from '../../models/backend/types.ts';
import type { Variant } from '../../models/card.ts';
import type { NormRange } from '../../models/normalize.ts';
import { getModel, type ModelEntry } from '../../models/registry.ts';
import type { ImageInfo } from '../../formats/raster.ts';
import type { TileCache } from './cache.ts';
import { assertDomain } from './domain.ts';
import { assertEnhanceable } from './derived.ts';
import { PipelineError } from './errors.ts';
import { colorPathFor, type ColorPath } from './luma.ts';
import type { Priority, TileScheduler } from './scheduler.ts';
import { tileConsistencyPsnr } from './tile-check.ts';
import { bindTileEnhancer, growRect, haloFor, type EnhancedTile, type TileEnhancer } from './tile.ts';
import type { Rect } from './tiler.ts';

/** The image a block is cut from: real-unit values in memory, or read on demand by window. */
export interface ServiceImage {
  /** Identifies the image (cache keys); windows read on demand add their rect to it. */
  imageId: string;
  frame: number;
  width: number;
  height: number;
  samples: number;
  /** Bands enhanced, in output order, and their whole-image ranges (one per entry of `bands`). */
  bands: number[];
  ranges: NormRange[];
  /** Real-unit values of every sample, [height, width, samples] (NaN = nodata), when in memory. */
  values?: ArrayLike<number>;
  /** Otherwise: the real-unit values of a window, all bands, [height, width, samples]. */
  readWindow?(rect: Rect, signal?: AbortSignal): Promise<ArrayLike<number>>;
  /** The file's format: every block is refused (DOMAIN_MISMATCH) when the model's domain differs... */
  format?: ImageInfo['format'];
  /** ...unless the user explicitly allowed it (domain.ts). */
  allowDomainMismatch?: boolean;
  /** An earlier super-resolution of the image: every block is refused (ALREADY_ENHANCED)... */
  enhancement?: ImageInfo['enhancement'];
  /** ...unless the user explicitly allowed it (derived.ts). */
  allowDerived?: boolean;
  /** 'luma': [R, G, B] through one model run on luma (luma.ts; other band counts: per band). */
  colorPath?: ColorPath;
}

/** The model a service runs and where its work is queued and cached. */
export interface ServiceModel {
  modelId: string;
  variant: Variant;
  session: InferenceSession;
  scheduler?: TileScheduler;
  cache?: TileCache;
}

/** SR pixels of one cell, [height, width, samples] real units (samples = bands enhanced). */
export interface CellPixels {
  data: Float32Array;
  width: number;
  height: number;
  samples: number;
}

/** One cell of a served block. */
export interface ServedCell {
  /** LR px of the cell, image coordinates. */
  rect: Rect;
  pixels: CellPixels;
  /** Worst band's consistency PSNR (dB): the cell downsampled against its LR pixels. */
  consistencyPsnr: number;
}

/** What the service made of one block. */
export interface ServedBlock {
  /** The block's LR rect and what the model saw (block + halo, clamped), image coordinates. */
  rect: Rect;
  input: Rect;
  scale: number;
  cells: ServedCell[];
  /** The backend of the first band ('cache' when it came from the cache). */
  backend: BackendId | 'cache';
  /** Backend per band. */
  backends: Array<BackendId | 'cache'>;
  /** Model run time (ms; 0 when every band came from the cache or joined another run). */
  inferenceMs: number;
  /** Model runs this block caused. */
  inferences: number;
  /** Wall time from the request to the result, window read and queue wait included (ms). */
  requestMs: number;
}

/** Per-request options. */
export interface BlockRequest {
  priority?: Priority;
  signal?: AbortSignal;
  /** Cells of the block to slice out (default: the block as one cell). */
  cells?: Rect[];
  /** Return undefined, without inference, when no pixel of the block has every band valid (nodata). */
  skipEmpty?: boolean;
}

/** Bound in-memory images kept per service (their enhancers hold the values). */
const MAX_BOUND_IMAGES = 8;
/**
 * Window reads in flight at once. Small reads decode on the page's thread: started all at once, the
 * first block's read would share the thread with every other block's decoding, so reads go in
 * request order and a read whose signal fired while it waited is skipped.
 */
const MAX_WINDOW_READS = 2;

/** Copies `cell` (LR px) out of an enhanced block as its own [h*s, w*s, samples] pixels. */
export function sliceCell(block: EnhancedTile, cell: Rect): CellPixels {
  const s = block.scale;
  const n = block.samples;
  const r = block.rect;
  if (cell.x === r.x && cell.y === r.y && cell.width === r.width && cell.height === r.height)
    return { data: block.data, width: block.width, height: block.height, samples: n };
  const w = cell.width * s;
  const h = cell.height * s;
  const data = new Float32Array(w * h * n);
  const ox = (cell.x - r.x) * s;
  const oy = (cell.y - r.y) * s;
  for (let y = 0; y < h; y++) {
    const src = ((oy + y) * block.width + ox) * n;
    data.set(block.data.subarray(src, src + w * n), y * w * n);
  }
  return { data, width: w, height: h, samples: n };
}

/** Whether `rect` of interleaved `values` holds a pixel with every band in `bands` finite. */
function hasValidPixel(
  values: ArrayLike<number>,
  width: number,
  samples: number,
  rect: Rect,
  bands: number[],
): boolean {
  for (let y = rect.y; y < rect.y + rect.height; y++)
    for (let x = rect.x; x < rect.x + rect.width; x++) {
      const i = (y * width + x) * samples;
      if (bands.every((b) => Number.isFinite(values[i + b] as number))) return true;
    }
  return false;
}

/** Enhances blocks of images with one model; see the module comment. */
export class TileService {
  readonly entry: ModelEntry;
  /** LR px of context per side (the one halo rule). */
  readonly halo: number;
  private readonly enhancers = new Map<string, TileEnhancer>();
  private reads = 0;
  private readonly readWaiters: Array<() => void> = [];

  constructor(readonly model: ServiceModel) {
    this.entry = getModel(model.modelId, model.variant);
    this.halo = haloFor(this.entry);
  }

  get scale(): number {
    return this.entry.scale;
  }

  /**
   * Enhances `rect` (LR px) of `image` and slices its cells; undefined when `skipEmpty` and the
   * block holds no valid pixel. Rejects with code ABORTED when the signal fires.
   */
  async enhance(
    image: ServiceImage,
    rect: Rect,
    request: BlockRequest = {},
  ): Promise<ServedBlock | undefined> {
    const t0 = performance.now();
    const { signal } = request;
    if (image.format)
      assertDomain({ format: image.format }, this.entry, { allowMismatch: image.allowDomainMismatch });
    assertEnhanceable(image, image);
    // the values around the block (whole image, or the window read) and where they start
    let around: { values: ArrayLike<number>; x: number; y: number; width: number };
    let enhancer: TileEnhancer;
    let local: Rect;
    if (image.values) {
      around = { values: image.values, x: 0, y: 0, width: image.width };
      if (request.skipEmpty && !hasValidPixel(image.values, image.width, image.samples, rect, image.bands))
        return undefined;
      enhancer = this.bound(image, image.values);
      local = rect;
    } else if (image.readWindow) {
      const win = growRect(rect, this.halo, image.width, image.height);
      const read = image.readWindow.bind(image);
      const values = await this.inReadSlot(signal, () => read(win, signal));
      if (values.length !== win.width * win.height * image.samples)
        throw new PipelineError(
          'INVALID_REQUEST',
          `window ${win.width}x${win.height} read ${values.length} samples, not ${win.width * win.height * image.samples}`,
        );
      around = { values, x: win.x, y: win.y, width: win.width };
      local = { ...rect, x: rect.x - win.x, y: rect.y - win.y };
      if (request.skipEmpty && !hasValidPixel(values, win.width, image.samples, local, image.bands))
        return undefined;
      // the window's id keys cache and scheduler, so two requests for the same block share one run
      enhancer = this.bind(
        { ...image, imageId: `${image.imageId}@${win.x},${win.y},${win.width}x${win.height}` },
        values,
        win,
      );
    } else
      throw new PipelineError('INVALID_REQUEST', `image ${image.imageId} has neither values nor readWindow`);

    const tile = await enhancer.enhanceTile(local, { priority: request.priority, signal });
    const shift = (q: Rect): Rect => ({ ...q, x: q.x + around.x, y: q.y + around.y });
    const block: EnhancedTile = { ...tile, rect: shift(tile.rect), input: shift(tile.input) };
    const frame = { data: around.values, width: around.width, samples: image.samples };
    const cells = (request.cells ?? [rect]).map((cell): ServedCell => {
      const pixels = sliceCell(block, cell);
      const consistencyPsnr = tileConsistencyPsnr(
        frame,
        { ...cell, x: cell.x - around.x, y: cell.y - around.y },
        image.bands,
        { ...pixels, scale: block.scale },
        image.ranges,
      );
      return { rect: cell, pixels, consistencyPsnr };
    });
    return {
      rect: block.rect,
      input: block.input,
      scale: block.scale,
      cells,
      backend: block.backends[0] ?? this.model.session.backend,
      backends: block.backends,
      inferenceMs: block.inferenceMs,
      inferences: block.inferences,
      requestMs: performance.now() - t0,
    };
  }

  /** Drops the bound enhancers of an image that will not be asked for again. */
  forget(imageId: string): void {
    this.enhancers.delete(imageId);
    this.enhancers.delete(`${imageId}|luma`);
  }

  /** The bound enhancer of an in-memory image (kept: binding is per image and path, not per block). */
  private bound(image: ServiceImage, values: ArrayLike<number>): TileEnhancer {
    const luma = colorPathFor(image.bands, image.colorPath) === 'luma';
    const id = luma ? `${image.imageId}|luma` : image.imageId;
    let e = this.enhancers.get(id);
    if (!e) {
      e = this.bind(image, values, { x: 0, y: 0, width: image.width, height: image.height });
      this.enhancers.set(id, e);
      if (this.enhancers.size > MAX_BOUND_IMAGES) {
        const oldest = this.enhancers.keys().next().value;
        if (oldest !== undefined && oldest !== id) this.enhancers.delete(oldest);
      }
    }
    return e;
  }

  private bind(image: ServiceImage, values: ArrayLike<number>, area: Rect): TileEnhancer {
    const m = this.model;
    return bindTileEnhancer({
      values,
      width: area.width,
      height: area.height,
      samples: image.samples,
      frame: image.frame,
      imageId: image.imageId,
      modelId: m.modelId,
      variant: m.variant,
      bands: image.bands,
      ranges: image.ranges,
      session: m.session,
      scheduler: m.scheduler,
      cache: m.cache,
      colorPath: colorPathFor(image.bands, image.colorPath),
    });
  }

  /** Runs `read` when one of MAX_WINDOW_READS slots is free (FIFO); ABORTED if `signal` fired meanwhile. */
  private async inReadSlot<T>(signal: AbortSignal | undefined, read: () => Promise<T>): Promise<T> {
    if (this.reads >= MAX_WINDOW_READS) await new Promise<void>((r) => this.readWaiters.push(r));
    else this.reads++;
    try {
      if (signal?.aborted) throw new PipelineError('ABORTED', 'the view moved on');
      const out = await read();
      if (signal?.aborted) throw new PipelineError('ABORTED', 'the view moved on');
      return out;
    } finally {
      // hand the slot straight to the next waiter (the count stays), else free it
      const next = this.readWaiters.shift();
      if (next) next();
      else this.reads--;
    }
  }
}
