/**
 * Renders an enhanced tile (real-unit floats) to display pixels with the viewport's CURRENT VOI and
 * inversion, the same mapping cornerstone's LUT applies to the original, so window/level moves both
 * together. A tile's canvas is re-rendered only when the VOI changed since its last render.
 */
import type { Viewport } from './cornerstone.ts';
import { rangeToByte, voiToByte, type DisplayModel } from '../../live/display.ts';

/** Enhanced pixels of one tile: [h, w, samples] real-unit floats (samples = displayed bands). */
export interface TilePixels {
  data: Float32Array;
  width: number;
  height: number;
  samples: number;
}

/** The VOI/inversion state a rendering depends on. */
export function voiKey(viewport: Viewport): string {
  return `${viewport.voi.windowCenter}|${viewport.voi.windowWidth}|${viewport.invert}`;
}

/** Fills an RGBA buffer with the display rendering of `tile`. */
export function renderTilePixels(
  tile: TilePixels,
  display: DisplayModel,
  viewport: Viewport,
): Uint8ClampedArray<ArrayBuffer> {
  const n = tile.width * tile.height;
  const out = new Uint8ClampedArray(new ArrayBuffer(n * 4));
  const { windowCenter: c, windowWidth: w } = viewport.voi;
  const inv = viewport.invert;
  if (display.kind === 'gray') {
    for (let i = 0; i < n; i++) {
      const v = tile.data[i * tile.samples] as number;
      const b = Number.isFinite(v) ? voiToByte(v, c, w, inv) : inv ? 255 : 0;
      out[i * 4] = b;
      out[i * 4 + 1] = b;
      out[i * 4 + 2] = b;
      out[i * 4 + 3] = 255;
    }
    return out;
  }
  for (let i = 0; i < n; i++) {
    for (let ch = 0; ch < 3; ch++) {
      const [lo, hi] = display.ranges[ch] as [number, number];
      const byte = rangeToByte(
        tile.data[i * tile.samples + Math.min(ch, tile.samples - 1)] as number,
        lo,
        hi,
      );
      out[i * 4 + ch] = voiToByte(byte, c, w, inv);
    }
    out[i * 4 + 3] = 255;
  }
  return out;
}

/** A tile's canvas, cached until the VOI changes. */
export class TileCanvas {
  readonly canvas: HTMLCanvasElement;
  private key = '';

  constructor(private readonly tile: TilePixels) {
    this.canvas = document.createElement('canvas');
    this.canvas.width = tile.width;
    this.canvas.height = tile.height;
  }

  /** The canvas rendered with the viewport's current VOI. */
  for(display: DisplayModel, viewport: Viewport): HTMLCanvasElement {
    const key = voiKey(viewport);
    if (key !== this.key) {
      const ctx = this.canvas.getContext('2d');
      if (!ctx) throw new Error('no 2D context for an enhanced tile');
      const rgba = renderTilePixels(this.tile, display, viewport);
      ctx.putImageData(new ImageData(rgba, this.tile.width, this.tile.height), 0, 0);
      this.key = key;
    }
    return this.canvas;
  }
}
