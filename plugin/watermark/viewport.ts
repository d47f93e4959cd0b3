/**
 * The viewport watermark: drawn by live enhancement on EVERY render that shows enhanced pixels
 * (zoom, pan, window/level, resize all re-render through cornerstone), never through a public
 * switch. The label sits in the bottom-right corner of the enhanced area on an opaque box so it
 * reads on any content; the enhanced region is outlined, tiles failing the consistency check get a
 * dashed marker.
 */
import { watermarkText } from './burn.ts';

/** Box fill and text/outline colors (tests look for these exact pixels). */
export const WATERMARK_COLORS = {
  box: [0, 0, 0] as const,
  text: [255, 212, 0] as const,
  outline: '#ffd400',
  flagged: '#ff00ff',
};

/** Where the label went, in canvas pixels. */
export interface WatermarkBox {
  x: number;
  y: number;
  width: number;
  height: number;
  lines: string[];
  /** Drawn vertically because the enhanced strip is narrower than the label's widest word. */
  rotated: boolean;
}

/** "AI-enhanced · <model> · x<scale>", plus "perceptual" for GAN weights. */
export function watermarkLabel(modelId: string, scale: number, perceptual: boolean): string {
  const base = watermarkText(modelId, scale);
  return perceptual ? `${base} · perceptual` : base;
}

/** Splits the label at ' · ' into lines that fit `maxWidth` (a part too long stays whole). */
function layout(ctx: CanvasRenderingContext2D, text: string, maxWidth: number): string[] {
  const lines: string[] = [];
  for (const part of text.split(' · ')) {
    const last = lines[lines.length - 1];
    if (last !== undefined && ctx.measureText(`${last} · ${part}`).width <= maxWidth)
      lines[lines.length - 1] = `${last} · ${part}`;
    else lines.push(part);
  }
  return lines;
}

/**
 * Draws the label at the bottom-right of the canvas strip [x0, x1) (the enhanced side), in canvas
 * pixels whatever the context's transform was. Wrapped at ' · ' when the strip is narrow; turned
 * vertical when even the widest word does not fit, so it stays on the enhanced side of a split.
 */
export function drawWatermark(
  ctx: CanvasRenderingContext2D,
  label: string,
  area: { x0: number; x1: number; height: number },
): WatermarkBox {
  ctx.save();
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  const px = Math.max(11, Math.min(16, Math.round(area.height / 32)));
  ctx.font = `bold ${px}px sans-serif`;
  ctx.textBaseline = 'top';
  const strip = area.x1 - area.x0;
  const lineH = Math.round(px * 1.25);
  let pad = Math.round(px / 2);
  let margin = 4;
  let lines = layout(ctx, label, Math.max(1, strip - 2 * margin - 2 * pad));
  let textW = Math.ceil(Math.max(...lines.map((l) => ctx.measureText(l).width)));
  // vertical, with a tighter box, when the widest word does not fit across the strip
  const rotated = textW + 2 * pad + 2 * margin > strip;
  if (rotated) {
    pad = 3;
    margin = strip >= px + 2 * pad + 2 ? 1 : 0;
    lines = [label];
    textW = Math.ceil(ctx.measureText(label).width);
  }
  const along = textW + 2 * pad;
  const across = lines.length * lineH + 2 * pad - (lineH - px);
  const width = rotated ? across : along;
  const height = rotated ? along : across;
  const x = Math.round(area.x1 - margin - width);
  const y = Math.max(0, Math.round(area.height - margin - height));
  ctx.fillStyle = `rgb(${WATERMARK_COLORS.box.join(',')})`;
  ctx.fillRect(x, y, width, height);
  ctx.fillStyle = `rgb(${WATERMARK_COLORS.text.join(',')})`;
  if (rotated) {
    // reads bottom to top along the right edge
    ctx.translate(x + pad, y + height - pad);
    ctx.rotate(-Math.PI / 2);
    ctx.fillText(label, 0, 0);
  } else lines.forEach((l, i) => ctx.fillText(l, x + pad, y + pad + i * lineH));
  ctx.restore();
  return { x, y, width, height, lines, rotated };
}

/** A drawn tile for outlining: its grid cell and canvas-space corners. */
export interface OutlineTile {
  col: number;
  row: number;
  /** Canvas coordinates of the tile's corners: top-left, top-right, bottom-right, bottom-left. */
  corners: [Point, Point, Point, Point];
  flagged: boolean;
}

interface Point {
  x: number;
  y: number;
}

/** Strokes the boundary of the union of drawn tiles (edges with no drawn neighbour), then flagged tiles. */
export function outlineTiles(ctx: CanvasRenderingContext2D, tiles: OutlineTile[]): void {
  const present = new Set(tiles.map((t) => `${t.col},${t.row}`));
  ctx.save();
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.lineWidth = 2;
  ctx.strokeStyle = WATERMARK_COLORS.outline;
  ctx.beginPath();
  for (const t of tiles) {
    const [tl, tr, br, bl] = t.corners;
    const edges: Array<[number, number, Point, Point]> = [
      [0, -1, tl, tr],
      [1, 0, tr, br],
      [0, 1, br, bl],
      [-1, 0, bl, tl],
    ];
    for (const [dc, dr, a, b] of edges) {
      if (present.has(`${t.col + dc},${t.row + dr}`)) continue;
      ctx.moveTo(a.x, a.y);
      ctx.lineTo(b.x, b.y);
    }
  }
  ctx.stroke();
  const flagged = tiles.filter((t) => t.flagged);
  if (flagged.length > 0) {
    ctx.strokeStyle = WATERMARK_COLORS.flagged;
    ctx.setLineDash([6, 4]);
    ctx.beginPath();
    for (const t of flagged) {
      const [tl, tr, br, bl] = t.corners;
      ctx.moveTo(tl.x, tl.y);
      ctx.lineTo(tr.x, tr.y);
      ctx.lineTo(br.x, br.y);
      ctx.lineTo(bl.x, bl.y);
      ctx.closePath();
    }
    ctx.stroke();
  }
  ctx.restore();
}
