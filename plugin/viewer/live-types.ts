/** The types of live enhancement: its configuration, what it reports per tile and as provenance. */
import type { BackendId, BackendPreference, FallbackRecord } from '../../models/backend/types.ts';
import type { Variant } from '../../models/card.ts';
import type { BandNormalization } from '../pipeline/provenance.ts';
import type { Rect } from '../pipeline/tiler.ts';
import type { PixelSpacing } from './loader.ts';
import type { WatermarkBox } from './watermark.ts';

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

/** Provenance of what the viewer shows enhanced. */
export interface ViewerProvenance {
  aiEnhanced: true;
  imageId: string;
  frame: number;
  modelId: string;
  variant: string;
  modelKey: string;
  modelVersion: string;
  sha256: string;
  perceptual: boolean;
  scale: number;
  /** Tiles per backend ('cache' = cache hits). */
  backends: Partial<Record<BackendId | 'cache', number>>;
  fallbacks: FallbackRecord[];
  normalization: BandNormalization[];
  tile: { size: number; halo: number };
  /** Bounding box of the enhanced tiles, LR image px. */
  region: Rect;
  tiles: LiveTileInfo[];
  /** Pixel spacing of the enhanced grid: the original's divided by the scale. */
  spacing: PixelSpacing;
  consistencyThresholdDb: number;
  tilesrVersion: string;
  createdAt: string;
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
 * 'cancelled' (cancel() stopped the current view's tiles; a new view or setting resumes).
 */
export type EnhanceStatus = 'off' | 'zoom-in' | 'enhancing' | 'done' | 'cancelled';

/** Counters for diagnostics and tests. */
export interface LiveEnhanceStats {
  /** Tile requests dropped because the viewport moved on before they finished. */
  aborted: number;
  /** Tiles enhanced (or taken from the cache) and stored. */
  completed: number;
  /** Renders seen, and renders that drew enhanced pixels. */
  renders: number;
  enhancedRenders: number;
}
