/**
 * Where the model invents or loses detail, given ground truth: per-tile SSIM and RMSE of the model
 * and of bicubic, and the share of tiles where the model is worse than plain bicubic. A model that
 * wins on average can still lose on a tile: that tile is where a reader should not trust it.
 */
import { ValidationError } from './errors.ts';
import { assertSameSize, type Mask, type Plane } from './image.ts';
import { prepare } from './metrics/prepare.ts';
import { ssimStats } from './metrics/ssim.ts';
import { tileErrors, tileMeans, type TileMap } from './tiles.ts';

/** Options of `hallucination`. */
export interface HallucinationOptions {
  dataRange: number;
  /** Tile side in HR pixels (default 64). */
  tileSize?: number;
  mask?: Mask;
}

/** Per-tile comparison of a model against bicubic on ground truth. */
export interface HallucinationResult {
  tileSize: number;
  ssimModel: TileMap;
  ssimBicubic: TileMap;
  rmseModel: TileMap;
  rmseBicubic: TileMap;
  /** Tiles measured (both SSIMs defined). */
  tiles: number;
  /** Tiles where the model's SSIM is below bicubic's. */
  worseSsim: number;
  /** Tiles where the model's RMSE is above bicubic's. */
  worseRmse: number;
  /** worseSsim / tiles. */
  worseShare: number;
  /** worseRmse / tiles. */
  worseShareRmse: number;
}

function ssimTiles(gt: Plane, x: Plane, dataRange: number, tileSize: number, mask?: Mask): TileMap {
  const p = prepare(gt, x, { mask });
  const s = ssimStats(p.a, p.b, dataRange, p.mask, { keepMap: true });
  return tileMeans(s.map as Float32Array, s.mapWidth, s.mapHeight, s.offset, gt.width, gt.height, tileSize);
}

function rmseTiles(gt: Plane, x: Plane, tileSize: number, mask?: Mask): TileMap {
  const { mse } = tileErrors(gt, x, tileSize, mask);
  return { ...mse, values: mse.values.map(Math.sqrt) };
}

/** Per-tile SSIM/RMSE maps of model and bicubic against ground truth, and where the model loses. */
export function hallucination(
  gt: Plane,
  model: Plane,
  bicubic: Plane,
  opts: HallucinationOptions,
): HallucinationResult {
  assertSameSize(gt, model, opts.mask);
  assertSameSize(gt, bicubic);
  const ts = opts.tileSize ?? 64;
  if (ts < 11) throw new ValidationError('INVALID_ARGUMENT', 'tiles must be at least 11 px for SSIM');
  const ssimModel = ssimTiles(gt, model, opts.dataRange, ts, opts.mask);
  const ssimBicubic = ssimTiles(gt, bicubic, opts.dataRange, ts, opts.mask);
  const rmseModel = rmseTiles(gt, model, ts, opts.mask);
  const rmseBicubic = rmseTiles(gt, bicubic, ts, opts.mask);
  let tiles = 0;
  let worseSsim = 0;
  let worseRmse = 0;
  for (let i = 0; i < ssimModel.values.length; i++) {
    const m = ssimModel.values[i] as number;
    const b = ssimBicubic.values[i] as number;
    if (Number.isNaN(m) || Number.isNaN(b)) continue;
    tiles++;
    if (m < b) worseSsim++;
    if ((rmseModel.values[i] as number) > (rmseBicubic.values[i] as number)) worseRmse++;
  }
  return {
    tileSize: ts,
    ssimModel,
    ssimBicubic,
    rmseModel,
    rmseBicubic,
    tiles,
    worseSsim,
    worseRmse,
    worseShare: tiles > 0 ? worseSsim / tiles : 0,
    worseShareRmse: tiles > 0 ? worseRmse / tiles : 0,
  };
}
