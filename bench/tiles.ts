/**
 * Real fixture pixels as normalized model inputs for the inference benchmarks, in Node and in the
 * browser bench page: one range over the whole image (models/normalize), then centred square crops.
 */
import { openRaster, toModalityValues, type RasterInput } from '../formats/index.ts';
import type { TileTensor } from '../models/backend/types.ts';
import { computeRange, normalize } from '../models/normalize.ts';

/** A 512x512 CT slice (16-bit, JPEG-LS near-lossless): large enough for a 512 px tile. */
export const TILE_FIXTURE = 'fixtures/dicom/ct512_jpegls_near_lossless.dcm';

/** Decodes band 0 of frame 0, normalizes it over the whole image and crops a centred n x n tile per size. */
export async function fixtureTiles(input: RasterInput, sizes: number[]): Promise<Map<number, TileTensor>> {
  const source = await openRaster(input);
  try {
    const raster = await source.read();
    const values = toModalityValues(raster);
    const sel = { stride: raster.samples, band: 0 };
    const plane = normalize(values, computeRange(values, sel), sel);
    const tiles = new Map<number, TileTensor>();
    for (const n of sizes) {
      if (n > raster.width || n > raster.height)
        throw new Error(`a ${n} px tile does not fit a ${raster.width}x${raster.height} fixture`);
      const x0 = (raster.width - n) >> 1;
      const y0 = (raster.height - n) >> 1;
      const data = new Float32Array(n * n);
      for (let y = 0; y < n; y++)
        data.set(plane.subarray((y0 + y) * raster.width + x0, (y0 + y) * raster.width + x0 + n), y * n);
      tiles.set(n, { data, width: n, height: n });
    }
    return tiles;
  } finally {
    await source.close();
  }
}

/** Output megapixels per second of a tile of n x n LR px at scale s taking `ms`. */
export function outputMps(n: number, scale: number, ms: number): number {
  return (n * scale) ** 2 / 1e6 / (ms / 1000);
}
