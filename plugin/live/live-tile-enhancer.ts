/**
 * The viewer-agnostic live engine: it drives one ViewerAdapter (plugin/live/adapter.ts). When
 * enhancement is on and the view is zoomed in (>= 1 screen px per image px, or any zoom when
 * forced), the visible region is cut into a fixed grid of LR cells (reused across pans), and the
 * missing cells go through the per-tile service (plugin/pipeline/tile-service.ts) on the shared
 * session, scheduler and cache:
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
import type { NormRange } from '../../models/normalize.ts';
import { errorCode, isAborted } from '../../core/errors.ts';
import { getModel } from '../../models/registry.ts';
import { PipelineError } from '../pipeline/errors.ts';
import type { Rect } from '../pipeline/tiler.ts';
import { watermarkLabel, type WatermarkBox } from '../watermark/viewport.ts';
import type { DrawTile, ViewerAdapter, ViewState } from './adapter.ts';
import { BlockRunner } from './block-runner.ts';
import { groupBlocks, type Block, type BlockPlan } from './blocks.ts';
import { DEFAULT_LIVE_CONFIG, type LiveEngineDeps } from './config.ts';
import { FallbackRelay } from './fallbacks.ts';
import { boundingRect, cellRect, gridCells, type Cell } from './grid.ts';
import { enhancedSpacing, gridSize, toNative, toShown } from './native.ts';
import { NeighbourFrames, type NeighbourLoader } from './neighbours.ts';
import { viewerProvenance } from './provenance.ts';
import { ImageRanges } from './ranges.ts';
import { sharedCache, sharedScheduler, sharedSession, type SharedSession } from './sessions.ts';
import { describeTile, STORE_BYTES, TileStore, type StoredTile } from './tile-store.ts';
import type {
  EnhanceStatus,
  LiveEnhanceCallbacks,
  LiveEnhanceConfig,
  LiveEnhanceStats,
  LiveImage,
  LiveTileInfo,
  PixelSpacing,
  ViewerProvenance,
} from './types.ts';

export type * from './types.ts';
export type { NeighbourLoader } from './neighbours.ts';
export { DEFAULT_LIVE_CONFIG, type LiveEngineDeps } from './config.ts';
/** The message of any thrown value (worker errors arrive as plain objects). */
const messageOf = (e: unknown): string => (e as { message?: string } | undefined)?.message ?? String(e);
interface Job {
  key: string;
  controller: AbortController;
  wanted: Set<string>;
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
  private readonly neighbours: NeighbourFrames;
  private readonly ranges = new ImageRanges();
  private readonly runner: BlockRunner;
  private readonly tiles: TileStore;
  private job: Job | undefined;
  private cancelledKey: string | undefined;
  private currentStatus: EnhanceStatus = 'off';
  private readonly live = new Set<Job>();
  private readonly fallbacks: FallbackRelay;
  private lastProvenanceImage: string | undefined;
  private readonly unsubscribe: () => void;
  private warmed: string | undefined;
  private readonly deps: Required<Omit<LiveEngineDeps, 'maxNeighbours' | 'storeBytes'>>;

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
    };
    this.neighbours = new NeighbourFrames(deps.maxNeighbours ?? 2);
    this.tiles = new TileStore(deps.storeBytes ?? STORE_BYTES);
    this.runner = new BlockRunner(this.deps, this.ranges);
    this.fallbacks = new FallbackRelay((r) => this.callbacks.fallback(r));
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
    this.neighbours.setLoader(loader);
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
    return this.image && enhancedSpacing(this.image, this.scale);
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
    this.fallbacks.stop();
  }

  /**
   * Drops everything kept for an image that will not be shown again (a closed file, a frame the
   * host unregistered): its stored tiles, bound enhancers and ranges (which hold its pixels), and
   * its model outputs in the shared cache. Without this they would stay until evicted by size.
   */
  forget(imageId: string): void {
    if (imageId === this.image?.imageId) return;
    const own = (k: string) => k.startsWith(`${imageId}|`);
    this.tiles.deleteWhere(own);
    this.runner.forget(imageId);
    this.ranges.forget(imageId);
    this.neighbours.forget(imageId);
    // the shared cache's keys start with the image id too (tileCacheKey)
    this.deps.cache.deleteWhere(own);
  }

  /** Enhanced pixels kept ready to draw: bytes and cells (bounded by `storeBytes`). */
  get stored(): { bytes: number; tiles: number } {
    return { bytes: this.tiles.bytes, tiles: this.tiles.size };
  }

  /** The store's scope of an image under the current configuration. */
  private scope(imageId: string | undefined): string {
    const c = this.config;
    return `${imageId}|${c.modelId}|${c.variant}|${c.backend}|${c.tileSize}|${c.colorPath}`;
  }

  private tileKey(imageId: string, col: number, row: number): string {
    return TileStore.key(this.scope(imageId), col, row);
  }

  /** Whole-frame ranges indexed by raster band (shown bands: the very ranges the cells used). */
  exportRanges(): NormRange[] {
    return this.image ? this.ranges.byBand(this.image) : [];
  }

  /** The grid cells covering what the viewer shows, as one LR rect (undefined: nothing shown). */
  visibleCellsRegion(): Rect | undefined {
    const v = this.view();
    if (!v) return undefined;
    return boundingRect(this.cells(v.region).visible.map(([c, r]) => this.cellRect(c, r)));
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
    const key = `${this.scope(this.image.imageId)}|${visible.map((c) => c.join(',')).join(';')}|${ring.length}|${this.config.blockSize ?? 0}|${this.config.allowDomainMismatch}|${this.config.allowDerived}`;
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

  private async run(job: Job, image: LiveImage, visible: Cell[], ring: Cell[]): Promise<void> {
    const c = this.config;
    let shared: SharedSession;
    let plan: BlockPlan;
    try {
      this.runner.checkDomain(image, c);
      shared = await this.deps.session(c.modelId, c.variant, c.backend);
      plan = await this.runner.blockPlan(shared, c);
    } catch (e) {
      this.live.delete(job);
      this.callbacks.error({ code: errorCode(e) ?? 'SESSION_FAILED', message: messageOf(e) });
      if (this.job === job) this.setStatus('error');
      return;
    }
    if (this.job !== job) {
      this.live.delete(job); // superseded before submitting: the newer job aborts the older ones
      return;
    }
    this.fallbacks.listen(shared);
    const signal = job.controller.signal;
    const scope = this.scope(image.imageId);
    const missing = (cells: Cell[]) => cells.filter(([col, row]) => !this.tiles.has(scope, col, row));
    const blocks = [
      ...groupBlocks(image, missing(visible), plan, 'visible', true),
      ...groupBlocks(image, missing(ring), plan, 'prefetch'),
    ];
    let done = 0;
    const total = blocks.reduce((n, bl) => n + bl.cells.length, 0);
    // this view's count from its start (0 / 0 when all is stored): no stale count of a superseded view
    this.callbacks.progress({ done, total, backend: shared.session.backend });
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
    void this.prefetchNeighbours(job, shared, visible, plan);
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
    this.callbacks.error({ code: errorCode(e) ?? 'TILE_FAILED', message: messageOf(e) });
  }

  /** The current view's cells of the neighbouring frames, at prefetch priority, after the visible ones. */
  private async prefetchNeighbours(
    job: Job,
    shared: SharedSession,
    visible: Cell[],
    plan: BlockPlan,
  ): Promise<void> {
    const ids = (this.adapter.neighbours?.() ?? []).slice(0, this.neighbours.max);
    if (!this.neighbours.enabled || ids.length === 0 || visible.length === 0) return;
    const signal = job.controller.signal;
    for (const id of ids) {
      const img = await this.neighbours.load(id);
      if (signal.aborted || this.job !== job) return;
      if (!img) continue; // a frame that does not load is simply not prefetched
      const T = this.config.tileSize;
      const size = gridSize(img);
      const scope = this.scope(img.imageId);
      const cells = visible.filter(
        ([col, row]) => col * T < size.width && row * T < size.height && !this.tiles.has(scope, col, row),
      );
      for (const block of groupBlocks(img, cells, plan, 'prefetch'))
        void this.enhanceBlock(block, shared, signal).catch((e: unknown) => this.failed(e, signal, block));
    }
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

  /** Enhances one block through the tile service and stores its cells; resolves with the number stored. */
  private async enhanceBlock(block: Block, shared: SharedSession, signal: AbortSignal): Promise<number> {
    const { image } = block;
    const cells = block.cells.map(([col, row]) => this.cellRect(col, row, image));
    const served = await this.runner.enhance(block, cells, shared, this.config, signal);
    if (signal.aborted) return 0;
    if (served.inferences > 0) {
      this.stats.inferences = (this.stats.inferences ?? 0) + served.inferences;
      this.stats.computedPx = (this.stats.computedPx ?? 0) + served.input.width * served.input.height;
      const shown = served.cells.reduce((n, { rect }) => n + rect.width * rect.height, 0);
      this.stats.shownPx = (this.stats.shownPx ?? 0) + shown;
    }
    const scope = this.scope(image.imageId);
    const wanted = this.job?.wanted;
    served.cells.forEach((cell, i) => {
      const [col, row] = block.cells[i] as Cell;
      const info: LiveTileInfo = {
        col,
        row,
        rect: cell.rect,
        backend: served.backend,
        ms: served.inferenceMs / block.cells.length,
        requestMs: served.requestMs,
        consistencyPsnr: cell.consistencyPsnr,
        flagged: cell.consistencyPsnr < this.config.consistencyThresholdDb,
      };
      const stored: StoredTile = {
        ...info,
        imageId: image.imageId,
        pixels: cell.pixels,
        byteLength: cell.pixels.data.byteLength,
      };
      this.tiles.set(scope, stored, wanted && ((k) => wanted.has(k)));
      this.stats.completed++;
      if (image === this.image) this.callbacks.tile(info);
    });
    if (image === this.image) this.adapter.requestRedraw();
    return served.cells.length;
  }

  /** Provenance of the tiles stored for the current frame and configuration. */
  provenance(): ViewerProvenance {
    const image = this.image;
    if (!image) throw new PipelineError('INVALID_REQUEST', 'no image is shown');
    const c = this.config;
    const n = image.native;
    return viewerProvenance(getModel(c.modelId, c.variant), {
      imageId: image.imageId,
      frame: image.frame,
      bands: image.bands,
      ranges: this.ranges.of(image),
      tiles: this.tiles
        .all(this.scope(image.imageId))
        .map((t) => describeTile(t, this.config.consistencyThresholdDb)),
      fallbacks: this.fallbacks.records,
      tileSize: c.tileSize,
      spacing: this.enhancedSpacing as PixelSpacing,
      consistencyThresholdDb: c.consistencyThresholdDb,
      format: image.raster.info.format,
      derivedFrom: image.raster.info.enhancement,
      colorPath: c.colorPath,
      ...(n
        ? {
            source: {
              resolution: 'native' as const,
              width: n.width,
              height: n.height,
              overviewScale: { x: n.scaleX, y: n.scaleY },
            },
          }
        : {}),
    });
  }

  /** The stored enhanced pixels of a cell of the current image and configuration (tests, diagnostics). */
  tilePixels(col: number, row: number): DrawTile['pixels'] | undefined {
    return this.image && this.tiles.get(this.scope(this.image.imageId), col, row)?.pixels;
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
    const image = this.image as LiveImage;
    const scope = this.scope(image.imageId);
    const tiles = this.tiles.inRegion(scope, v.region, this.config.tileSize);
    if (tiles.length === 0) return;
    const complete = () => this.cells(v.region).visible.every(([c, r]) => this.tiles.has(scope, c, r));
    if (this.config.reveal === 'complete' && !complete()) return;
    // the label is made before any enhanced pixel lands; the adapter draws it even if a tile fails
    const entry = getModel(this.config.modelId, this.config.variant);
    const label = watermarkLabel(entry.id, entry.scale, entry.perceptual);
    const drawn = tiles.map((t) => describeTile(t, this.config.consistencyThresholdDb));
    const native = image.native;
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
      { corner: this.config.markCorner ?? 'bottom-right', zoom: v.zoom },
    );
    this.lastWatermark = result.watermark;
    this.lastDrawn = drawn;
    this.stats.enhancedRenders++;
  }
}
