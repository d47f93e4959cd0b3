/**
 * The contract between the viewer-agnostic live engine (plugin/live/) and one viewer
 * (plugin/viewer/cornerstone/, plugin/viewer/cornerstone3d/, plugin/viewer/openlayers/). It names
 * no viewer type: everything is in image pixels of the shown frame (LR, x right, y down) or in
 * canvas pixels of the viewer's drawing surface.
 *
 * The engine decides WHAT to enhance (cells of the visible region, priorities, prefetch, aborts,
 * cache, provenance, consistency); the adapter says WHAT IS SHOWN and DRAWS what the engine hands it,
 * with the mark, on every render that shows an enhanced pixel.
 */
import type { Rect } from '../pipeline/tiler.ts';
import type { MarkOptions, WatermarkBox } from '../watermark/viewport.ts';

/** A point in image px or canvas px. */
export interface Point2 {
  x: number;
  y: number;
}

/** What the viewer shows now. */
export interface ViewState {
  /** Identifies the shown frame (the engine forgets tiles of another frame). */
  imageId: string;
  /** Image size (LR px). */
  width: number;
  height: number;
  /** Visible region of the image (LR px, clamped to the image; empty when nothing shows). */
  region: Rect;
  /** Screen (canvas) px per image px along the smaller axis. */
  zoom: number;
}

/** One enhanced tile as the engine hands it to the adapter for drawing. */
export interface DrawTile {
  col: number;
  row: number;
  /** Shown image px the tile covers (fractional for a native cell of an overview-backed image). */
  rect: Rect;
  /** Enhanced pixels, [h, w, samples] real-unit floats (h = rect.height * scale). */
  pixels: { data: Float32Array; width: number; height: number; samples: number };
  /** Failed the consistency check: drawn with the flagged outline. */
  flagged: boolean;
}

/** What the adapter reports after drawing a frame. */
export interface DrawResult {
  /** Where the mark went (canvas px); undefined only when no tile was drawn. */
  watermark: WatermarkBox | undefined;
}

/** One viewer, as the live engine drives it. */
export interface ViewerAdapter {
  /** 'cornerstone' | 'cornerstone3d' | 'openlayers' | ... (provenance and tests). */
  readonly id: string;
  /** The current view, or undefined when nothing is shown. */
  view(): ViewState | undefined;
  /** Maps image px of the shown frame to canvas px (outlines, label placement). */
  imageToCanvas(p: Point2): Point2;
  /** Asks the viewer for a new render; the adapter calls the render listener from it. */
  requestRedraw(): void;
  /**
   * Calls `listener` on every render of the viewer (pan, zoom, VOI, resize, new image) and returns
   * the unsubscribe function. The engine schedules work and calls `draw` from inside the listener.
   */
  onRender(listener: () => void): () => void;
  /**
   * Draws `tiles` over the viewer's rendering of the original, in the viewer's current display
   * mapping (VOI/inversion or band style), then the outline and the `label` mark. Must draw the mark
   * whenever at least one tile is drawn, even if drawing a tile throws; `mark` (corner, zoom) goes to
   * drawWatermark, with `wholeView` from outlineTiles.
   */
  draw(tiles: DrawTile[], label: string, mark?: MarkOptions): DrawResult;
  /** Image ids of the frames before/after the shown one in a stack (prefetch), nearest first. */
  neighbours?(): string[];
  /** Stops listening; the viewer is left as it was. */
  dispose(): void;
}
