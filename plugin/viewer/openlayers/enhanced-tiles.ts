/**
 * The enhanced layer's tiles: the DataTile loader for the level past native resolution, and the
 * bookkeeping around it (finished tiles, tiles in flight, aborts of tiles the view left, progress,
 * provenance). A tile goes through the per-tile service (plugin/pipeline/tile-service.ts: its native
 * cell plus the halo read as a window, the image's per-band ranges computed once from an overview,
 * the consistency check), keeps the cell only (the loader returns exactly one grid tile, no gutter:
 * openlayers#16533) and returns real-unit float32 bands in the base layer's layout. OpenLayers asks only for tiles it shows; tiles still queued when the view moves
 * away are aborted through the pipeline scheduler.
 */
import { errorCode } from '../../../core/errors.ts';
import { toModalityValues, type RasterSource } from '../../../formats/raster.ts';
import type { BackendId, BackendPreference, FallbackRecord } from '../../../models/backend/types.ts';
import type { Variant } from '../../../models/card.ts';
import type { NormRange } from '../../../models/normalize.ts';
import type { Rect } from '../../pipeline/tiler.ts';
import { getModel } from '../../../models/registry.ts';
import { TileService, type ServedCell, type ServiceImage } from '../../pipeline/tile-service.ts';
import { viewerProvenance } from '../../live/provenance.ts';
import { sharedCache, sharedScheduler, sharedSession, type SharedSession } from '../../live/sessions.ts';
import type { LiveTileInfo, PixelSpacing, ViewerProvenance } from '../../live/types.ts';
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
  /** The user's explicit override of the domain rule (plugin/pipeline/domain.ts). */
  allowDomainMismatch?: boolean;
}

/** A finished enhanced tile. */
export interface EnhancedMapTile {
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
  /** 'error': enhancement was refused (e.g. DOMAIN_MISMATCH) or failed; `error` said why. */
  status(s: 'off' | 'zoom-in' | 'enhancing' | 'done' | 'error'): void;
}

interface Job {
  controller: AbortController;
  promise: Promise<Float32Array>;
}

/** A thrown value as the `error` event's payload. */
export const errorOf = (err: unknown) => ({
  code: errorCode(err) ?? 'ENHANCE_FAILED',
  message: err instanceof Error ? err.message : String(err),
});

/** The enhanced level's loader and state for one opened image. */
export class EnhancedTiles {
  readonly stats: EnhancedStats = { aborted: 0, completed: 0, requested: 0 };
  private readonly done = new Map<string, EnhancedMapTile>();
  private readonly inflight = new Map<string, Job>();
  /** Tiles whose cell holds no valid pixel: shown transparent, never enhanced. */
  private readonly blank = new Set<string>();
  /** Tiles aborted while the view was elsewhere: reloaded (source key bump) when wanted again. */
  private readonly abortedKeys = new Set<string>();
  private wanted = new Set<string>();
  /** Finished tiles OpenLayers has taken (tileloadend): only these may carry the mark. */
  private readonly loaded = new Set<string>();
  /** Set by dispose(): no more events (a closed image reports nothing, e.g. no 'off'). */
  private disposed = false;
  private lastBackend: BackendId = 'wasm';
  private fallbacks: FallbackRecord[] = [];
  private service: { shared: SharedSession; service: TileService } | undefined;

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

  /** Enhanced tiles finished and handed to the layer (drawn when in view): what the mark covers. */
  tiles(): EnhancedMapTile[] {
    return [...this.done.values()].filter((t) => this.loaded.has(`${t.x},${t.y}`));
  }

  /** OpenLayers finished loading enhanced-grid tile (z, x, y) (the source's tileloadend). */
  tileLoaded(z: number, x: number, y: number): void {
    const key = `${x},${y}`;
    if (z === this.pyramid.enhancedZ && this.done.has(key)) this.loaded.add(key);
  }

  /** Stops every tile in flight and mutes all events (the image is being closed). */
  dispose(): void {
    this.disposed = true;
    for (const job of this.inflight.values()) job.controller.abort();
    this.inflight.clear();
  }

  /** Enhancement is refused (`e` says why): nothing is wanted, loaded or marked. */
  refuse(e: { code: string; message: string }): void {
    this.setWanted([], true, true);
    this.emit('error', e);
    this.emit('status', 'error');
  }

  /** The tile at enhanced-grid (x, y), if finished. */
  tile(x: number, y: number): EnhancedMapTile | undefined {
    return this.done.get(`${x},${y}`);
  }

  /** Changes model, bands or ranges: finished tiles are dropped and OpenLayers reloads. */
  configure(config: EnhancedConfig): void {
    this.config = config;
    for (const job of this.inflight.values()) job.controller.abort();
    this.inflight.clear();
    this.done.clear();
    this.loaded.clear();
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
    if (!enabled) this.emit('status', 'off');
    else if (!zoomedIn) this.emit('status', 'zoom-in');
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
    const { info } = this.src;
    const nb = info.samples;
    const c = this.config;
    const cell = enhancedTileCell(this.pyramid, info, x, y);
    if (cell.width <= 0 || cell.height <= 0) return emptyTile(nb);
    try {
      const shared = await sharedSession(c.modelId, c.variant, c.backend);
      this.fallbacks = shared.records;
      checkAborted(signal);
      const served = await this.serviceFor(shared).enhance(this.serviceImage(), cell, {
        priority: 'visible',
        signal,
        // all nodata: nothing to enhance, nothing enhanced shown (and no mark for it)
        skipEmpty: true,
      });
      if (!served) {
        this.blank.add(key);
        this.emitProgress();
        return emptyTile(nb);
      }
      const px = (served.cells[0] as ServedCell).pixels;
      const data = emptyTile(nb);
      for (let j = 0; j < px.height; j++)
        for (let i = 0; i < px.width; i++) {
          const src0 = (j * px.width + i) * px.samples;
          const dst = (j * TILE_SIZE + i) * (nb + 1);
          let valid = true;
          for (let k = 0; k < px.samples; k++) {
            const v = px.data[src0 + k] as number;
            if (!Number.isFinite(v)) valid = false;
            data[dst + (c.bands[k] as number)] = v;
          }
          // nodata in -> NaN out: never drawn, never read out as a value
          if (valid) data[dst + nb] = 1;
          else for (let k = 0; k < nb; k++) data[dst + k] = NaN;
        }
      if (served.backend !== 'cache') this.lastBackend = served.backend;
      const psnr = (served.cells[0] as ServedCell).consistencyPsnr;
      const tile: EnhancedMapTile = {
        x,
        y,
        cell,
        data,
        info: {
          col: x,
          row: y,
          rect: cell,
          backend: served.backend,
          ms: served.inferenceMs,
          requestMs: served.requestMs,
          consistencyPsnr: psnr,
          flagged: psnr < c.consistencyThresholdDb,
        },
      };
      this.done.set(key, tile);
      this.stats.completed++;
      this.emit('tile', tile.info);
      this.emitProgress();
      return data;
    } catch (err) {
      if (!signal.aborted) this.emit('error', errorOf(err));
      throw err;
    }
  }

  /** The per-tile service of the session in use (rebuilt when the configuration changes). */
  private serviceFor(shared: SharedSession): TileService {
    if (this.service?.shared !== shared) {
      const c = this.config;
      this.service = {
        shared,
        service: new TileService({
          modelId: c.modelId,
          variant: c.variant,
          session: shared.session,
          scheduler: sharedScheduler,
          cache: sharedCache,
        }),
      };
    }
    return this.service.service;
  }

  /** The full-resolution image, read window by window (cell + halo) in real units. */
  private serviceImage(): ServiceImage {
    const { info } = this.src;
    const c = this.config;
    return {
      imageId: this.imageId,
      frame: 0,
      width: info.width,
      height: info.height,
      samples: info.samples,
      bands: c.bands,
      ranges: c.bands.map((b) => c.ranges[b] as NormRange),
      readWindow: async (window, signal) => toModalityValues(await this.src.read({ window, signal })),
      format: info.format,
      allowDomainMismatch: c.allowDomainMismatch,
    };
  }

  private emit<K extends keyof EnhancedEvents>(type: K, ...args: Parameters<EnhancedEvents[K]>): void {
    if (this.disposed) return;
    (this.events[type] as ((...a: Parameters<EnhancedEvents[K]>) => void) | undefined)?.(...args);
  }

  private emitProgress(): void {
    if (this.wanted.size === 0) return;
    let doneCount = 0;
    for (const k of this.wanted) if (this.done.has(k) || this.blank.has(k)) doneCount++;
    this.emit('progress', { done: doneCount, total: this.wanted.size, backend: this.lastBackend });
    if (doneCount < this.wanted.size) {
      this.emit('status', 'enhancing');
      return;
    }
    this.emit('status', 'done');
    this.emit('provenance', this.provenance());
  }

  /** Provenance of the enhanced tiles the view wants now (all finished). */
  provenance(): ViewerProvenance {
    const c = this.config;
    const entry = getModel(c.modelId, c.variant);
    const tiles = [...this.wanted].map((k) => this.done.get(k)).filter((t): t is EnhancedMapTile => !!t);
    const unit: PixelSpacing['unit'] =
      this.place.units === 'pixels' ? 'px' : this.place.units === 'degrees' ? 'deg' : 'm';
    const step = this.place.resolution / entry.scale;
    return viewerProvenance(entry, {
      imageId: this.imageId,
      frame: 0,
      bands: c.bands,
      ranges: c.bands.map((b) => c.ranges[b] as NormRange),
      tiles: tiles.map((t) => t.info),
      fallbacks: this.fallbacks,
      tileSize: TILE_SIZE / entry.scale,
      spacing: {
        row: step,
        column: step,
        unit,
        source: this.place.units === 'pixels' ? 'none' : 'geotransform',
      },
      consistencyThresholdDb: c.consistencyThresholdDb,
      format: this.src.info.format,
    });
  }
}
