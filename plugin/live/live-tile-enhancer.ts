/**
 * The viewer-agnostic live engine: it drives one ViewerAdapter (plugin/live/adapter.ts). When
 * enhancement is on and the view is zoomed in (>= 1 screen px per image px, or any zoom when
 * forced), the visible region is cut into a fixed grid of LR cells (reused across pans), and the
 * missing cells go through plugin/pipeline/tile.ts on the shared session, scheduler and cache:
 * visible cells nearest the centre first, then a prefetch ring, then the same cells of the
 * neighbouring frames of a stack (adapter.neighbours(), loaded through setNeighbours). Visible
 * cells may be merged into larger inference blocks (config.blockSize) so they share one halo; each
 * cell is still stored, checked and drawn on its own. A new view submits its work before aborting
 * the previous view's, so a tile both want keeps running.
 *
 * On every render of the viewer the engine hands the adapter the stored tiles of the visible region
 * and the "AI-enhanced" label; the adapter draws both (there is no switch for the label).
 *
 * An overview-backed image (LiveImage.native) is worked on in NATIVE px: the adapter's view (shown
 * px) is scaled to native px, zoom included, so enhancement starts past native resolution; each
 * block reads its native window + halo on demand (aborted with the view) and is enhanced with the
 * ranges of the overview; tiles are handed to the adapter in shown px. Adapters need not know.
 */
import type { BackendId, FallbackRecord } from '../../models/backend/types.ts';
import { computeRange, type NormRange } from '../../models/normalize.ts';
import { getModel } from '../../models/registry.ts';
import { TileCache } from '../pipeline/cache.ts';
import { deviceTileLimits } from '../pipeline/enhance.ts';
import { PipelineError } from '../pipeline/errors.ts';
import { TILESR_VERSION, modelVersionOf } from '../pipeline/provenance.ts';
import type { Priority, TileScheduler } from '../pipeline/scheduler.ts';
import {
  bindTileEnhancer,
  growRect,
  haloFor,
  type EnhancedTile,
  type TileEnhancer,
} from '../pipeline/tile.ts';
import { maxTileForLimits, type Rect } from '../pipeline/tiler.ts';
import { tileConsistencyPsnr } from './tile-check.ts';
import { watermarkLabel, type WatermarkBox } from '../watermark/viewport.ts';
import type { DrawTile, ViewerAdapter, ViewState } from './adapter.ts';
import { cellRect, gridCells, type Cell } from './grid.ts';
import { sharedCache, sharedScheduler, sharedSession, type SharedSession } from './sessions.ts';
import type {
  EnhanceStatus,
  LiveEnhanceCallbacks,
  LiveEnhanceConfig,
  LiveEnhanceStats,
  LiveImage,
  LiveTileInfo,
  NativeSource,
  PixelSpacing,
  ViewerProvenance,
} from './types.ts';

export type * from './types.ts';

/** Where the engine gets its session, scheduler and cache (default: the page-wide ones). */
export interface LiveEngineDeps {
  session?: (
    modelId: string,
    variant: LiveEnhanceConfig['variant'],
    backend: LiveEnhanceConfig['backend'],
  ) => Promise<SharedSession>;
  scheduler?: TileScheduler;
  cache?: TileCache;
  /** Neighbouring frames prefetched per view (default 2: the next and the previous). */
  maxNeighbours?: number;
  /**
   * Bytes of enhanced pixels the engine keeps ready to draw (default 128 MiB), least recently
   * drawn out first; the current view's cells are never evicted. The shared cache below keeps
   * the per-band model outputs, so an evicted cell comes back without inference.
   */
  storeBytes?: number;
}

/** Loads a frame of the stack by image id, for prefetch (the engine keeps a few). */
export type NeighbourLoader = (imageId: string) => Promise<LiveImage>;

/** The default configuration (the host overrides it from its properties). */
export const DEFAULT_LIVE_CONFIG: LiveEnhanceConfig = {
  enabled: false,
  modelId: 'medical-x2',
  variant: 'fidelity',
  backend: 'auto',
  anyZoom: false,
  tileSize: 64,
  prefetchRing: 1,
  consistencyThresholdDb: 35,
  splitX: 0,
  blockSize: 0,
};

interface StoredTile extends LiveTileInfo {
  imageId: string;
  pixels: DrawTile['pixels'];
  /** Bytes of `pixels` (the store is bounded by bytes). */
  byteLength: number;
}

interface Job {
  key: string;
  controller: AbortController;
  wanted: Set<string>;
}

/** One inference request: a rectangle of whole cells of one frame. */
interface Block {
  image: LiveImage;
  cells: Cell[];
  rect: Rect;
  priority: Priority;
}

const STORE_BYTES = 128 * 1024 * 1024;
/**
 * Native window reads in flight at once. Small reads decode on the page's thread: started all at
 * once, the centre cell's read would share the thread with every other cell's decoding, so reads go
 * in submission order (centre first) and a superseded view's reads that have not started are skipped.
 */
const MAX_NATIVE_READS = 2;
const MAX_BOUND_IMAGES = 8;

/** PipelineError and ModelError both say ABORTED when a signal fired. */
function isAborted(e: unknown): boolean {
  return (e instanceof PipelineError ? e.code : (e as { code?: string } | undefined)?.code) === 'ABORTED';
}

/** The size of the grid an image's cells live in: native px for an overview-backed image. */
function gridSize(image: LiveImage): { width: number; height: number } {
  return image.native ?? image.raster;
}

/** A native-px rect in the shown (overview) image's px (fractional: the adapter draws it scaled). */
function toShown(rect: Rect, n: NativeSource): Rect {
  return {
    x: rect.x / n.scaleX,
    y: rect.y / n.scaleY,
    width: rect.width / n.scaleX,
    height: rect.height / n.scaleY,
  };
}

/** A view of the shown image in native px: region grown outward to whole native px, zoom per native px. */
function toNative(v: ViewState, n: NativeSource): ViewState {
  const r = v.region;
  const x0 = Math.max(0, Math.floor(r.x * n.scaleX));
  const y0 = Math.max(0, Math.floor(r.y * n.scaleY));
  const x1 = Math.min(n.width, Math.ceil((r.x + r.width) * n.scaleX));
  const y1 = Math.min(n.height, Math.ceil((r.y + r.height) * n.scaleY));
  const region =
    r.width > 0 && r.height > 0
      ? { x: x0, y: y0, width: Math.max(0, x1 - x0), height: Math.max(0, y1 - y0) }
      : { x: 0, y: 0, width: 0, height: 0 };
  return { ...v, width: n.width, height: n.height, region, zoom: v.zoom / Math.max(n.scaleX, n.scaleY) };
}

/** Copies `cell` (LR px) out of an enhanced block as its own [h*s, w*s, samples] pixels. */
function sliceTile(block: EnhancedTile, cell: Rect): DrawTile['pixels'] {
  const s = block.scale;
  const n = block.samples;
  if (
    cell.x === block.rect.x &&
    cell.y === block.rect.y &&
    cell.width === block.rect.width &&
    cell.height === block.rect.height
  )
    return { data: block.data, width: block.width, height: block.height, samples: n };
  const w = cell.width * s;
  const h = cell.height * s;
  const data = new Float32Array(w * h * n);
  const ox = (cell.x - block.rect.x) * s;
  const oy = (cell.y - block.rect.y) * s;
  for (let y = 0; y < h; y++) {
    const src = ((oy + y) * block.width + ox) * n;
    data.set(block.data.subarray(src, src + w * n), y * w * n);
  }
  return { data, width: w, height: h, samples: n };
}

/** The live engine of one viewer; see the module comment. */
export class LiveTileEnhancer {
  config: LiveEnhanceConfig;
  readonly stats: LiveEnhanceStats = {
    aborted: 0,
    completed: 0,
    renders: 0,
    enhancedRenders: 0,
    inferences: 0,
    computedPx: 0,
    shownPx: 0,
  };
  /** Tiles drawn on the latest render (empty when none). */
  lastDrawn: LiveTileInfo[] = [];
  /** The mark of the latest render, undefined when no enhanced pixel was shown. */
  lastWatermark: WatermarkBox | undefined;

  private image: LiveImage | undefined;
  private readonly neighbourImages = new Map<string, Promise<LiveImage>>();
  private neighbourLoader: NeighbourLoader | undefined;
  private readonly ranges = new Map<string, NormRange[]>();
  private readonly enhancers = new Map<string, TileEnhancer>();
  private readonly tiles: TileCache<StoredTile>;
  private job: Job | undefined;
  private cancelledKey: string | undefined;
  private currentStatus: EnhanceStatus = 'off';
  private readonly live = new Set<Job>();
  private fallbackListener: ((r: FallbackRecord) => void) | undefined;
  private listenedSession: SharedSession | undefined;
  private lastProvenanceImage: string | undefined;
  private readonly unsubscribe: () => void;
  private nativeReads = 0;
  private warmed: string | undefined;
  private readonly readWaiters: Array<() => void> = [];
  private readonly deps: Required<Omit<LiveEngineDeps, 'maxNeighbours' | 'storeBytes'>> & {
    maxNeighbours: number;
  };

  constructor(
    private readonly adapter: ViewerAdapter,
    private readonly callbacks: LiveEnhanceCallbacks,
    config: Partial<LiveEnhanceConfig> = {},
    deps: LiveEngineDeps = {},
  ) {
    this.config = { ...DEFAULT_LIVE_CONFIG, ...config };
    this.deps = {
      session: deps.session ?? sharedSession,
      scheduler: deps.scheduler ?? sharedScheduler,
      cache: deps.cache ?? sharedCache,
      maxNeighbours: deps.maxNeighbours ?? 2,
    };
    this.tiles = new TileCache<StoredTile>(deps.storeBytes ?? STORE_BYTES);
    this.unsubscribe = adapter.onRender(() => this.rendered());
  }

  /** The frame shown now (undefined: none). Stored tiles of other frames are kept (stack prefetch). */
  setImage(image: LiveImage | undefined): void {
    if (image?.imageId === this.image?.imageId) return;
    this.stop();
    this.image = image;
    this.lastProvenanceImage = undefined;
  }

  /** The image the engine works on now. */
  get current(): LiveImage | undefined {
    return this.image;
  }

  /**
   * How to load the frames adapter.neighbours() names, so their cells of the current view are
   * enhanced at prefetch priority after the visible ones (undefined: no stack prefetch).
   */
  setNeighbours(loader: NeighbourLoader | undefined): void {
    this.neighbourLoader = loader;
    this.neighbourImages.clear();
  }

  /** Applies a new configuration and asks for a redraw. */
  configure(patch: Partial<LiveEnhanceConfig>): void {
    this.config = { ...this.config, ...patch };
    this.cancelledKey = undefined;
    this.adapter.requestRedraw();
  }

  /** Asks the viewer for a new render (which schedules work and draws). */
  redraw(): void {
    if (this.image) this.adapter.requestRedraw();
  }

  /** The scale of the current model. */
  get scale(): number {
    return getModel(this.config.modelId, this.config.variant).scale;
  }

  /** Pixel spacing of the enhanced image: the original's (native for an overview) divided by the model's scale. */
  get enhancedSpacing(): PixelSpacing | undefined {
    if (!this.image) return undefined;
    const s = this.scale;
    const o = this.image.spacing;
    const n = this.image.native;
    const [fx, fy] = n ? [n.scaleX, n.scaleY] : [1, 1];
    return { ...o, row: o.row / fy / s, column: o.column / fx / s };
  }

  /** Where enhancement stands now. */
  get status(): EnhanceStatus {
    return this.currentStatus;
  }

  private setStatus(s: EnhanceStatus): void {
    if (s === this.currentStatus) return;
    this.currentStatus = s;
    this.callbacks.status(s);
  }

  /** Stops the current view's tiles (shown tiles stay); a new view or setting starts again. */
  cancel(): void {
    if (!this.job) return;
    this.cancelledKey = this.job.key;
    this.stop();
    this.setStatus('cancelled');
  }

  /** Drops in-flight work (shown tiles stay). */
  stop(): void {
    for (const j of this.live) j.controller.abort();
    this.live.clear();
    this.job = undefined;
  }

  /** Stops listening to the adapter and drops in-flight work; the adapter is not disposed. */
  dispose(): void {
    this.unsubscribe();
    this.stop();
    if (this.listenedSession && this.fallbackListener)
      this.listenedSession.listeners.delete(this.fallbackListener);
  }

  /**
   * Drops everything kept for an image that will not be shown again (a closed file, a frame the
   * host unregistered): its stored tiles, bound enhancer and ranges (which hold its pixels), and
   * its model outputs in the shared cache. Without this they would stay until evicted by size.
   */
  forget(imageId: string): void {
    if (imageId === this.image?.imageId) return;
    const own = (k: string) => k.startsWith(`${imageId}|`);
    this.tiles.deleteWhere(own);
    for (const k of [...this.enhancers.keys()]) if (own(k)) this.enhancers.delete(k);
    this.ranges.delete(imageId);
    this.neighbourImages.delete(imageId);
    // the shared cache's keys start with the image id too (tileCacheKey)
    this.deps.cache.deleteWhere(own);
  }

  /** Enhanced pixels kept ready to draw: bytes and cells (bounded by `storeBytes`). */
  get stored(): { bytes: number; tiles: number } {
    return { bytes: this.tiles.bytes, tiles: this.tiles.size };
  }

  private configKey(imageId: string | undefined): string {
    const c = this.config;
    return `${imageId}|${c.modelId}|${c.variant}|${c.backend}|${c.tileSize}`;
  }

  private tileKey(imageId: string, col: number, row: number): string {
    return `${this.configKey(imageId)}|${col},${row}`;
  }

  private rangesFor(image: LiveImage): NormRange[] {
    let r = this.ranges.get(image.imageId);
    if (!r) {
      // one range per band over the whole frame, as whole-image enhancement uses (no seams)
      const stride = image.raster.samples;
      r = image.bands.map((band) => computeRange(image.modality, { stride, band }));
      this.ranges.set(image.imageId, r);
      if (this.ranges.size > MAX_BOUND_IMAGES) {
        const oldest = this.ranges.keys().next().value;
        if (oldest !== undefined && oldest !== image.imageId) this.ranges.delete(oldest);
      }
    }
    return r;
  }

  /** Whole-frame ranges indexed by raster band (shown bands: the very ranges the cells used). */
  exportRanges(): NormRange[] {
    const image = this.image;
    if (!image) return [];
    const live = this.rangesFor(image);
    const stride = image.raster.samples;
    return Array.from({ length: stride }, (_, band) => {
      const i = image.bands.indexOf(band);
      return i >= 0 ? (live[i] as NormRange) : computeRange(image.modality, { stride, band });
    });
  }

  /** The grid cells covering what the viewer shows, as one LR rect (undefined: nothing shown). */
  visibleCellsRegion(): Rect | undefined {
    const v = this.view();
    if (!v) return undefined;
    const rects = this.cells(v.region).visible.map(([c, r]) => this.cellRect(c, r));
    if (rects.length === 0) return undefined;
    const x0 = Math.min(...rects.map((r) => r.x));
    const y0 = Math.min(...rects.map((r) => r.y));
    const x1 = Math.max(...rects.map((r) => r.x + r.width));
    const y1 = Math.max(...rects.map((r) => r.y + r.height));
    return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
  }

  /** The adapter's view when it shows the current image (native px for an overview-backed one). */
  private view(): ViewState | undefined {
    const v = this.adapter.view();
    if (!v || !this.image || v.imageId !== this.image.imageId) return undefined;
    return this.image.native ? toNative(v, this.image.native) : v;
  }

  private cellRect(col: number, row: number, image = this.image as LiveImage): Rect {
    const { width, height } = gridSize(image);
    return cellRect(col, row, this.config.tileSize, width, height);
  }

  private cells(region: Rect): { visible: Cell[]; ring: Cell[] } {
    const { width, height } = gridSize(this.image as LiveImage);
    return gridCells(region, this.config.tileSize, width, height, this.config.prefetchRing);
  }

  /** Starts (or keeps) the job for the current view; aborts the superseded ones. */
  private update(active: boolean, region: Rect): void {
    if (!active || !this.image) {
      this.stop();
      return;
    }
    const { visible, ring } = this.cells(region);
    const key = `${this.configKey(this.image.imageId)}|${visible.map((c) => c.join(',')).join(';')}|${ring.length}|${this.config.blockSize ?? 0}`;
    if (this.job?.key === key || this.cancelledKey === key) return;
    this.cancelledKey = undefined;
    const id = this.image.imageId;
    const wanted = new Set([...visible, ...ring].map(([c, r]) => this.tileKey(id, c, r)));
    const job: Job = { key, controller: new AbortController(), wanted };
    this.job = job;
    this.setStatus('enhancing');
    this.live.add(job);
    void this.run(job, this.image, visible, ring);
  }

  /** The bound per-tile enhancer of an image for the current configuration. */
  private enhancerFor(image: LiveImage, shared: SharedSession): TileEnhancer {
    const key = this.configKey(image.imageId);
    let e = this.enhancers.get(key);
    if (!e) {
      const c = this.config;
      const { raster } = image;
      e = bindTileEnhancer({
        values: image.modality,
        width: raster.width,
        height: raster.height,
        samples: raster.samples,
        frame: image.frame,
        imageId: image.imageId,
        modelId: c.modelId,
        variant: c.variant,
        bands: image.bands,
        ranges: this.rangesFor(image),
        session: shared.session,
        scheduler: this.deps.scheduler,
        cache: this.deps.cache,
      });
      this.enhancers.set(key, e);
      if (this.enhancers.size > MAX_BOUND_IMAGES) {
        const oldest = this.enhancers.keys().next().value;
        if (oldest !== undefined && oldest !== key) this.enhancers.delete(oldest);
      }
    }
    return e;
  }

  /** Block side in whole cells: config.blockSize shrunk to the device's limits (WebGPU buffers). */
  private async blockCells(shared: SharedSession): Promise<number> {
    const T = this.config.tileSize;
    const want = this.config.blockSize ?? 0;
    if (want <= T) return 1;
    const entry = getModel(this.config.modelId, this.config.variant);
    const limits = await deviceTileLimits(shared.session);
    const fit = limits ? maxTileForLimits(limits, entry.scale, haloFor(entry)) : Infinity;
    return Math.max(1, Math.floor(Math.min(want, fit) / T));
  }

  /**
   * Groups the missing cells into blocks: cells of one aligned group of b x b cells form one block
   * (their bounding box, so it may include a stored cell: recomputed, never redrawn differently),
   * blocks ordered by their nearest cell's rank in `cells` (centre first).
   */
  private blocks(image: LiveImage, cells: Cell[], b: number, priority: Priority): Block[] {
    const groups = new Map<string, Cell[]>();
    for (const cell of cells) {
      const g = `${Math.floor(cell[0] / b)},${Math.floor(cell[1] / b)}`;
      const list = groups.get(g) ?? [];
      list.push(cell);
      groups.set(g, list);
    }
    return [...groups.values()].map((group) => {
      const rects = group.map(([c, r]) => this.cellRect(c, r, image));
      const x0 = Math.min(...rects.map((r) => r.x));
      const y0 = Math.min(...rects.map((r) => r.y));
      const x1 = Math.max(...rects.map((r) => r.x + r.width));
      const y1 = Math.max(...rects.map((r) => r.y + r.height));
      const T = this.config.tileSize;
      const cellsIn: Cell[] = [];
      for (let r = y0 / T; r * T < y1; r++) for (let c = x0 / T; c * T < x1; c++) cellsIn.push([c, r]);
      return { image, cells: cellsIn, rect: { x: x0, y: y0, width: x1 - x0, height: y1 - y0 }, priority };
    });
  }

  private async run(job: Job, image: LiveImage, visible: Cell[], ring: Cell[]): Promise<void> {
    const c = this.config;
    let shared: SharedSession;
    let b: number;
    try {
      shared = await this.deps.session(c.modelId, c.variant, c.backend);
      b = await this.blockCells(shared);
    } catch (e) {
      this.live.delete(job);
      const err = e as { code?: string; message?: string };
      this.callbacks.error({ code: err.code ?? 'SESSION_FAILED', message: err.message ?? String(e) });
      return;
    }
    if (this.job !== job) {
      this.live.delete(job); // superseded before submitting: the newer job aborts the older ones
      return;
    }
    this.listenFallbacks(shared);
    const signal = job.controller.signal;
    const missing = (img: LiveImage, cells: Cell[]) =>
      cells.filter(([col, row]) => !this.tiles.has(this.tileKey(img.imageId, col, row)));
    const blocks = [
      ...this.blocks(image, missing(image, visible), b, 'visible'),
      ...this.blocks(image, missing(image, ring), b, 'prefetch'),
    ];
    let done = 0;
    const total = blocks.reduce((n, bl) => n + bl.cells.length, 0);
    const requests = blocks.map((block) =>
      this.enhanceBlock(block, shared, signal).then(
        (stored) => {
          if (signal.aborted) return;
          done += stored;
          this.callbacks.progress({ done, total, backend: shared.session.backend });
        },
        (e: unknown) => this.failed(e, signal, block),
      ),
    );
    // every block joined the scheduler synchronously: the superseded views' work can go now
    for (const j of this.live) {
      if (j === job) continue;
      j.controller.abort();
      this.live.delete(j);
    }
    void this.prefetchNeighbours(job, shared, visible, b);
    await Promise.all(requests);
    if (signal.aborted || this.job !== job) return;
    this.setStatus('done');
    // provenance when something new was enhanced, or when this frame's tiles came from a prefetch
    if (total > 0 || this.lastProvenanceImage !== image.imageId) {
      const p = this.provenance();
      if (p.tiles.length > 0) {
        this.lastProvenanceImage = image.imageId;
        this.callbacks.provenance(p);
      }
    }
  }

  private failed(e: unknown, signal: AbortSignal, block: Block): void {
    if (isAborted(e) || signal.aborted) {
      for (const [col, row] of block.cells)
        if (!this.job?.wanted.has(this.tileKey(block.image.imageId, col, row))) this.stats.aborted++;
      return;
    }
    const err = e as { code?: string; message?: string };
    this.callbacks.error({ code: err.code ?? 'TILE_FAILED', message: err.message ?? String(e) });
  }

  /** The current view's cells of the neighbouring frames, at prefetch priority, after the visible ones. */
  private async prefetchNeighbours(
    job: Job,
    shared: SharedSession,
    visible: Cell[],
    b: number,
  ): Promise<void> {
    const loader = this.neighbourLoader;
    const ids = (this.adapter.neighbours?.() ?? []).slice(0, this.deps.maxNeighbours);
    if (!loader || ids.length === 0 || visible.length === 0) return;
    const signal = job.controller.signal;
    for (const id of ids) {
      let p = this.neighbourImages.get(id);
      if (!p) {
        p = loader(id);
        p.catch(() => this.neighbourImages.delete(id));
        this.neighbourImages.set(id, p);
        // keep the few nearest frames only
        if (this.neighbourImages.size > 2 * this.deps.maxNeighbours + 2) {
          const oldest = this.neighbourImages.keys().next().value;
          if (oldest !== undefined) this.neighbourImages.delete(oldest);
        }
      }
      let img: LiveImage;
      try {
        img = await p;
      } catch {
        continue; // a frame that does not load is simply not prefetched
      }
      if (signal.aborted || this.job !== job) return;
      const T = this.config.tileSize;
      const size = gridSize(img);
      const cells = visible.filter(
        ([col, row]) =>
          col * T < size.width &&
          row * T < size.height &&
          !this.tiles.has(this.tileKey(img.imageId, col, row)),
      );
      for (const block of this.blocks(img, cells, b, 'prefetch'))
        void this.enhanceBlock(block, shared, signal).catch((e: unknown) => this.failed(e, signal, block));
    }
  }

  /**
   * An overview-backed block: reads its native window + halo (only the file's tiles under it) and
   * enhances it through a TileEnhancer bound to that window with the overview's ranges; the result
   * and the values around it are returned in native px. The window's id keys cache and scheduler,
   * so two views wanting the same block share one run.
   */
  private async enhanceNative(
    block: Block,
    native: NativeSource,
    shared: SharedSession,
    signal: AbortSignal,
  ): Promise<{
    result: EnhancedTile;
    enhancer: TileEnhancer;
    frame: { data: Float32Array; width: number; samples: number; x: number; y: number };
  }> {
    const { image } = block;
    const c = this.config;
    const entry = getModel(c.modelId, c.variant);
    const win = growRect(block.rect, haloFor(entry), native.width, native.height);
    const values = await this.inReadSlot(signal, () => native.readWindow(win, signal));
    const samples = image.raster.samples;
    if (values.length !== win.width * win.height * samples)
      throw new PipelineError(
        'INVALID_REQUEST',
        `native window ${win.width}x${win.height} read ${values.length} samples, not ${win.width * win.height * samples}`,
      );
    const enhancer = bindTileEnhancer({
      values,
      width: win.width,
      height: win.height,
      samples,
      frame: image.frame,
      imageId: `${image.imageId}@native:${win.x},${win.y},${win.width}x${win.height}`,
      modelId: c.modelId,
      variant: c.variant,
      bands: image.bands,
      ranges: this.rangesFor(image),
      session: shared.session,
      scheduler: this.deps.scheduler,
      cache: this.deps.cache,
    });
    const local = { ...block.rect, x: block.rect.x - win.x, y: block.rect.y - win.y };
    const r = await enhancer.enhanceTile(local, { priority: block.priority, signal });
    const shift = (q: Rect): Rect => ({ ...q, x: q.x + win.x, y: q.y + win.y });
    return {
      result: { ...r, rect: shift(r.rect), input: shift(r.input) },
      enhancer,
      frame: { data: values, width: win.width, samples, x: win.x, y: win.y },
    };
  }

  /**
   * Enhancement is on but the view is zoomed out: create the session now (model fetch, hash check,
   * backend start take seconds on WASM), so the first tile after zooming in waits for inference only.
   * A failure is reported when a tile needs the session.
   */
  private warmSession(): void {
    const c = this.config;
    const key = `${c.modelId}|${c.variant}|${c.backend}`;
    if (this.warmed === key) return;
    this.warmed = key;
    void this.deps.session(c.modelId, c.variant, c.backend).catch(() => undefined);
  }

  /** Runs `read` when one of MAX_NATIVE_READS slots is free (FIFO); ABORTED if `signal` fired meanwhile. */
  private async inReadSlot<T>(signal: AbortSignal, read: () => Promise<T>): Promise<T> {
    if (this.nativeReads >= MAX_NATIVE_READS) await new Promise<void>((r) => this.readWaiters.push(r));
    else this.nativeReads++;
    try {
      if (signal.aborted) throw new PipelineError('ABORTED', 'the view moved on');
      const out = await read();
      if (signal.aborted) throw new PipelineError('ABORTED', 'the view moved on');
      return out;
    } finally {
      // hand the slot straight to the next waiter (the count stays), else free it
      const next = this.readWaiters.shift();
      if (next) next();
      else this.nativeReads--;
    }
  }

  /** Enhances one block and stores its cells; resolves with the number of cells stored. */
  private async enhanceBlock(block: Block, shared: SharedSession, signal: AbortSignal): Promise<number> {
    const { image } = block;
    const t0 = performance.now();
    let result: EnhancedTile;
    let enhancer: TileEnhancer;
    // the values the consistency check compares with, and where they start (native window or frame)
    let frame: { data: ArrayLike<number>; width: number; samples: number; x: number; y: number };
    if (image.native) {
      ({ result, enhancer, frame } = await this.enhanceNative(block, image.native, shared, signal));
    } else {
      enhancer = this.enhancerFor(image, shared);
      result = await enhancer.enhanceTile(block.rect, { priority: block.priority, signal });
      frame = { data: image.modality, width: image.raster.width, samples: image.raster.samples, x: 0, y: 0 };
    }
    const requestMs = performance.now() - t0;
    if (signal.aborted) return 0;
    if (result.inferences > 0) {
      this.stats.inferences = (this.stats.inferences ?? 0) + result.inferences;
      this.stats.computedPx = (this.stats.computedPx ?? 0) + result.input.width * result.input.height;
      this.stats.shownPx = (this.stats.shownPx ?? 0) + block.rect.width * block.rect.height;
    }
    const ranges = enhancer.ranges;
    const backend: BackendId | 'cache' = result.backends[0] ?? shared.session.backend;
    let stored = 0;
    for (const [col, row] of block.cells) {
      const key = this.tileKey(image.imageId, col, row);
      const rect = this.cellRect(col, row, image);
      const pixels = sliceTile(result, rect);
      const local = { ...rect, x: rect.x - frame.x, y: rect.y - frame.y };
      const worst = tileConsistencyPsnr(
        frame,
        local,
        image.bands,
        { ...pixels, scale: result.scale },
        ranges,
      );
      const info: LiveTileInfo = {
        col,
        row,
        rect,
        backend,
        ms: result.inferenceMs / block.cells.length,
        requestMs,
        consistencyPsnr: worst,
        flagged: worst < this.config.consistencyThresholdDb,
      };
      const wanted = this.job?.wanted;
      this.tiles.set(
        key,
        { ...info, imageId: image.imageId, pixels, byteLength: pixels.data.byteLength },
        wanted && ((k) => wanted.has(k)),
      );
      stored++;
      this.stats.completed++;
      if (image === this.image) this.callbacks.tile(info);
    }
    if (image === this.image) this.adapter.requestRedraw();
    return stored;
  }

  private listenFallbacks(shared: SharedSession): void {
    if (this.listenedSession === shared) return;
    if (this.listenedSession && this.fallbackListener)
      this.listenedSession.listeners.delete(this.fallbackListener);
    const l = (r: FallbackRecord) => this.callbacks.fallback(r);
    this.fallbackListener = l;
    this.listenedSession = shared;
    shared.listeners.add(l);
    for (const r of shared.records) l(r); // e.g. 'auto' without WebGPU: reported at creation
  }

  /** A stored tile as events report it; `flagged` follows the current threshold. */
  private describe(t: StoredTile): LiveTileInfo {
    const { col, row, rect, backend, ms, requestMs, consistencyPsnr } = t;
    const flagged = consistencyPsnr < this.config.consistencyThresholdDb;
    return { col, row, rect, backend, ms, requestMs, consistencyPsnr, flagged };
  }

  /** Provenance of the tiles stored for the current frame and configuration. */
  provenance(): ViewerProvenance {
    const image = this.image;
    if (!image) throw new PipelineError('INVALID_REQUEST', 'no image is shown');
    const c = this.config;
    const entry = getModel(c.modelId, c.variant);
    const prefix = `${this.configKey(image.imageId)}|`;
    const tiles = [...this.tiles.entries()].filter(([k]) => k.startsWith(prefix)).map(([, t]) => t);
    const backends: Partial<Record<BackendId | 'cache', number>> = {};
    for (const t of tiles) backends[t.backend] = (backends[t.backend] ?? 0) + 1;
    const x0 = Math.min(...tiles.map((t) => t.rect.x));
    const y0 = Math.min(...tiles.map((t) => t.rect.y));
    const x1 = Math.max(...tiles.map((t) => t.rect.x + t.rect.width));
    const y1 = Math.max(...tiles.map((t) => t.rect.y + t.rect.height));
    const ranges = this.rangesFor(image);
    return {
      aiEnhanced: true,
      imageId: image.imageId,
      frame: image.frame,
      modelId: entry.id,
      variant: entry.variant,
      modelKey: entry.key,
      modelVersion: modelVersionOf(entry),
      sha256: entry.sha256,
      perceptual: entry.perceptual,
      scale: entry.scale,
      backends,
      fallbacks: [...(this.listenedSession?.records ?? [])],
      normalization: image.bands.map((band, i) => {
        const r = ranges[i] as NormRange;
        return {
          band,
          lo: r.lo,
          hi: r.hi,
          constant: r.constant,
          count: r.count,
          source: 'provided' as const,
          ...(r.outside !== undefined ? { outside: r.outside } : {}),
        };
      }),
      tile: { size: c.tileSize, halo: haloFor(entry) },
      region: tiles.length
        ? { x: x0, y: y0, width: x1 - x0, height: y1 - y0 }
        : { x: 0, y: 0, width: 0, height: 0 },
      tiles: tiles.map((t) => this.describe(t)),
      spacing: this.enhancedSpacing as PixelSpacing,
      consistencyThresholdDb: c.consistencyThresholdDb,
      tilesrVersion: TILESR_VERSION,
      createdAt: new Date().toISOString(),
      ...(image.native
        ? {
            source: {
              resolution: 'native' as const,
              width: image.native.width,
              height: image.native.height,
              overviewScale: { x: image.native.scaleX, y: image.native.scaleY },
            },
          }
        : {}),
    };
  }

  /** The stored enhanced pixels of a cell of the current image and configuration (tests, diagnostics). */
  tilePixels(col: number, row: number): DrawTile['pixels'] | undefined {
    return this.image && this.tiles.get(this.tileKey(this.image.imageId, col, row))?.pixels;
  }

  /** The render listener: schedule work, hand the visible tiles and the label to the adapter. */
  private rendered(): void {
    this.stats.renders++;
    this.lastDrawn = [];
    this.lastWatermark = undefined;
    const v = this.view();
    if (!v) return;
    this.paint(v);
    this.callbacks.rendered(this.lastDrawn, this.lastWatermark);
  }

  private paint(v: ViewState): void {
    const active = this.config.enabled && (this.config.anyZoom || v.zoom >= 1);
    this.update(active, v.region);
    if (!active) {
      this.setStatus(this.config.enabled ? 'zoom-in' : 'off');
      if (this.config.enabled) this.warmSession();
      return;
    }
    const tiles = this.visibleTiles(v.region);
    if (tiles.length === 0) return;
    // the label is made before any enhanced pixel lands; the adapter draws it even if a tile fails
    const entry = getModel(this.config.modelId, this.config.variant);
    const label = watermarkLabel(entry.id, entry.scale, entry.perceptual);
    const drawn = tiles.map((t) => this.describe(t));
    const native = (this.image as LiveImage).native;
    const result = this.adapter.draw(
      tiles.map((t, i) => ({
        col: t.col,
        row: t.row,
        // adapters draw in the shown image's px: a native cell covers 1/scale of an overview px per px
        rect: native ? toShown(t.rect, native) : t.rect,
        pixels: t.pixels,
        flagged: (drawn[i] as LiveTileInfo).flagged,
      })),
      label,
    );
    this.lastWatermark = result.watermark;
    this.lastDrawn = drawn;
    this.stats.enhancedRenders++;
  }

  private visibleTiles(region: Rect): StoredTile[] {
    const out: StoredTile[] = [];
    const image = this.image as LiveImage;
    const T = this.config.tileSize;
    if (region.width <= 0 || region.height <= 0) return out;
    for (let r = Math.floor(region.y / T); r * T < region.y + region.height; r++)
      for (let c = Math.floor(region.x / T); c * T < region.x + region.width; c++) {
        const t = this.tiles.get(this.tileKey(image.imageId, c, r));
        if (t) out.push(t);
      }
    return out;
  }
}
