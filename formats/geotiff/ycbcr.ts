/**
 * YCbCr -> RGB exactly as libjpeg(-turbo) does it (jdcolor.c: 16-bit fixed point, round half up,
 * clamp), which is what GDAL/libtiff deliver for YCbCr JPEG (JPEGCOLORMODE=RGB). geotiff.js's
 * JPEG decoder returns the components untransformed; float formulas would differ by one here and there.
 */

const SCALEBITS = 16;
const ONE_HALF = 1 << (SCALEBITS - 1);
const fix = (x: number): number => Math.round(x * (1 << SCALEBITS));

const crR = new Int32Array(256);
const cbB = new Int32Array(256);
const crG = new Int32Array(256);
const cbG = new Int32Array(256);
for (let i = 0; i < 256; i++) {
  const x = i - 128;
  crR[i] = (fix(1.402) * x + ONE_HALF) >> SCALEBITS;
  cbB[i] = (fix(1.772) * x + ONE_HALF) >> SCALEBITS;
  crG[i] = -fix(0.71414) * x;
  cbG[i] = -fix(0.34414) * x + ONE_HALF;
}

const clamp = (v: number): number => (v < 0 ? 0 : v > 255 ? 255 : v);

/** Converts pixel-interleaved 8-bit YCbCr triples to RGB in place. */
export function ycbcrToRgbInPlace(px: Uint8Array): void {
  for (let i = 0; i + 2 < px.length; i += 3) {
    const y = px[i] as number;
    const cb = px[i + 1] as number;
    const cr = px[i + 2] as number;
    px[i] = clamp(y + (crR[cr] as number));
    px[i + 1] = clamp(y + (((cbG[cb] as number) + (crG[cr] as number)) >> SCALEBITS));
    px[i + 2] = clamp(y + (cbB[cb] as number));
  }
}
