/** Per-tile maps: an image cut into square tiles, one number per tile (NaN = nothing measured). */
import { ValidationError } from './errors.ts';
import type { Mask, Plane } from './image.ts';

/** One number per tile, row-major; the last row/column may be partial tiles. */
export interface TileMap {
  tileSize: number;
  cols: number;
  rows: number;
  values: Float64Array;
}

/** An empty map covering width x height. */
export function tileMap(width: number, height: number, tileSize: number): TileMap {
  if (!Number.isInteger(tileSize) || tileSize < 1) {
    throw new ValidationError('INVALID_ARGUMENT', `tile size must be a positive integer, got ${tileSize}`);
  }
  const cols = Math.ceil(width / tileSize);
  const rows = Math.ceil(height / tileSize);
  return { tileSize, cols, rows, values: new Float64Array(cols * rows).fill(NaN) };
}

/**
 * Averages a per-pixel map (e.g. the SSIM map, which starts `offset` px into the image) into tiles of
 * the image; NaN map pixels are skipped.
 */
export function tileMeans(
  map: ArrayLike<number>,
  mapWidth: number,
  mapHeight: number,
  offset: number,
  imageWidth: number,
  imageHeight: number,
  tileSize: number,
): TileMap {
  const t = tileMap(imageWidth, imageHeight, tileSize);
  const sum = new Float64Array(t.values.length);
  const cnt = new Float64Array(t.values.length);
  for (let y = 0; y < mapHeight; y++) {
    const ty = Math.floor((y + offset) / tileSize) * t.cols;
    for (let x = 0; x < mapWidth; x++) {
      const v = map[y * mapWidth + x] as number;
      if (Number.isNaN(v)) continue;
      const i = ty + Math.floor((x + offset) / tileSize);
      sum[i] = (sum[i] as number) + v;
      cnt[i] = (cnt[i] as number) + 1;
    }
  }
  for (let i = 0; i < sum.length; i++)
    if ((cnt[i] as number) > 0) t.values[i] = (sum[i] as number) / (cnt[i] as number);
  return t;
}

/** Per-tile mean squared error (and mean signed error) of test vs reference over valid pixels. */
export function tileErrors(
  reference: Plane,
  test: Plane,
  tileSize: number,
  mask?: Mask,
): { mse: TileMap; bias: TileMap } {
  const mse = tileMap(reference.width, reference.height, tileSize);
  const bias = tileMap(reference.width, reference.height, tileSize);
  const se = new Float64Array(mse.values.length);
  const sd = new Float64Array(mse.values.length);
  const cnt = new Float64Array(mse.values.length);
  for (let y = 0; y < reference.height; y++) {
    const ty = Math.floor(y / tileSize) * mse.cols;
    for (let x = 0; x < reference.width; x++) {
      const p = y * reference.width + x;
      if (mask && mask[p] === 0) continue;
      const d = (test.data[p] as number) - (reference.data[p] as number);
      if (Number.isNaN(d)) continue;
      const i = ty + Math.floor(x / tileSize);
      se[i] = (se[i] as number) + d * d;
      sd[i] = (sd[i] as number) + d;
      cnt[i] = (cnt[i] as number) + 1;
    }
  }
  for (let i = 0; i < se.length; i++) {
    const c = cnt[i] as number;
    if (c > 0) {
      mse.values[i] = (se[i] as number) / c;
      bias.values[i] = (sd[i] as number) / c;
    }
  }
  return { mse, bias };
}
