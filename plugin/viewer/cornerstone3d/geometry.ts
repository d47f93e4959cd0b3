/**
 * Image px <-> canvas px as an affine map, built from where three image points land on the canvas.
 * Pure (no Cornerstone3D), so the mapping that places tiles is tested in Node; the adapter feeds it
 * the viewport's camera through imageToWorldCoords + worldToCanvas, which covers pan, zoom,
 * rotation and flips (any composition of them is affine in 2D).
 */
import type { Point2 } from '../../live/adapter.ts';
import type { Rect } from '../../pipeline/tiler.ts';

/** x' = a x + c y + e, y' = b x + d y + f (CanvasRenderingContext2D.setTransform order). */
export interface Affine {
  a: number;
  b: number;
  c: number;
  d: number;
  e: number;
  f: number;
}

/** The affine through the images of (0,0), (1,0) and (0,1). */
export function affineFrom(o: Point2, ex: Point2, ey: Point2): Affine {
  return { a: ex.x - o.x, b: ex.y - o.y, c: ey.x - o.x, d: ey.y - o.y, e: o.x, f: o.y };
}

/** Applies `m` to `p`. */
export function apply(m: Affine, p: Point2): Point2 {
  return { x: m.a * p.x + m.c * p.y + m.e, y: m.b * p.x + m.d * p.y + m.f };
}

/** The inverse map (throws on a degenerate one: a zero-size canvas or camera). */
export function invert(m: Affine): Affine {
  const det = m.a * m.d - m.b * m.c;
  if (!Number.isFinite(det) || Math.abs(det) < 1e-12) throw new RangeError('degenerate image-to-canvas map');
  const a = m.d / det;
  const b = -m.b / det;
  const c = -m.c / det;
  const d = m.a / det;
  return { a, b, c, d, e: -(a * m.e + c * m.f), f: -(b * m.e + d * m.f) };
}

/** Canvas px per image px along the image's shorter-scaled axis. */
export function zoomOf(m: Affine): number {
  return Math.min(Math.hypot(m.a, m.b), Math.hypot(m.c, m.d));
}

/**
 * The image px region visible on a canvas of `width` x `height` (whole pixels covering the
 * canvas, clamped to the image; empty when the image is off-screen). `x0` leaves out a left strip.
 */
export function visibleRegion(
  m: Affine,
  canvas: { width: number; height: number; x0?: number },
  image: { width: number; height: number },
): Rect {
  const inv = invert(m);
  const x0 = canvas.x0 ?? 0;
  const pts = [
    { x: x0, y: 0 },
    { x: canvas.width, y: 0 },
    { x: x0, y: canvas.height },
    { x: canvas.width, y: canvas.height },
  ].map((p) => apply(inv, p));
  const left = Math.max(0, Math.floor(Math.min(...pts.map((p) => p.x))));
  const top = Math.max(0, Math.floor(Math.min(...pts.map((p) => p.y))));
  const right = Math.min(image.width, Math.ceil(Math.max(...pts.map((p) => p.x))));
  const bottom = Math.min(image.height, Math.ceil(Math.max(...pts.map((p) => p.y))));
  if (right <= left || bottom <= top) return { x: 0, y: 0, width: 0, height: 0 };
  return { x: left, y: top, width: right - left, height: bottom - top };
}
