/**
 * Live per-tile enhancement of what a cornerstone viewport shows. When enhancement is on and the
 * view is zoomed in (>= 1 screen px per image px, or any zoom when forced), the visible image region
 * is cut into a fixed grid of LR cells (so cells are reused across pans), each enhanced through
 * plugin/pipeline's enhanceRaster on the shared session, scheduler and cache: visible cells first
 * (nearest the centre first), then a prefetch ring. A new viewport state submits its cells before
 * aborting the previous state's, so tiles wanted by both keep running while the rest are dropped.
 *
 * Enhanced tiles keep real units; every `cornerstoneimagerendered` draws them over cornerstone's
 * rendering with the CURRENT VOI through the viewport's pixel transform, then the watermark and the
 * outline of the enhanced region (plugin/viewer/watermark.ts). There is no switch for the watermark:
 * whenever a tile is drawn, it is drawn.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { BackendId, FallbackRecord } from '../../models/backend/types.ts';
import { computeRange, type NormRange } from '../../models/normalize.ts';
import { getModel } from '../../models/registry.ts';
import { DEFAULT_HALO_MARGIN, type EnhanceResult } from '../pipeline/enhance.ts';
import { PipelineError } from '../pipeline/errors.ts';
import { TILESR_VERSION } from '../pipeline/provenance.ts';
import type { Rect } from '../pipeline/tiler.ts';
import type { Cornerstone, ImageRenderedDetail, Point, Viewport } from './cornerstone.ts';
import { enhanceCell } from './cell.ts';
import { cellRect, gridCells, regionOf, type Cell } from './grid.ts';
import type { LoadedRaster, PixelSpacing } from './loader.ts';
import { sharedCache, sharedScheduler, sharedSession, type SharedSession } from './sessions.ts';
import { tileConsistencyPsnr } from './tile-check.ts';
import { TileCanvas } from './tile-render.ts';
import {
  drawWatermark,
  outlineTiles,
  watermarkLabel,
  type OutlineTile,
  type WatermarkBox,
} from './watermark.ts';

import type {
  EnhanceStatus,
  LiveEnhanceCallbacks,
  LiveEnhanceConfig,
  LiveEnhanceStats,
  LiveTileInfo,
  ViewerProvenance,
} from './live-types.ts';

export type {
  EnhanceStatus,
  LiveEnhanceCallbacks,
  LiveEnhanceConfig,
  LiveEnhanceStats,
  LiveTileInfo,
  ViewerProvenance,
} from './live-types.ts';

interface StoredTile extends LiveTileInfo {
  pixels: TileCanvas;
  result: EnhanceResult;
}

interface Job {
  key: string;
  controller: AbortController;
  wanted: Set<string>;
}

const MAX_STORED_TILES = 512;

/** PipelineError and ModelError both say ABORTED when a signal fired. */
function isAborted(e: unknown): boolean {
  return (e instanceof PipelineError ? e.code : (e as { code?: string } | undefined)?.code) === 'ABORTED';
}

/** The live-enhancement controller of one viewer element. */
export class LiveEnhanceController implements ReactiveController {
  config: LiveEnhanceConfig = {
    enabled: false,
    modelId: 'medical-x2',
    variant: 'fidelity',
    backend: 'auto',
    anyZoom: false,
    tileSize: 64,
    prefetchRing: 1,
    consistencyThresholdDb: 35,
    splitX: 0,
  };
  readonly stats: LiveEnhanceStats = { aborted: 0, completed: 0, renders: 0, enhancedRenders: 0 };
  /** Tiles drawn on the latest render (empty when none). */
  lastDrawn: LiveTileInfo[] = [];
  /** The watermark of the latest render, undefined when no enhanced pixel was shown. */
  lastWatermark: WatermarkBox | undefined;

  private cs: Cornerstone | undefined;
  private element: HTMLElement | undefined;
  private loaded: LoadedRaster | undefined;
  private ranges = new Map<string, NormRange[]>();
  private tiles = new Map<string, StoredTile>();
  private job: Job | undefined;
  private cancelledKey: string | undefined;
  private currentStatus: EnhanceStatus = 'off';
  private live = new Set<Job>();
  private fallbackListener: ((r: FallbackRecord) => void) | undefined;
  private listenedSession: SharedSession | undefined;
  private readonly onRendered = (e: Event) => this.rendered((e as CustomEvent<ImageRenderedDetail>).detail);

  constructor(
    host: ReactiveControllerHost,
    private readonly callbacks: LiveEnhanceCallbacks,
  ) {
    host.addController(this);
  }

  /** Follows renders of a cornerstone enabled element. */
  attach(cs: Cornerstone, element: HTMLElement): void {
    this.detach();
    this.cs = cs;
    this.element = element;
    element.addEventListener('cornerstoneimagerendered', this.onRendered);
  }

  /** Stops following the element and drops in-flight work. */
  detach(): void {
    this.element?.removeEventListener('cornerstoneimagerendered', this.onRendered);
    this.element = undefined;
    this.stop();
  }

  /** The image shown now (undefined: none); tiles of another image are forgotten. */
  setImage(loaded: LoadedRaster | undefined): void {
    if (loaded?.imageId === this.loaded?.imageId) return;
    this.stop();
    this.tiles.clear();
    if (this.loaded) this.ranges.delete(this.loaded.imageId);
    this.loaded = loaded;
  }

  /** Applies a new configuration and redraws. */
  configure(patch: Partial<LiveEnhanceConfig>): void {
    this.config = { ...this.config, ...patch };
    this.cancelledKey = undefined;
    this.redraw();
  }

  /** The scale of the current model. */
  get scale(): number {
    return getModel(this.config.modelId, this.config.variant).scale;
  }

  /** Pixel spacing of the enhanced image: the original's divided by the model's scale. */
  get enhancedSpacing(): PixelSpacing | undefined {
    if (!this.loaded) return undefined;
    const s = this.scale;
    const o = this.loaded.spacing;
    return { ...o, row: o.row / s, column: o.column / s };
  }

  hostConnected(): void {
    if (this.cs && this.element) this.attach(this.cs, this.element);
  }

  hostDisconnected(): void {
    this.element?.removeEventListener('cornerstoneimagerendered', this.onRendered);
    this.stop();
  }

  /** Asks cornerstone for a new render (which redraws the overlay). */
  redraw(): void {
    if (this.cs && this.element && this.loaded) {
      try {
        this.cs.updateImage(this.element);
      } catch {
        // the element is not enabled (yet): nothing is shown, nothing to redraw
      }
    }
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

  private stop(): void {
    for (const j of this.live) j.controller.abort();
    this.live.clear();
    this.job = undefined;
  }

  private configKey(): string {
    const c = this.config;
    return `${this.loaded?.imageId}|${c.modelId}|${c.variant}|${c.backend}|${c.tileSize}`;
  }

  private bands(): number[] {
    const d = this.loaded?.display;
    if (!d) return [];
    return d.kind === 'gray' ? [d.band] : [...d.bands];
  }

  private rangesFor(loaded: LoadedRaster): NormRange[] {
    let r = this.ranges.get(loaded.imageId);
    if (!r) {
      // one range per band over the whole image, as whole-image enhancement would use (no seams)
      const stride = loaded.raster.samples;
      r = this.bands().map((band) => computeRange(loaded.modality, { stride, band }));
      this.ranges.set(loaded.imageId, r);
    }
    return r;
  }

  /**
   * Whole-image normalization ranges indexed by raster band, as live cells use them: the shown bands'
   * ranges are the very ones the cells were normalized with; other bands get the same computation.
   */
  exportRanges(): NormRange[] {
    const loaded = this.loaded;
    if (!loaded) return [];
    const shown = this.bands();
    const live = this.rangesFor(loaded);
    const stride = loaded.raster.samples;
    return Array.from({ length: stride }, (_, band) => {
      const i = shown.indexOf(band);
      return i >= 0 ? (live[i] as NormRange) : computeRange(loaded.modality, { stride, band });
    });
  }

  /** The grid cells covering what the canvas shows, as one LR rect (undefined: nothing shown). */
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

  /** Screen px per image px (the smaller axis) and the visible LR region (clamped), or undefined. */
  private view(): { scale: number; region: Rect } | undefined {
    const cs = this.cs;
    const el = this.element;
    const loaded = this.loaded;
    if (!cs || !el || !loaded) return undefined;
    const canvas = cs.getEnabledElement(el).canvas;
    const p0 = cs.pixelToCanvas(el, { x: 0, y: 0 });
    const px = cs.pixelToCanvas(el, { x: 1, y: 0 });
    const py = cs.pixelToCanvas(el, { x: 0, y: 1 });
    const scale = Math.min(Math.hypot(px.x - p0.x, px.y - p0.y), Math.hypot(py.x - p0.x, py.y - p0.y));
    const x0c = Math.max(0, Math.min(canvas.width, this.config.splitX));
    const corners: Point[] = [
      { x: x0c, y: 0 },
      { x: canvas.width, y: 0 },
      { x: x0c, y: canvas.height },
      { x: canvas.width, y: canvas.height },
    ].map((c) => cs.canvasToPixel(el, c));
    return { scale, region: regionOf(corners, loaded.raster.width, loaded.raster.height) };
  }

  private cellRect(col: number, row: number): Rect {
    const { width, height } = (this.loaded as LoadedRaster).raster;
    return cellRect(col, row, this.config.tileSize, width, height);
  }

  private cells(region: Rect): { visible: Cell[]; ring: Cell[] } {
    const { width, height } = (this.loaded as LoadedRaster).raster;
    return gridCells(region, this.config.tileSize, width, height, this.config.prefetchRing);
  }

  private tileKey(col: number, row: number): string {
    return `${this.configKey()}|${col},${row}`;
  }

  /** Starts (or keeps) the job for the current viewport state; aborts the superseded ones. */
  private update(active: boolean, region: Rect): void {
    if (!active || !this.loaded) {
      this.stop();
      return;
    }
    const { visible, ring } = this.cells(region);
    const key = `${this.configKey()}|${visible.map((c) => c.join(',')).join(';')}|${ring.length}`;
    if (this.job?.key === key || this.cancelledKey === key) return;
    this.cancelledKey = undefined;
    const wanted = new Set([...visible, ...ring].map(([c, r]) => this.tileKey(c, r)));
    const job: Job = { key, controller: new AbortController(), wanted };
    this.job = job;
    this.setStatus('enhancing');
    this.live.add(job);
    void this.run(job, visible, ring);
  }

  private async run(
    job: Job,
    visible: Array<[number, number]>,
    ring: Array<[number, number]>,
  ): Promise<void> {
    const loaded = this.loaded as LoadedRaster;
    const c = this.config;
    let shared: SharedSession;
    try {
      shared = await sharedSession(c.modelId, c.variant, c.backend);
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
    const todo = [
      ...visible.map((p) => [p, 'visible'] as const),
      ...ring.map((p) => [p, 'prefetch'] as const),
    ].filter(([[col, row]]) => !this.tiles.has(this.tileKey(col, row)));
    let done = 0;
    const total = todo.length;
    const requests = todo.map(([[col, row], priority]) =>
      this.enhanceCell(loaded, shared, col, row, priority, signal).then(
        () => {
          if (signal.aborted) return;
          done++;
          this.callbacks.progress({ done, total, backend: shared.session.backend });
        },
        (e: unknown) => {
          if (isAborted(e) || signal.aborted) {
            if (!this.job?.wanted.has(this.tileKey(col, row))) this.stats.aborted++;
            return;
          }
          const err = e as { code?: string; message?: string };
          this.callbacks.error({ code: err.code ?? 'TILE_FAILED', message: err.message ?? String(e) });
        },
      ),
    );
    // enhanceRaster joins the scheduler after an await: abort older jobs only once ours have joined,
    // so a tile both states want keeps running instead of restarting
    setTimeout(() => {
      for (const j of this.live) {
        if (j === job) continue;
        j.controller.abort();
        this.live.delete(j);
      }
    }, 0);
    await Promise.all(requests);
    if (signal.aborted || this.job !== job) return;
    this.setStatus('done');
    if (total > 0) this.callbacks.provenance(this.provenance());
  }

  private async enhanceCell(
    loaded: LoadedRaster,
    shared: SharedSession,
    col: number,
    row: number,
    priority: 'visible' | 'prefetch',
    signal: AbortSignal,
  ): Promise<void> {
    const c = this.config;
    const key = this.tileKey(col, row);
    const cell = this.cellRect(col, row);
    const { raster } = loaded;
    const ranges = this.rangesFor(loaded);
    const t0 = performance.now();
    const result = await enhanceCell(raster, cell, {
      modelId: c.modelId,
      variant: c.variant,
      bands: this.bands(),
      session: shared.session,
      scheduler: sharedScheduler,
      cache: sharedCache,
      priority,
      ranges,
      imageId: `${loaded.imageId}@${cell.x},${cell.y}`,
      signal,
    });
    const requestMs = performance.now() - t0;
    const ms = result.provenance.timings.inferenceMs;
    const worst = tileConsistencyPsnr(
      { data: loaded.modality, width: raster.width, samples: raster.samples },
      cell,
      this.bands(),
      result,
      ranges,
    );
    const backends = Object.keys(result.provenance.backends) as Array<BackendId | 'cache'>;
    const info: LiveTileInfo = {
      col,
      row,
      rect: cell,
      backend: backends[0] ?? shared.session.backend,
      ms,
      requestMs,
      consistencyPsnr: worst,
      flagged: worst < c.consistencyThresholdDb,
    };
    if (signal.aborted || loaded !== this.loaded) return;
    this.tiles.set(key, { ...info, result, pixels: new TileCanvas(result) });
    if (this.tiles.size > MAX_STORED_TILES) {
      const oldest = this.tiles.keys().next().value;
      if (oldest !== undefined) this.tiles.delete(oldest);
    }
    this.stats.completed++;
    this.callbacks.tile(info);
    this.redraw();
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

  /** Provenance of the tiles stored for the current configuration. */
  provenance(): ViewerProvenance {
    const loaded = this.loaded as LoadedRaster;
    const c = this.config;
    const entry = getModel(c.modelId, c.variant);
    const prefix = `${this.configKey()}|`;
    const tiles = [...this.tiles.entries()].filter(([k]) => k.startsWith(prefix)).map(([, t]) => t);
    const backends: Partial<Record<BackendId | 'cache', number>> = {};
    for (const t of tiles) backends[t.backend] = (backends[t.backend] ?? 0) + 1;
    const x0 = Math.min(...tiles.map((t) => t.rect.x));
    const y0 = Math.min(...tiles.map((t) => t.rect.y));
    const x1 = Math.max(...tiles.map((t) => t.rect.x + t.rect.width));
    const y1 = Math.max(...tiles.map((t) => t.rect.y + t.rect.height));
    const ranges = this.rangesFor(loaded);
    const first = tiles[0]?.result.provenance;
    return {
      aiEnhanced: true,
      imageId: loaded.imageId,
      frame: loaded.raster.frame,
      modelId: entry.id,
      variant: entry.variant,
      modelKey: entry.key,
      modelVersion:
        first?.modelVersion ?? `${entry.card.name}-${entry.card.phase}-it${entry.card.iterations}`,
      sha256: entry.sha256,
      perceptual: entry.perceptual,
      scale: entry.scale,
      backends,
      fallbacks: [...(this.listenedSession?.records ?? [])],
      normalization: this.bands().map((band, i) => {
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
      tile: { size: c.tileSize, halo: entry.receptiveFieldLrPx + DEFAULT_HALO_MARGIN },
      region: tiles.length
        ? { x: x0, y: y0, width: x1 - x0, height: y1 - y0 }
        : { x: 0, y: 0, width: 0, height: 0 },
      tiles: tiles.map((t) => this.describe(t)),
      spacing: this.enhancedSpacing as PixelSpacing,
      consistencyThresholdDb: c.consistencyThresholdDb,
      tilesrVersion: TILESR_VERSION,
      createdAt: new Date().toISOString(),
    };
  }

  /** The `cornerstoneimagerendered` handler: schedule work, draw tiles, watermark and outline. */
  private rendered(detail: ImageRenderedDetail): void {
    this.paint(detail);
    if (this.loaded && detail.image?.imageId === this.loaded.imageId)
      this.callbacks.rendered(this.lastDrawn, this.lastWatermark);
  }

  private paint(detail: ImageRenderedDetail): void {
    this.stats.renders++;
    this.lastDrawn = [];
    this.lastWatermark = undefined;
    const cs = this.cs;
    const loaded = this.loaded;
    if (!cs || !loaded || detail.image?.imageId !== loaded.imageId) return;
    const v = this.view();
    if (!v) return;
    const active = this.config.enabled && (this.config.anyZoom || v.scale >= 1);
    this.update(active, v.region);
    if (!active) this.setStatus(this.config.enabled ? 'zoom-in' : 'off');
    if (!active) return;
    const drawn = this.visibleTiles(v.region);
    if (drawn.length === 0) return;
    this.draw(detail, drawn);
  }

  private visibleTiles(region: Rect): StoredTile[] {
    const out: StoredTile[] = [];
    const T = this.config.tileSize;
    if (region.width <= 0 || region.height <= 0) return out;
    for (let r = Math.floor(region.y / T); r * T < region.y + region.height; r++)
      for (let c = Math.floor(region.x / T); c * T < region.x + region.width; c++) {
        const t = this.tiles.get(this.tileKey(c, r));
        if (t) out.push(t);
      }
    return out;
  }

  private draw(detail: ImageRenderedDetail, tiles: StoredTile[]): void {
    const cs = this.cs as Cornerstone;
    const loaded = this.loaded as LoadedRaster;
    const { canvasContext: ctx, enabledElement, element } = detail;
    const viewport: Viewport = detail.viewport;
    const canvas = enabledElement.canvas;
    const splitX = Math.max(0, Math.min(canvas.width, this.config.splitX));
    // the label is made before any enhanced pixel lands, and drawn even if drawing a tile fails
    const entry = getModel(this.config.modelId, this.config.variant);
    const label = watermarkLabel(entry.id, entry.scale, entry.perceptual);
    ctx.save();
    try {
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.beginPath();
      ctx.rect(splitX, 0, canvas.width - splitX, canvas.height);
      ctx.clip();
      cs.setToPixelCoordinateSystem(enabledElement, ctx);
      // the same smoothing cornerstone used for the original, so only the model's detail differs
      ctx.imageSmoothingEnabled = !viewport.pixelReplication;
      for (const t of tiles) {
        const { x, y, width, height } = t.rect;
        ctx.drawImage(t.pixels.for(loaded.display, viewport), x, y, width, height);
      }
      const outline: OutlineTile[] = tiles.map((t) => {
        const { x, y, width, height } = t.rect;
        const p = (px: number, py: number) => cs.pixelToCanvas(element, { x: px, y: py });
        return {
          col: t.col,
          row: t.row,
          corners: [p(x, y), p(x + width, y), p(x + width, y + height), p(x, y + height)],
          flagged: this.describe(t).flagged,
        };
      });
      outlineTiles(ctx, outline);
    } finally {
      ctx.restore();
      this.lastWatermark = drawWatermark(ctx, label, { x0: splitX, x1: canvas.width, height: canvas.height });
    }
    this.lastDrawn = tiles.map((t) => this.describe(t));
    this.stats.enhancedRenders++;
  }
}
