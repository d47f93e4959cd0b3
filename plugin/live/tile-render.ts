/**
 * Enhanced tiles (real-unit floats) -> display pixels with a viewer's CURRENT VOI and inversion,
 * written once for every adapter that draws tiles over its own rendering of the original
 * (cornerstone-core, Cornerstone3D): the linear VOI both viewers apply to the original (display.ts
 * `voiToByte`), so window/level moves original and tiles together. Colour rasters map each band to
 * 8 bits through the display model's ranges, then through the VOI. A tile's canvas is re-rendered
 * only when the VOI changed since its last render; the outline corners of drawn tiles are taken
 * here too, through the adapter's image->canvas map.
 */
import type { OutlineTile } from '../watermark/viewport.ts';
import type { DrawTile, Point2 } from './adapter.ts';
import { rangeToByte, voiToByte, type DisplayModel } from './display.ts';

/** Enhanced pixels of one tile: [h, w, samples] real-unit floats (samples = displayed bands). */
export type TilePixels = DrawTile['pixels'];

/** A VOI as a window (cornerstone-core's viewport: centre and width) plus inversion. */
export interface VoiWindow {
  windowCenter: number;
  windowWidth: number;
  invert: boolean;
}

/** A VOI as a range (Cornerstone3D's `voiRange`: lower and upper value) plus inversion. */
export interface VoiState {
  lower: number;
  upper: number;
  invert: boolean;
}

/** The VOI a tile rendering depends on, in whichever form the viewer keeps it. */
export type TileVoi = VoiWindow | VoiState;

/** Centre and width of a VOI (a range's computed as Cornerstone3D does: width = upper - lower). */
function windowOf(voi: TileVoi): { c: number; w: number } {
  if ('windowCenter' in voi) return { c: voi.windowCenter, w: voi.windowWidth };
  const w = voi.upper - voi.lower;
  return { c: voi.lower + w / 2, w };
}

/** The VOI state a rendering depends on, as a cache key. */
export function voiKey(voi: TileVoi): string {
  return 'windowCenter' in voi
    ? `${voi.windowCenter}|${voi.windowWidth}|${voi.invert}`
    : `${voi.lower}|${voi.upper}|${voi.invert}`;
}

/** Fills an RGBA buffer with the display rendering of `tile`. */
export function tileRgba(
  tile: TilePixels,
  display: DisplayModel,
  voi: TileVoi,
): Uint8ClampedArray<ArrayBuffer> {
  const n = tile.width * tile.height;
  const out = new Uint8ClampedArray(new ArrayBuffer(n * 4));
  const { c, w } = windowOf(voi);
  const inv = voi.invert;
  for (let i = 0; i < n; i++) {
    if (display.kind === 'gray') {
      const v = tile.data[i * tile.samples] as number;
      const b = Number.isFinite(v) ? voiToByte(v, c, w, inv) : inv ? 255 : 0;
      out[i * 4] = b;
      out[i * 4 + 1] = b;
      out[i * 4 + 2] = b;
    } else {
      for (let ch = 0; ch < 3; ch++) {
        const [lo, hi] = display.ranges[ch] as [number, number];
        const byte = rangeToByte(
          tile.data[i * tile.samples + Math.min(ch, tile.samples - 1)] as number,
          lo,
          hi,
        );
        out[i * 4 + ch] = voiToByte(byte, c, w, inv);
      }
    }
    out[i * 4 + 3] = 255;
  }
  return out;
}

/** One canvas per enhanced tile (keyed by its pixels), re-rendered only when the VOI changes. */
export class TileCanvases {
  private readonly canvases = new WeakMap<Float32Array, { canvas: HTMLCanvasElement; key: string }>();

  /** The tile's canvas rendered with `voi`. */
  get(tile: TilePixels, display: DisplayModel, voi: TileVoi): HTMLCanvasElement {
    let entry = this.canvases.get(tile.data);
    if (!entry) {
      const canvas = document.createElement('canvas');
      canvas.width = tile.width;
      canvas.height = tile.height;
      entry = { canvas, key: '' };
      this.canvases.set(tile.data, entry);
    }
    const key = voiKey(voi);
    if (entry.key !== key) {
      const ctx = entry.canvas.getContext('2d');
      if (!ctx) throw new Error('no 2D context for an enhanced tile');
      ctx.putImageData(new ImageData(tileRgba(tile, display, voi), tile.width, tile.height), 0, 0);
      entry.key = key;
    }
    return entry.canvas;
  }
}

/** The outline of drawn tiles: each tile's rect corners mapped to canvas px by the adapter. */
export function tileOutline(tiles: DrawTile[], toCanvas: (p: Point2) => Point2): OutlineTile[] {
  return tiles.map((t) => {
    const { x, y, width: w, height: h } = t.rect;
    const p = (px: number, py: number) => toCanvas({ x: px, y: py });
    return {
      col: t.col,
      row: t.row,
      corners: [p(x, y), p(x + w, y), p(x + w, y + h), p(x, y + h)],
      flagged: t.flagged,
    };
  });
}
