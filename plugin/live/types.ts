/**
 * The types of live enhancement (plugin/live/): the image it works on, its configuration, what it
 * reports per tile and as provenance (the ONE shape of a viewer's provenance, whatever the viewer).
 */
import type { BackendId, BackendPreference, FallbackRecord } from '../../models/backend/types.ts';
import type { Variant } from '../../models/card.ts';
import type { ColorPath } from '../pipeline/luma.ts';
import type { ModelProvenance } from '../pipeline/provenance.ts';
import type { Rect } from '../pipeline/tiler.ts';
import type { Raster } from '../../formats/raster.ts';
import type { Spacing } from '../../formats/raster.ts';
import type { MarkCorner, WatermarkBox } from '../watermark/viewport.ts';

/** Physical size of a pixel as the viewer measures it, with its unit. */
export interface PixelSpacing {
  row: number;
  column: number;
  /** 'mm' (DICOM), 'm' (projected GeoTIFF), 'deg' (geographic GeoTIFF), 'px' (none known). */
  unit: 'mm' | 'm' | 'deg' | 'px';
  source: Spacing['kind'] | 'none';
}

/** The image the live engine works on: one frame, as the viewer shows it. */
export interface LiveImage {
  /** Identifies the frame (tiles, cache keys, provenance); the adapter's ViewState.imageId matches it. */
  imageId: string;
  /** The frame's stored values (never modified). */
  raster: Raster;
  /** Real-unit values of every sample, [height, width, samples] (NaN = nodata). */
  modality: Float32Array;
  /** Bands enhanced and drawn, in output order (one for gray, three for color). */
  bands: number[];
  /** Pixel spacing of the original (enhanced spacing = this / scale). */
  spacing: PixelSpacing;
  frame: number;
  /**
   * Set when `raster` is a reduced-resolution overview of a larger image: cells, tile rects and
   * provenance are then in NATIVE px, each block's pixels (+ halo) read on demand from the native
   * image, normalized with ranges computed once from the overview (`modality`).
   */
  native?: NativeSource;
}

/** The full-resolution image behind an overview-backed LiveImage. */
export interface NativeSource {
  width: number;
  height: number;
  /** Native px per shown (overview) px along x and y. */
  scaleX: number;
  scaleY: number;
  /** Real-unit values of a native window, all bands, [height, width, samples]; decodes only what it covers. */
  readWindow(rect: Rect, signal?: AbortSignal): Promise<Float32Array>;
}

/** What live enhancement does; the host sets it from its properties. */
export interface LiveEnhanceConfig {
  enabled: boolean;
  modelId: string;
  variant: Variant;
  backend: BackendPreference;
  /** Enhance at any zoom, not only when zoomed in to >= 1 screen px per image px. */
  anyZoom: boolean;
  /** LR cell side (px). */
  tileSize: number;
  /** Rings of cells around the visible ones enhanced at 'prefetch' priority. */
  prefetchRing: number;
  /** Tiles whose consistency PSNR (downsampled SR vs LR) is below this are marked (dB). */
  consistencyThresholdDb: number;
  /** Canvas x (px) left of which enhanced pixels are not drawn (before/after compare). */
  splitX: number;
  /**
   * Largest side (LR px) of one inference block: visible cells are merged into blocks of up to this
   * side (whole cells, shrunk to the device's limits) so their halos are shared; each cell is still
   * stored and drawn on its own; the first visible cell still runs alone, first (plugin/live/blocks.ts),
   * so the first tile comes as soon as with one inference per cell. Default 128 (config.ts); 0 or
   * <= tileSize: one inference per cell.
   */
  blockSize?: number;
  /**
   * Three-band colour: 'luma' (default) runs the model once per block on luma and upsamples chroma
   * bicubically (plugin/pipeline/luma.ts); 'per-band' runs it once per band. Other band counts: per band.
   */
  colorPath?: ColorPath;
  /**
   * 'progressive' (default): each tile is drawn as it arrives; 'complete': enhanced tiles are drawn
   * only once every visible cell is ready (no patchwork of enhanced and original while tiles arrive).
   */
  reveal?: 'progressive' | 'complete';
  /** Corner of the enhanced area the mark sits in (default bottom-right). */
  markCorner?: MarkCorner;
  /** Run a model of another domain than the image's (plugin/pipeline/domain.ts); provenance records it. */
  allowDomainMismatch?: boolean;
  /** Enhance an image that is itself a super-resolution result (plugin/pipeline/derived.ts). */
  allowDerived?: boolean;
}

/** One enhanced cell, as events and tests see it. */
export interface LiveTileInfo {
  col: number;
  row: number;
  /** LR pixels this tile covers, in full-image coordinates. */
  rect: Rect;
  backend: BackendId | 'cache';
  /** Inference time of the tile (ms; about 0 for a cache hit). */
  ms: number;
  /** Wall time from request to result, including the wait in the queue (ms). */
  requestMs: number;
  /** Worst band's consistency PSNR (dB). */
  consistencyPsnr: number;
  flagged: boolean;
}

/**
 * Provenance of what the viewer shows enhanced: the fields every record shares (ModelProvenance, from
 * the pipeline's one builder) plus the live tiles. Built by plugin/live/provenance.ts only.
 */
export interface ViewerProvenance extends ModelProvenance {
  imageId: string;
  frame: number;
  tile: { size: number; halo: number };
  /** Bounding box of the enhanced tiles, LR image px (native px when `source.resolution` is 'native'). */
  region: Rect;
  /**
   * Set when the shown image is an overview: the tiles were enhanced from NATIVE-resolution windows
   * of the width x height image (not from the overview shown), with ranges from the overview.
   */
  source?: { resolution: 'native'; width: number; height: number; overviewScale: { x: number; y: number } };
  tiles: LiveTileInfo[];
  /** Pixel spacing of the enhanced grid: the original's divided by the scale. */
  spacing: PixelSpacing;
  consistencyThresholdDb: number;
}

/** Callbacks the host turns into DOM events. */
export interface LiveEnhanceCallbacks {
  progress(p: { done: number; total: number; backend: BackendId }): void;
  tile(info: LiveTileInfo): void;
  fallback(record: FallbackRecord): void;
  provenance(p: ViewerProvenance): void;
  error(e: { code: string; message: string }): void;
  /** After every render of the shown image, with what was drawn (nothing enhanced: `[]`, undefined). */
  rendered(tiles: LiveTileInfo[], watermark: WatermarkBox | undefined): void;
  /** The enhancement status changed. */
  status(status: EnhanceStatus): void;
}

/**
 * Where live enhancement stands: 'off'; 'zoom-in' (on, but the view is not zoomed in enough);
 * 'enhancing' (tiles of the current view queued or running); 'done' (every visible tile shown);
 * 'cancelled' (cancel() stopped the current view's tiles; a new view or setting resumes);
 * 'error' (the view's work was refused or failed, `error` said why; a new view or setting retries).
 */
export type EnhanceStatus = 'off' | 'zoom-in' | 'enhancing' | 'done' | 'cancelled' | 'error';

/** Counters for diagnostics and tests. */
export interface LiveEnhanceStats {
  /** Tile requests dropped because the viewport moved on before they finished. */
  aborted: number;
  /** Tiles enhanced (or taken from the cache) and stored. */
  completed: number;
  /** Renders seen, and renders that drew enhanced pixels. */
  renders: number;
  enhancedRenders: number;
  /** Model runs (cache hits and joined runs excluded) and LR px they computed (inputs, halo included). */
  inferences?: number;
  computedPx?: number;
  /** LR px of the cells those runs produced (what is shown): computedPx / shownPx = halo overhead. */
  shownPx?: number;
}
