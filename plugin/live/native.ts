/**
 * Overview-backed images (LiveImage.native): the engine works in NATIVE px while the adapter shows an
 * overview, so views are scaled to native px on the way in and tile rects to shown px on the way out.
 */
import type { Rect } from '../pipeline/tiler.ts';
import type { ViewState } from './adapter.ts';
import type { LiveImage, NativeSource, PixelSpacing } from './types.ts';

/** The size of the grid an image's cells live in: native px for an overview-backed image. */
export function gridSize(image: LiveImage): { width: number; height: number } {
  return image.native ?? image.raster;
}

/** A native-px rect in the shown (overview) image's px (fractional: the adapter draws it scaled). */
export function toShown(rect: Rect, n: NativeSource): Rect {
  return {
    x: rect.x / n.scaleX,
    y: rect.y / n.scaleY,
    width: rect.width / n.scaleX,
    height: rect.height / n.scaleY,
  };
}

/** A view of the shown image in native px: region grown outward to whole native px, zoom per native px. */
export function toNative(v: ViewState, n: NativeSource): ViewState {
  const r = v.region;
  const x0 = Math.max(0, Math.floor(r.x * n.scaleX));
  const y0 = Math.max(0, Math.floor(r.y * n.scaleY));
  const x1 = Math.min(n.width, Math.ceil((r.x + r.width) * n.scaleX));
  const y1 = Math.min(n.height, Math.ceil((r.y + r.height) * n.scaleY));
  const region =
    r.width > 0 && r.height > 0
      ? { x: x0, y: y0, width: Math.max(0, x1 - x0), height: Math.max(0, y1 - y0) }
      : { x: 0, y: 0, width: 0, height: 0 };
  return { ...v, width: n.width, height: n.height, region, zoom: v.zoom / Math.max(n.scaleX, n.scaleY) };
}

/** Pixel spacing of the enhanced grid: the original's (native for an overview) divided by the model's scale. */
export function enhancedSpacing(image: LiveImage, scale: number): PixelSpacing {
  const o = image.spacing;
  const n = image.native;
  const [fx, fy] = n ? [n.scaleX, n.scaleY] : [1, 1];
  return { ...o, row: o.row / fy / scale, column: o.column / fx / scale };
}
