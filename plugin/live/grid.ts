/**
 * The fixed enhancement grid: cells of `tile` LR px aligned to the image origin, so the same cell is
 * requested (and cached) whatever the pan; which cells a view needs, nearest its centre first.
 */
import type { Rect } from '../pipeline/tiler.ts';
import type { Point2 as Point } from './adapter.ts';

/** A grid cell: column and row. */
export type Cell = [number, number];

/** The LR rect of cell (col, row), cut at the image edge. */
export function cellRect(col: number, row: number, tile: number, width: number, height: number): Rect {
  const x = col * tile;
  const y = row * tile;
  return { x, y, width: Math.min(tile, width - x), height: Math.min(tile, height - y) };
}

/** The bounding box of image points (e.g. the canvas corners mapped to the image), clamped to it. */
export function regionOf(points: Point[], width: number, height: number): Rect {
  const x0 = Math.max(0, Math.floor(Math.min(...points.map((c) => c.x))));
  const y0 = Math.max(0, Math.floor(Math.min(...points.map((c) => c.y))));
  const x1 = Math.min(width, Math.ceil(Math.max(...points.map((c) => c.x))));
  const y1 = Math.min(height, Math.ceil(Math.max(...points.map((c) => c.y))));
  return { x: x0, y: y0, width: Math.max(0, x1 - x0), height: Math.max(0, y1 - y0) };
}

/** Cells covering `region` and the `ring` rings around them, each list nearest the region's centre first. */
export function gridCells(
  region: Rect,
  tile: number,
  width: number,
  height: number,
  ring: number,
): { visible: Cell[]; ring: Cell[] } {
  if (region.width <= 0 || region.height <= 0) return { visible: [], ring: [] };
  const c0 = Math.floor(region.x / tile);
  const r0 = Math.floor(region.y / tile);
  const c1 = Math.ceil((region.x + region.width) / tile) - 1;
  const r1 = Math.ceil((region.y + region.height) / tile) - 1;
  const cx = region.x + region.width / 2;
  const cy = region.y + region.height / 2;
  const dist = ([c, r]: Cell) => Math.hypot((c + 0.5) * tile - cx, (r + 0.5) * tile - cy);
  const visible: Cell[] = [];
  const around: Cell[] = [];
  const maxC = Math.ceil(width / tile) - 1;
  const maxR = Math.ceil(height / tile) - 1;
  for (let r = Math.max(0, r0 - ring); r <= Math.min(maxR, r1 + ring); r++)
    for (let c = Math.max(0, c0 - ring); c <= Math.min(maxC, c1 + ring); c++)
      (c >= c0 && c <= c1 && r >= r0 && r <= r1 ? visible : around).push([c, r]);
  visible.sort((a, b) => dist(a) - dist(b));
  around.sort((a, b) => dist(a) - dist(b));
  return { visible, ring: around };
}

/** The bounding box of rects (undefined for none). */
export function boundingRect(rects: readonly Rect[]): Rect | undefined {
  if (rects.length === 0) return undefined;
  const x0 = Math.min(...rects.map((r) => r.x));
  const y0 = Math.min(...rects.map((r) => r.y));
  const x1 = Math.max(...rects.map((r) => r.x + r.width));
  const y1 = Math.max(...rects.map((r) => r.y + r.height));
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}
