/**
 * Real fixture pixels for the models tests, in Node and in browsers, decoded by the project's own
 * formats/ decoders (themselves checked against pydicom/GDCM and GDAL).
 */
import { openRaster, type RasterInput } from '../../formats/index.ts';

/** One band of frame 0 as stored values (modality rescale not applied), row-major float64. */
export interface Pixels {
  width: number;
  height: number;
  data: Float64Array;
}

/** Decodes frame 0, band `band` of a fixture (a path in Node, a URL in browsers). */
export async function readPixels(input: RasterInput, band = 0): Promise<Pixels> {
  const source = await openRaster(input);
  try {
    const r = await source.read();
    const data = new Float64Array(r.width * r.height);
    for (let i = 0; i < data.length; i++) data[i] = r.data[i * r.samples + band] as number;
    return { width: r.width, height: r.height, data };
  } finally {
    await source.close();
  }
}

/** A w x h crop of a row-major image, as float64. */
export function cropRows(
  src: ArrayLike<number>,
  stride: number,
  x0: number,
  y0: number,
  w: number,
  h: number,
): Float64Array {
  const out = new Float64Array(w * h);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) out[y * w + x] = src[(y0 + y) * stride + x0 + x] as number;
  return out;
}
