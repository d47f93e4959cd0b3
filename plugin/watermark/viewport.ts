/**
 * The viewport watermark: drawn by live enhancement on EVERY render that shows enhanced pixels
 * (zoom, pan, window/level, resize all re-render through cornerstone), never through a public
 * switch. The label sits in a corner of the enhanced area (bottom-right unless the host picks
 * another) on an opaque box so it reads on any content, smaller when zoomed in (it would otherwise
 * hide what the user zoomed in to see); the enhanced region is outlined, tiles failing the
 * consistency check get a dashed marker, and when the enhanced tiles cover the whole view (their
 * outline is off-screen) a frame along the view's edges says so.
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
  /** The compact size (zoomed in past COMPACT_ZOOM). */
  compact?: boolean;
  /** The whole view is enhanced: the frame along its edges was drawn. */
  wholeView?: boolean;
}

/** Corners the label may sit in. */
export const MARK_CORNERS = ['bottom-right', 'bottom-left', 'top-right', 'top-left'] as const;
/** A corner of the enhanced area. */
export type MarkCorner = (typeof MARK_CORNERS)[number];

/** Screen px per image px from which the label is drawn compact. */
export const COMPACT_ZOOM = 2;

/** How the label is placed; nothing here can hide it. */
export interface MarkOptions {
  /** Default 'bottom-right'. */
  corner?: MarkCorner;
  /** Screen px per image px: at COMPACT_ZOOM and above the label is drawn small (11 px). */
  zoom?: number;
  /** The enhanced tiles cover the whole area (see outlineTiles): draw the frame on its edges. */
  wholeView?: boolean;
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

/** The canvas strip [x0, x1) x [0, height) the enhanced side covers. */
export interface MarkArea {
  x0: number;
  x1: number;
  height: number;
}

/**
 * Draws the label in a corner (bottom-right by default) of the canvas strip [x0, x1) (the enhanced
 * side), in canvas pixels whatever the context's transform was, after the whole-view frame when
 * asked. Wrapped at ' · ' when the strip is narrow; turned vertical when even the widest word does
 * not fit, so it stays on the enhanced side of a split.
 */
export function drawWatermark(
  ctx: CanvasRenderingContext2D,
  label: string,
  area: MarkArea,
  options: MarkOptions = {},
): WatermarkBox {
  ctx.save();
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  const wholeView = options.wholeView === true;
  if (wholeView) {
    ctx.lineWidth = 4;
    ctx.strokeStyle = WATERMARK_COLORS.outline;
    ctx.strokeRect(area.x0 + 2, 2, area.x1 - area.x0 - 4, area.height - 4);
  }
  const compact = (options.zoom ?? 0) >= COMPACT_ZOOM;
  // 11 px bold is the smallest size that still reads on a clinical display
  const px = compact ? 11 : Math.max(11, Math.min(16, Math.round(area.height / 32)));
  ctx.font = `bold ${px}px sans-serif`;
  ctx.textBaseline = 'top';
  const strip = area.x1 - area.x0;
  const lineH = Math.round(px * 1.25);
  let pad = compact ? 3 : Math.round(px / 2);
  // inside the whole-view frame, not on it
  let margin = wholeView ? 6 : 4;
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
  const corner = options.corner ?? 'bottom-right';
  const x = Math.round(corner.endsWith('left') ? area.x0 + margin : area.x1 - margin - width);
  const y = corner.startsWith('top') ? margin : Math.max(0, Math.round(area.height - margin - height));
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
  return { x, y, width, height, lines, rotated, compact, wholeView };
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

/**
 * Strokes the boundary of the union of drawn tiles (edges with no drawn neighbour), then flagged
 * tiles. Returns whether the tiles cover the whole `area` (no boundary edge crosses it: the outline
 * is off-screen, so only MarkOptions.wholeView can say that everything shown is enhanced).
 */
export function outlineTiles(ctx: CanvasRenderingContext2D, tiles: OutlineTile[], area?: MarkArea): boolean {
  const present = new Set(tiles.map((t) => `${t.col},${t.row}`));
  // an edge whose box reaches 1 px inside the area is visible (edges are axis-aligned unless rotated)
  const inside = (a: Point, b: Point) =>
    !area ||
    (Math.max(a.x, b.x) > area.x0 + 1 &&
      Math.min(a.x, b.x) < area.x1 - 1 &&
      Math.max(a.y, b.y) > 1 &&
      Math.min(a.y, b.y) < area.height - 1);
  // no boundary edge crosses the area: it lies wholly inside the union or wholly outside; its centre says which
  const cx = area ? (area.x0 + area.x1) / 2 : 0;
  const cy = area ? area.height / 2 : 0;
  let covered =
    !!area &&
    tiles.some((t) => {
      const xs = t.corners.map((c) => c.x);
      const ys = t.corners.map((c) => c.y);
      return cx >= Math.min(...xs) && cx <= Math.max(...xs) && cy >= Math.min(...ys) && cy <= Math.max(...ys);
    });
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
      if (inside(a, b)) covered = false;
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
  return covered;
}
