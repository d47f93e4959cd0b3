/** Stitched normalized SR planes -> one float32 array in original units (bands interleaved). */
import { denormalize, type NormRange } from '../../models/normalize.ts';
import type { Rect } from './tiler.ts';

/** One band's stitched output on the model's scale, with its range and LR source values. */
export interface BandPlane {
  /** Normalized SR plane, region.width*s x region.height*s. */
  sr: Float32Array;
  range: NormRange;
  /** Index of the band in the interleaved LR `values`. */
  band: number;
}

/**
 * Maps each band back to original units (clamp to [0,1], then the inverse affine map) and
 * interleaves them. LR pixels that are NaN (nodata) stay NaN in all their SR pixels: the model saw a
 * 0 there, so its output at those places means nothing.
 */
export function assemble(
  planes: BandPlane[],
  lr: { values: ArrayLike<number>; width: number; stride: number },
  region: Rect,
  scale: number,
): Float32Array {
  const sw = region.width * scale;
  const sh = region.height * scale;
  const nb = planes.length;
  const data = new Float32Array(sw * sh * nb);
  planes.forEach(({ sr, range, band }, bi) => {
    // row by row so the float64 denormalized copy stays small
    for (let y = 0; y < sh; y++) {
      const row = denormalize(sr.subarray(y * sw, (y + 1) * sw), range);
      const ly = region.y + Math.floor(y / scale);
      for (let x = 0; x < sw; x++) {
        const lv = lr.values[(ly * lr.width + region.x + Math.floor(x / scale)) * lr.stride + band] as number;
        data[(y * sw + x) * nb + bi] = Number.isNaN(lv) ? NaN : (row[x] as number);
      }
    }
  });
  return data;
}
