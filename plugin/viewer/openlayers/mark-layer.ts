/**
 * The "AI-enhanced" mark as an OpenLayers layer: a 2D canvas (class `ol-layer`, so canvas exports
 * that compose the map's layer canvases keep it) redrawn by OpenLayers on EVERY frame. Whenever a
 * frame shows at least one enhanced tile it strokes the outline of the enhanced tiles and draws the
 * label in the bottom-right of the enhanced area (right of the swipe line); there is no switch.
 */
import Layer from 'ol/layer/Layer.js';
import type { FrameState } from 'ol/Map.js';
import { apply as applyTransform } from 'ol/transform.js';
import type { LiveTileInfo } from '../../live/types.ts';
import {
  drawWatermark,
  outlineTiles,
  type OutlineTile,
  type WatermarkBox,
} from '../../watermark/viewport.ts';
import type { EnhancedMapTile } from './enhanced-tiles.ts';
import { imageToMap, type MapPlacement } from './grid.ts';

/** What the mark layer asks its host on every frame. */
export interface MarkSource {
  /** Enhanced tiles the enhanced layer may draw in this frame (finished, layer in range). */
  shown(frame: FrameState): EnhancedMapTile[];
  /** The watermark text. */
  label(): string;
  /** Canvas x (CSS px fraction 0..1 of the width) left of which enhanced pixels are not drawn. */
  swipe(): number;
  /** Called after each frame with what was drawn. */
  rendered(tiles: LiveTileInfo[], box: WatermarkBox | undefined): void;
}

/** Counters for tests: frames seen, frames with enhanced tiles, frames whose label was drawn. */
export interface MarkStats {
  frames: number;
  enhancedFrames: number;
  labelled: number;
}

/** Creates the mark layer (put it above both raster layers). */
export function createMarkLayer(place: MapPlacement, host: MarkSource): { layer: Layer; stats: MarkStats } {
  const canvas = document.createElement('canvas');
  canvas.className = 'ol-layer sr-mark';
  canvas.style.cssText = 'position:absolute;left:0;top:0;width:100%;height:100%;pointer-events:none';
  const ctx = canvas.getContext('2d') as CanvasRenderingContext2D;
  const stats: MarkStats = { frames: 0, enhancedFrames: 0, labelled: 0 };
  const render = (frame: FrameState): HTMLElement => {
    stats.frames++;
    const ratio = frame.pixelRatio;
    const w = Math.round((frame.size[0] ?? 0) * ratio);
    const h = Math.round((frame.size[1] ?? 0) * ratio);
    if (canvas.width !== w || canvas.height !== h) {
      canvas.width = w;
      canvas.height = h;
    } else ctx.clearRect(0, 0, w, h);
    const tiles = host.shown(frame);
    const splitX = host.swipe() * w;
    const toCanvas = (x: number, y: number) => {
      const p = applyTransform(frame.coordinateToPixelTransform, imageToMap(place, { x, y }));
      return { x: (p[0] ?? 0) * ratio, y: (p[1] ?? 0) * ratio };
    };
    const outline: OutlineTile[] = [];
    let x0 = Infinity,
      x1 = -Infinity,
      y1 = -Infinity;
    for (const t of tiles) {
      const c = t.cell;
      const corners: OutlineTile['corners'] = [
        toCanvas(c.x, c.y),
        toCanvas(c.x + c.width, c.y),
        toCanvas(c.x + c.width, c.y + c.height),
        toCanvas(c.x, c.y + c.height),
      ];
      outline.push({ col: t.x, row: t.y, corners, flagged: t.info.flagged });
      x0 = Math.min(x0, corners[0].x);
      x1 = Math.max(x1, corners[1].x);
      y1 = Math.max(y1, corners[2].y);
    }
    // the enhanced area actually on the canvas, right of the swipe line
    x0 = Math.max(x0, splitX, 0);
    x1 = Math.min(x1, w);
    y1 = Math.min(y1, h);
    let box: WatermarkBox | undefined;
    if (outline.length > 0 && x1 > x0 && y1 > 0) {
      stats.enhancedFrames++;
      ctx.save();
      ctx.beginPath();
      ctx.rect(splitX, 0, w - splitX, h);
      ctx.clip();
      try {
        outlineTiles(ctx, outline);
      } finally {
        ctx.restore();
        // the label goes on even if the outline failed
        box = drawWatermark(ctx, host.label(), { x0, x1, height: y1 });
        stats.labelled++;
      }
    }
    host.rendered(
      tiles.map((t) => t.info),
      box,
    );
    return canvas;
  };
  return { layer: new Layer({ render, zIndex: 1000 }), stats };
}
