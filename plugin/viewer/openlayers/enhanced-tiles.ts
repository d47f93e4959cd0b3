/**
 * The enhanced layer's tiles: the DataTile loader for the level past native resolution, and the
 * bookkeeping around it (finished tiles, tiles in flight, aborts of tiles the view left, progress,
 * provenance). A tile reads its native cell plus the halo (a windowed read), runs enhanceCell with
 * the image's per-band ranges (computed once, from an overview), crops the halo (the loader returns
 * exactly one grid tile, no gutter: openlayers#16533) and returns real-unit float32 bands in the base
 * layer's layout. OpenLayers asks only for tiles it shows; tiles still queued when the view moves
 * away are aborted through the pipeline scheduler.
 */
import type { Raster, RasterSource } from '../../../formats/raster.ts';
import { toModalityValues } from '../../../formats/raster.ts';
import type { BackendId, BackendPreference, FallbackRecord } from '../../../models/backend/types.ts';
import type { Variant } from '../../../models/card.ts';
import type { NormRange } from '../../../models/normalize.ts';
import { getModel } from '../../../models/registry.ts';
import { DEFAULT_HALO_MARGIN } from '../../pipeline/enhance.ts';
import { TILESR_VERSION, modelVersionOf } from '../../pipeline/provenance.ts';
import type { Rect } from '../../pipeline/tiler.ts';
import { enhanceCell } from '../../live/cell.ts';
import { growRect } from '../../live/crop.ts';
import type { LiveTileInfo, ViewerProvenance } from '../../live/types.ts';
import type { PixelSpacing } from '../../live/types.ts';
import { sharedCache, sharedScheduler, sharedSession } from '../../live/sessions.ts';
import { tileConsistencyPsnr } from '../../live/tile-check.ts';
import { enhancedTileCell, TILE_SIZE, type MapPlacement, type Pyramid } from './grid.ts';
import { checkAborted, emptyTile } from './tile-data.ts';

/** What the enhanced layer runs. */
export interface EnhancedConfig {
  modelId: string;
  variant: Variant;
  backend: BackendPreference;
  /** Raster bands to enhance (the shown ones); the other bands of a tile stay NaN. */
  bands: number[];
  /** Whole-image range per raster band (index = band). */
  ranges: NormRange[];
  consistencyThresholdDb: number;
}

/** A finished enhanced tile. */
export interface EnhancedTile {
  x: number;
  y: number;
  /** LR cell (full-resolution image px). */
  cell: Rect;
  /** TILE_SIZE^2 x (samples + 1) floats: the tile as the layer got it. */
  data: Float32Array;
  info: LiveTileInfo;
}

/** Counters for diagnostics and tests. */
export interface EnhancedStats {
  /** Tiles aborted because the view moved away (or OpenLayers dropped them) before they finished. */
  aborted: number;
  /** Tiles enhanced (or taken from the cache). */
  completed: number;
  /** Loader calls for the enhanced level. */
  requested: number;
}

/** Events of the enhanced layer (the host turns them into sr-* DOM events). */
export interface EnhancedEvents {
  progress(p: { done: number; total: number; backend: BackendId }): void;
  tile(info: LiveTileInfo): void;
  provenance(p: ViewerProvenance): void;
  error(e: { code: string; message: string }): void;
  status(s: 'off' | 'zoom-in' | 'enhancing' | 'done'): void;
}

interface Job {
  controller: AbortController;
  promise: Promise<Float32Array>;
}

const errorOf = (err: unknown) => ({
  code:
    typeof (err as { code?: unknown }).code === 'string' ? (err as { code: string }).code : 'ENHANCE_FAILED',
  message: err instanceof Error ? err.message : String(err),
});

/** The enhanced level's loader and state for one opened image. */
export class EnhancedTiles {
  readonly stats: EnhancedStats = { aborted: 0, completed: 0, requested: 0 };
  private readonly done = new Map<string, EnhancedTile>();
  private readonly inflight = new Map<string, Job>();
  /** Tiles whose cell holds no valid pixel: shown transparent, never enhanced. */
  private readonly blank = new Set<string>();
  /** Tiles aborted while the view was elsewhere: reloaded (source key bump) when wanted again. */
  private readonly abortedKeys = new Set<string>();
  private wanted = new Set<string>();
  private lastBackend: BackendId = 'wasm';
  private fallbacks: FallbackRecord[] = [];

  constructor(
    private readonly src: RasterSource,
    private readonly imageId: string,
    private readonly pyramid: Pyramid,
    private readonly place: MapPlacement,
    private config: EnhancedConfig,
    private readonly events: Partial<EnhancedEvents>,
    /** Makes OpenLayers forget its tiles (the enhanced source's key changes). */
    private readonly reload: () => void,
  ) {}

  /** Enhanced tiles finished so far (drawn when in view). */
  tiles(): EnhancedTile[] {
    return [...this.done.values()];
  }

  /** The tile at enhanced-grid (x, y), if finished. */
  tile(x: number, y: number): EnhancedTile | undefined {
    return this.done.get(`${x},${y}`);
  }

  /** Changes model, bands or ranges: finished tiles are dropped and OpenLayers reloads. */
  configure(config: EnhancedConfig): void {
    this.config = config;
    for (const job of this.inflight.values()) job.controller.abort();
    this.inflight.clear();
    this.done.clear();
    this.blank.clear();
    this.abortedKeys.clear();
    this.reload();
  }

  /** The DataTile loader (OpenLayers calls it with its own abort signal). */
  load(z: number, x: number, y: number, signal: AbortSignal): Promise<Float32Array> | Float32Array {
    const nb = this.src.info.samples;
    if (z !== this.pyramid.enhancedZ) return emptyTile(nb);
    const key = `${x},${y}`;
    const done = this.done.get(key);
    if (done) return done.data;
    if (this.blank.has(key)) return emptyTile(nb);
    this.stats.requested++;
    let job = this.inflight.get(key);
    if (!job) {
      const controller = new AbortController();
      job = { controller, promise: this.run(x, y, key, controller.signal) };
      this.inflight.set(key, job);
      const j = job;
      const forget = () => {
        if (this.inflight.get(key) === j) this.inflight.delete(key);
      };
      job.promise.then(forget, forget);
      this.emitProgress();
    }
    const j = job;
    // OpenLayers aborts a tile it disposes: the queued inference goes too
    signal.addEventListener('abort', () => this.abort(key, j), { once: true });
    return job.promise;
  }

  /**
   * The view now shows enhanced tiles `keys` ('x,y'), or none: tiles in flight outside it are
   * aborted; tiles aborted earlier and wanted again are reloaded.
   */
  setWanted(keys: string[], zoomedIn: boolean, enabled: boolean): void {
    this.wanted = new Set(keys);
    for (const [key, job] of this.inflight) if (!this.wanted.has(key)) this.abort(key, job);
    if (keys.some((k) => this.abortedKeys.has(k))) {
      this.abortedKeys.clear();
      this.reload();
    }
    if (!enabled) this.events.status?.('off');
    else if (!zoomedIn) this.events.status?.('zoom-in');
    this.emitProgress();
  }

  private abort(key: string, job: Job): void {
    if (job.controller.signal.aborted || this.done.has(key) || this.blank.has(key)) return;
    job.controller.abort();
    this.inflight.delete(key);
    this.abortedKeys.add(key);
    this.stats.aborted++;
  }

  private async run(x: number, y: number, key: string, signal: AbortSignal): Promise<Float32Array> {
    const t0 = performance.now();
    const { info } = this.src;
    const nb = info.samples;
    const c = this.config;
    const cell = enhancedTileCell(this.pyramid, info, x, y);
    if (cell.width <= 0 || cell.height <= 0) return emptyTile(nb);
    const entry = getModel(c.modelId, c.variant);
    const halo = entry.receptiveFieldLrPx + DEFAULT_HALO_MARGIN;
    const grown = growRect(cell, halo, info.width, info.height);
    try {
      const read = await this.src.read({ window: grown, signal });
      checkAborted(signal);
      // the crop stands in for the frame: enhanceCell takes cells in its own pixel coordinates
      const frame: Raster = { ...read, window: { x: 0, y: 0, width: grown.width, height: grown.height } };
      const local: Rect = {
        x: cell.x - grown.x,
        y: cell.y - grown.y,
        width: cell.width,
        height: cell.height,
      };
      if (!hasValidPixel(frame, local, c.bands)) {
        // all nodata: nothing to enhance, nothing enhanced shown (and no mark for it)
        this.blank.add(key);
        this.emitProgress();
        return emptyTile(nb);
      }
      const shared = await sharedSession(c.modelId, c.variant, c.backend);
      this.fallbacks = shared.records;
      checkAborted(signal);
      const ranges = c.bands.map((b) => c.ranges[b] as NormRange);
      const t1 = performance.now();
      const res = await enhanceCell(frame, local, {
        modelId: c.modelId,
        variant: c.variant,
        bands: c.bands,
        ranges,
        session: shared.session,
        scheduler: sharedScheduler,
        cache: sharedCache,
        priority: 'visible',
        imageId: `${this.imageId}@${grown.x},${grown.y},${grown.width},${grown.height}`,
        signal,
      });
      const ms = performance.now() - t1;
      const data = emptyTile(nb);
      const s = res.scale;
      for (let j = 0; j < res.height; j++)
        for (let i = 0; i < res.width; i++) {
          const src0 = (j * res.width + i) * res.samples;
          const dst = (j * TILE_SIZE + i) * (nb + 1);
          let valid = true;
          for (let k = 0; k < res.samples; k++) {
            const v = res.data[src0 + k] as number;
            if (!Number.isFinite(v)) valid = false;
            data[dst + (c.bands[k] as number)] = v;
          }
          // nodata in -> NaN out: never drawn, never read out as a value
          if (valid) data[dst + nb] = 1;
          else for (let k = 0; k < nb; k++) data[dst + k] = NaN;
        }
      const backends = Object.keys(res.provenance.backends) as Array<BackendId | 'cache'>;
      const backend = backends[0] ?? shared.session.backend;
      if (backend !== 'cache') this.lastBackend = backend;
      const psnr = tileConsistencyPsnr(
        { data: toModalityValues(frame), width: frame.width, samples: nb },
        local,
        c.bands,
        { data: res.data, width: res.width, height: res.height, samples: res.samples, scale: s },
        ranges,
      );
      const tile: EnhancedTile = {
        x,
        y,
        cell,
        data,
        info: {
          col: x,
          row: y,
          rect: cell,
          backend,
          ms,
          requestMs: performance.now() - t0,
          consistencyPsnr: psnr,
          flagged: psnr < c.consistencyThresholdDb,
        },
      };
      this.done.set(key, tile);
      this.stats.completed++;
      this.events.tile?.(tile.info);
      this.emitProgress();
      return data;
    } catch (err) {
      if (!signal.aborted) this.events.error?.(errorOf(err));
      throw err;
    }
  }

  private emitProgress(): void {
    if (this.wanted.size === 0) return;
    let doneCount = 0;
    for (const k of this.wanted) if (this.done.has(k) || this.blank.has(k)) doneCount++;
    this.events.progress?.({ done: doneCount, total: this.wanted.size, backend: this.lastBackend });
    if (doneCount < this.wanted.size) {
      this.events.status?.('enhancing');
      return;
    }
    this.events.status?.('done');
    this.events.provenance?.(this.provenance());
  }

  /** Provenance of the enhanced tiles the view wants now (all finished). */
  provenance(): ViewerProvenance {
    const c = this.config;
    const entry = getModel(c.modelId, c.variant);
    const tiles = [...this.wanted].map((k) => this.done.get(k)).filter((t): t is EnhancedTile => !!t);
    const backends: ViewerProvenance['backends'] = {};
    for (const t of tiles) backends[t.info.backend] = (backends[t.info.backend] ?? 0) + 1;
    const x0 = Math.min(...tiles.map((t) => t.cell.x));
    const y0 = Math.min(...tiles.map((t) => t.cell.y));
    const x1 = Math.max(...tiles.map((t) => t.cell.x + t.cell.width));
    const y1 = Math.max(...tiles.map((t) => t.cell.y + t.cell.height));
    const unit: PixelSpacing['unit'] =
      this.place.units === 'pixels' ? 'px' : this.place.units === 'degrees' ? 'deg' : 'm';
    const step = this.place.resolution / entry.scale;
    return {
      aiEnhanced: true,
      imageId: this.imageId,
      frame: 0,
      modelId: entry.id,
      variant: entry.variant,
      modelKey: entry.key,
      modelVersion: modelVersionOf(entry),
      sha256: entry.sha256,
      perceptual: entry.perceptual,
      scale: entry.scale,
      backends,
      fallbacks: [...this.fallbacks],
      normalization: c.bands.map((band) => {
        const r = c.ranges[band] as NormRange;
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
      tile: { size: TILE_SIZE / entry.scale, halo: entry.receptiveFieldLrPx + DEFAULT_HALO_MARGIN },
      region: tiles.length
        ? { x: x0, y: y0, width: x1 - x0, height: y1 - y0 }
        : { x: 0, y: 0, width: 0, height: 0 },
      tiles: tiles.map((t) => t.info),
      spacing: {
        row: step,
        column: step,
        unit,
        source: this.place.units === 'pixels' ? 'none' : 'geotransform',
      },
      consistencyThresholdDb: c.consistencyThresholdDb,
      tilesrVersion: TILESR_VERSION,
      createdAt: new Date().toISOString(),
    };
  }
}

/** Whether `cell` of `frame` holds at least one pixel with every band in `bands` valid. */
function hasValidPixel(frame: Raster, cell: Rect, bands: number[]): boolean {
  const values = toModalityValues(frame, true);
  for (let y = cell.y; y < cell.y + cell.height; y++)
    for (let x = cell.x; x < cell.x + cell.width; x++) {
      const i = (y * frame.width + x) * frame.samples;
      if (bands.every((b) => Number.isFinite(values[i + b] as number))) return true;
    }
  return false;
}
