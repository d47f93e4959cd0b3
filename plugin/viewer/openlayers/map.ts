/**
 * openEnhancedMap: an OpenLayers map of one GeoTIFF (local Blob/File or URL with range requests)
 * with the original as a WebGL tile layer, an enhanced WebGL tile layer on the finer level past
 * native resolution, the canvas-drawn mark, a before/after swipe and a pixel readout in real units.
 */
import OlMap from 'ol/Map.js';
import View from 'ol/View.js';
import type { FrameState } from 'ol/Map.js';
import WebGLTileLayer from 'ol/layer/WebGLTile.js';
import DataTileSource from 'ol/source/DataTile.js';
import TileGrid from 'ol/tilegrid/TileGrid.js';
import Projection from 'ol/proj/Projection.js';
import { get as getProjection } from 'ol/proj.js';
import type RenderEvent from 'ol/render/Event.js';
import { openRaster } from '../../../formats/index.ts';
import type { RasterInput } from '../../../formats/input.ts';
import { toModalityValues, type ImageInfo, type RasterSource } from '../../../formats/raster.ts';
import type { BackendPreference } from '../../../models/backend/types.ts';
import type { Variant } from '../../../models/card.ts';
import { computeRange, type NormRange } from '../../../models/normalize.ts';
import { getModel } from '../../../models/registry.ts';
import type { LiveTileInfo, ViewerProvenance } from '../../live/types.ts';
import { watermarkLabel, type WatermarkBox } from '../../watermark/viewport.ts';
import { assertDomain } from '../../pipeline/domain.ts';
import { EnhancedTiles, errorOf, type EnhancedEvents } from './enhanced-tiles.ts';
import {
  baseTileWindow,
  buildPyramid,
  enhancedTilesFor,
  extentToImage,
  nextResolutionPastNative,
  placeImage,
  TILE_SIZE,
  type MapPlacement,
  type Pyramid,
} from './grid.ts';
import { createMarkLayer, type MarkStats } from './mark-layer.ts';
import {
  checkBandStyle,
  defaultBandStyle,
  defaultStretch,
  olStyle,
  styleBands,
  type BandStyle,
  type DisplayStretch,
} from './style.ts';
import { baseTileData } from './tile-data.ts';

/** Options of openEnhancedMap. */
export interface EnhancedMapOptions {
  /** Element the map fills. */
  target: HTMLElement;
  /** A File/Blob, or an http(s) URL read with range requests. */
  input: RasterInput;
  /** Registry id of a satellite model (default 'satellite-x2'). */
  modelId?: string;
  /** 'fidelity' (default) or 'perceptual' (labelled as such). */
  variant?: Variant;
  backend?: BackendPreference;
  /** Enhance when zoomed past native resolution (default true). */
  enhance?: boolean;
  style?: BandStyle;
  consistencyThresholdDb?: number;
  /**
   * Run the model on an image of another domain (a DICOM with a satellite model): refused with
   * DOMAIN_MISMATCH (error event, status 'error') unless set; provenance records the override.
   */
  allowDomainMismatch?: boolean;
  /** Event callbacks (progress, tile, provenance, error, status, rendered). */
  on?: Partial<EnhancedMapEvents>;
  signal?: AbortSignal;
}

/** Everything the map reports. */
export interface EnhancedMapEvents extends EnhancedEvents {
  rendered(tiles: LiveTileInfo[], watermark: WatermarkBox | undefined): void;
}

/** Values under a map pixel, real units per raster band (null: nodata, outside, or not loaded). */
export interface PixelValues {
  original: number[] | null;
  enhanced: number[] | null;
}

let nextImage = 0;

/** Longest side of the overview the normalization ranges are computed from. */
const RANGE_OVERVIEW = 512;

/** A DataTile source whose tiles can all be dropped (setKey is protected in OpenLayers). */
class ReloadableDataTile extends DataTileSource {
  /** Makes OpenLayers request every tile again (finished ones come back from memory). */
  reload(key: string): void {
    this.setKey(key);
  }
}

/** Opens `input` into a new OpenLayers map in `target`. */
export async function openEnhancedMap(options: EnhancedMapOptions): Promise<EnhancedMap> {
  const src = await openRaster(options.input, { signal: options.signal });
  try {
    const info = src.info;
    // one range per band, once per image, from the smallest overview of at least RANGE_OVERVIEW px
    const f = Math.max(1, Math.max(info.width, info.height) / RANGE_OVERVIEW);
    const target = { width: Math.ceil(info.width / f), height: Math.ceil(info.height / f) };
    const ov = await src.read({ targetSize: target, signal: options.signal });
    const values = toModalityValues(ov);
    const ranges = Array.from({ length: info.samples }, (_, band) =>
      computeRange(values, { stride: info.samples, band }),
    );
    return new EnhancedMap(src, ranges, defaultStretch(info, values), options);
  } catch (err) {
    await src.close().catch(() => undefined);
    throw err;
  }
}

/** The map, its three layers and the controls the host calls. */
export class EnhancedMap {
  readonly map: OlMap;
  readonly info: ImageInfo;
  readonly placement: MapPlacement;
  readonly pyramid: Pyramid;
  readonly baseLayer: WebGLTileLayer;
  readonly enhancedLayer: WebGLTileLayer;
  readonly enhancedSource: ReloadableDataTile;
  readonly tiles: EnhancedTiles;
  readonly markStats: MarkStats;
  readonly imageId: string;
  private style: BandStyle;
  private swipeAt = 0;
  private enabled: boolean;
  private modelId: string;
  private variant: Variant;
  private key = 0;
  /** Why enhancement is refused (the domain rule), if it is. */
  private readonly refusal: { code: string; message: string } | undefined;

  constructor(
    private readonly src: RasterSource,
    /** Normalization ranges (what the model sees), per raster band. */
    readonly ranges: NormRange[],
    /** Display stretch (colours only; values stay real units), per raster band. */
    readonly stretch: DisplayStretch,
    private readonly options: EnhancedMapOptions,
  ) {
    const info = (this.info = src.info);
    this.imageId = `ol-${++nextImage}`;
    this.modelId = options.modelId ?? 'satellite-x2';
    this.variant = options.variant ?? 'fidelity';
    this.enabled = options.enhance ?? true;
    this.style = options.style ?? defaultBandStyle(info.samples);
    checkBandStyle(this.style, info.samples);
    const entry = getModel(this.modelId, this.variant);
    try {
      assertDomain(info, entry, { allowMismatch: options.allowDomainMismatch });
    } catch (err) {
      this.refusal = errorOf(err);
    }
    const place = (this.placement = placeImage(info));
    const pyr = (this.pyramid = buildPyramid(info, place, entry.scale));
    const projection = projectionFor(place);
    const gridOptions = { extent: place.extent, origin: pyr.origin, tileSize: TILE_SIZE };
    const baseGrid = new TileGrid({ ...gridOptions, resolutions: pyr.resolutions.slice(0, pyr.enhancedZ) });
    // the enhanced grid continues the base grid; only its last level (native / scale) ever loads
    const enhancedGrid = new TileGrid({
      ...gridOptions,
      resolutions: pyr.resolutions,
      minZoom: pyr.enhancedZ,
    });
    const nb = info.samples;
    const baseSource = new DataTileSource({
      projection,
      tileGrid: baseGrid,
      bandCount: nb + 1,
      interpolate: false,
      wrapX: false,
      loader: (z, x, y, { signal }) => {
        const win = baseTileWindow(pyr, info, z, x, y);
        const f = pyr.factors[z] ?? 1;
        return baseTileData(src, win, x * TILE_SIZE * f, y * TILE_SIZE * f, f, signal);
      },
    });
    const on = options.on ?? {};
    this.tiles = new EnhancedTiles(src, this.imageId, pyr, place, this.enhancedConfig(), on, () =>
      this.enhancedSource.reload(`k${++this.key}`),
    );
    this.enhancedSource = new ReloadableDataTile({
      projection,
      tileGrid: enhancedGrid,
      bandCount: nb + 1,
      interpolate: false,
      wrapX: false,
      loader: (z, x, y, { signal }) => this.tiles.load(z, x, y, signal),
    });
    this.enhancedSource.on('tileloadend', (e) => {
      const [z = -1, x = 0, y = 0] = e.tile.getTileCoord();
      this.tiles.tileLoaded(z, x, y);
    });
    const style = olStyle(this.style, stretch.ranges, nb);
    this.baseLayer = new WebGLTileLayer({ source: baseSource, style });
    // drawn only when zoomed past native resolution (the layer's maxResolution is exclusive)
    this.enhancedLayer = new WebGLTileLayer({
      source: this.enhancedSource,
      style,
      maxResolution: place.resolution,
      visible: this.enhancing,
    });
    this.enhancedLayer.on('prerender', (e) => this.clip(e));
    this.enhancedLayer.on('postrender', (e) => {
      const gl = e.context as WebGLRenderingContext | undefined;
      gl?.disable(gl.SCISSOR_TEST);
    });
    const mark = createMarkLayer(place, {
      shown: (frame) => this.shownTiles(frame),
      label: () => watermarkLabel(entry.id, entry.scale, entry.perceptual),
      swipe: () => this.swipeAt,
      rendered: (t, box) => on.rendered?.(t, box),
    });
    this.markStats = mark.stats;
    this.map = new OlMap({
      target: options.target,
      layers: [this.baseLayer, this.enhancedLayer, mark.layer],
      view: new View({
        projection,
        extent: place.extent,
        constrainOnlyCenter: true,
        showFullExtent: true,
        maxResolution: (pyr.resolutions[0] ?? place.resolution) * 2,
        minResolution: place.resolution / entry.scale / 4,
      }),
    });
    this.map.getView().fit(place.extent);
    this.map.on('moveend', () => this.viewChanged());
  }

  /** The label shown with enhanced pixels. */
  label(): string {
    const e = getModel(this.modelId, this.variant);
    return watermarkLabel(e.id, e.scale, e.perceptual);
  }

  /** Shows another band choice or combination on both layers (re-enhances the bands it needs). */
  setBandStyle(style: BandStyle): void {
    checkBandStyle(style, this.info.samples);
    this.style = style;
    const s = olStyle(style, this.stretch.ranges, this.info.samples);
    this.baseLayer.setStyle(s);
    this.enhancedLayer.setStyle(s);
    this.tiles.configure(this.enhancedConfig());
  }

  /** Turns enhancement on or off (off: the enhanced layer and its mark are not drawn). */
  setEnhance(on: boolean): void {
    this.enabled = on;
    this.enhancedLayer.setVisible(this.enhancing);
    this.viewChanged();
  }

  /**
   * One step deeper past native resolution: the next power-of-two zoom past native (2, 4, ... screen
   * px per image px) up to the enhanced level's own resolution (the model's scale). Never zooms out;
   * returns false (and does nothing) when the view is already that deep.
   */
  zoomPastNative(): boolean {
    const view = this.map.getView();
    const next = nextResolutionPastNative(
      view.getResolution() ?? Infinity,
      this.placement.resolution,
      getModel(this.modelId, this.variant).scale,
    );
    if (next === undefined) return false;
    view.setResolution(next);
    return true;
  }

  /** Before/after: enhanced pixels are drawn only right of `fraction` (0..1) of the map width. */
  setSwipe(fraction: number): void {
    this.swipeAt = Math.min(1, Math.max(0, fraction));
    this.map.render();
  }

  /** Centers on full-resolution image px (x, y) at `screenPxPerImagePx` (e.g. 4 = zoomed past native). */
  zoomTo(x: number, y: number, screenPxPerImagePx: number): void {
    const p = this.placement;
    this.map.getView().setCenter([p.extent[0] + x * p.resolution, p.extent[3] - y * p.resolution]);
    this.map.getView().setResolution(p.resolution / screenPxPerImagePx);
  }

  /** Real-unit values of both layers under a map pixel (CSS px), via the layers' getData. */
  valuesAt(pixel: [number, number]): PixelValues {
    const nb = this.info.samples;
    const read = (layer: WebGLTileLayer): number[] | null => {
      const d = layer.getData(pixel);
      if (!(d instanceof Float32Array) || d.length < nb + 1 || d[nb] === 0) return null;
      return Array.from(d.subarray(0, nb));
    };
    const res = this.map.getView().getResolution() ?? Infinity;
    const size = this.map.getSize() ?? [0, 0];
    const enhancedShown =
      this.enhancing && res < this.placement.resolution && pixel[0] >= this.swipeAt * (size[0] ?? 0);
    return { original: read(this.baseLayer), enhanced: enhancedShown ? read(this.enhancedLayer) : null };
  }

  /** Provenance of the enhanced tiles in view. */
  provenance(): ViewerProvenance {
    return this.tiles.provenance();
  }

  /** Removes the map and closes the file. */
  async dispose(): Promise<void> {
    this.tiles.dispose();
    this.map.setTarget(undefined);
    this.map.dispose();
    await this.src.close();
  }

  private enhancedConfig() {
    return {
      modelId: this.modelId,
      variant: this.variant,
      backend: this.options.backend ?? 'auto',
      bands: styleBands(this.style),
      ranges: this.ranges,
      consistencyThresholdDb: this.options.consistencyThresholdDb ?? 35,
      allowDomainMismatch: this.options.allowDomainMismatch,
    };
  }

  /** Enhancement on and not refused. */
  private get enhancing(): boolean {
    return this.enabled && !this.refusal;
  }

  /** Enhanced tile keys of the current view (none unless enhancing and zoomed past native). */
  private viewChanged(): void {
    const view = this.map.getView();
    const res = view.getResolution() ?? Infinity;
    const zoomedIn = res < this.placement.resolution;
    const size = this.map.getSize();
    if (this.enabled && this.refusal) {
      this.tiles.refuse(this.refusal);
      return;
    }
    let keys: string[] = [];
    if (this.enabled && zoomedIn && size) {
      const region = extentToImage(this.placement, view.calculateExtent(size));
      keys = enhancedTilesFor(this.pyramid, this.info, region).map(([x, y]) => `${x},${y}`);
    }
    this.tiles.setWanted(keys, zoomedIn, this.enabled);
  }

  private shownTiles(frame: FrameState) {
    if (!this.enhancing || !(frame.viewState.resolution < this.placement.resolution)) return [];
    const region = extentToImage(this.placement, frame.extent ?? [0, 0, 0, 0]);
    return this.tiles.tiles().filter((t) => {
      const c = t.cell;
      return (
        c.x < region.x + region.width &&
        c.x + c.width > region.x &&
        c.y < region.y + region.height &&
        c.y + c.height > region.y
      );
    });
  }

  /** The swipe: a scissor rectangle on the enhanced layer's WebGL context (OpenLayers' swipe pattern). */
  private clip(e: RenderEvent): void {
    const gl = e.context as WebGLRenderingContext | undefined;
    if (!gl || this.swipeAt <= 0) return;
    const w = gl.canvas.width;
    const h = gl.canvas.height;
    const x0 = Math.round(this.swipeAt * w);
    gl.enable(gl.SCISSOR_TEST);
    gl.scissor(x0, 0, Math.max(0, w - x0), h);
  }
}

/** An OpenLayers projection for the placement: OpenLayers' own when it knows the code, else a bare one. */
function projectionFor(place: MapPlacement): Projection {
  const known = place.crs.startsWith('EPSG:') ? getProjection(place.crs) : null;
  if (known) return known;
  // not registered (e.g. UTM without proj4): shown in its own CRS, no reprojection, no basemaps
  return new Projection({ code: place.crs, units: place.units, extent: place.extent });
}
