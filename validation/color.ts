/** Colour to luma as the SR benchmarks measure it: MATLAB rgb2ycbcr's Y (ITU-R BT.601, studio range). */
import { ValidationError } from './errors.ts';
import type { Plane } from './image.ts';

/**
 * Y = 16 + (65.481 R + 128.553 G + 24.966 B) / 255 for R, G, B in 0..255 (i.e. 65.481... on [0,1]),
 * kept as float (MATLAB rounds to uint8 for uint8 input; the common Python ports do not).
 * `scale` is the white level of the input (255 for 8-bit); the result is on the 0..255 Y scale.
 */
export function rgbToY(r: Plane, g: Plane, b: Plane, scale = 255): Plane {
  const n = r.width * r.height;
  if (g.data.length !== n || b.data.length !== n || r.data.length !== n) {
    throw new ValidationError('SIZE_MISMATCH', 'R, G and B planes differ in size');
  }
  const out = new Float64Array(n);
  const k = 1 / scale;
  for (let i = 0; i < n; i++) {
    out[i] =
      16 +
      65.481 * (r.data[i] as number) * k +
      128.553 * (g.data[i] as number) * k +
      24.966 * (b.data[i] as number) * k;
  }
  return { width: r.width, height: r.height, data: out };
}
