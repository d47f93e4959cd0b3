/**
 * An enhanced tile (real-unit floats) -> RGBA with the viewport's CURRENT VOI range and inversion,
 * the linear mapping Cornerstone3D applies to the original ((v - lower) / (upper - lower) over 0..255),
 * so window/level moves original and tiles together. Colour rasters map through their display ranges.
 */
import type { DrawTile } from '../../live/adapter.ts';
import { rangeToByte, voiToByte, type DisplayModel } from '../../live/display.ts';

/** The VOI state a tile rendering depends on (Cornerstone3D's voiRange + invert). */
export interface VoiState {
  lower: number;
  upper: number;
  invert: boolean;
}

/** Fills an RGBA buffer with the display rendering of `tile`. */
export function tileRgba(
  tile: DrawTile['pixels'],
  display: DisplayModel,
  voi: VoiState,
): Uint8ClampedArray<ArrayBuffer> {
  const n = tile.width * tile.height;
  const out = new Uint8ClampedArray(new ArrayBuffer(n * 4));
  const w = voi.upper - voi.lower;
  const c = voi.lower + w / 2;
  for (let i = 0; i < n; i++) {
    if (display.kind === 'gray') {
      const v = tile.data[i * tile.samples] as number;
      const b = Number.isFinite(v) ? voiToByte(v, c, w, voi.invert) : voi.invert ? 255 : 0;
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
        out[i * 4 + ch] = voiToByte(byte, c, w, voi.invert);
      }
    }
    out[i * 4 + 3] = 255;
  }
  return out;
}
