/**
 * Consistency without ground truth: an honest SR output, degraded the way its input was made, should
 * give the input back. Low PSNR here means the model changed what the input says (bias, invented
 * structure large enough to survive downsampling), tile by tile.
 */
import { downsample, type Degradation } from './degrade.ts';
import { ValidationError } from './errors.ts';
import type { Mask, Plane } from './image.ts';
import { errorStats } from './metrics/mse.ts';
import { psnrFromMse } from './metrics/psnr.ts';
import { tileErrors, type TileMap } from './tiles.ts';

/** Options of `consistency`. */
export interface ConsistencyOptions {
  scale: number;
  degradation: Degradation;
  dataRange: number;
  /** Tile side in LR pixels (default 32). */
  tileSize?: number;
  /** Tiles below this PSNR (dB) are flagged (default 35). */
  thresholdDb?: number;
  /** Valid LR pixels. */
  mask?: Mask;
}

/** Result of `consistency`. */
export interface ConsistencyResult {
  /** PSNR of downsample(SR) against LR, dB. */
  psnr: number;
  /** Mean of downsample(SR) - LR in data units: a brightness shift introduced by the model. */
  bias: number;
  mae: number;
  /** Per-LR-tile PSNR (dB). */
  map: TileMap;
  thresholdDb: number;
  /** Row-major tile indices below the threshold. */
  flagged: number[];
  /** flagged / measured tiles. */
  flaggedShare: number;
}

/** Downsamples `sr` with the same degradation and compares it to `lr`. */
export function consistency(lr: Plane, sr: Plane, opts: ConsistencyOptions): ConsistencyResult {
  if (sr.width !== lr.width * opts.scale || sr.height !== lr.height * opts.scale) {
    throw new ValidationError(
      'SIZE_MISMATCH',
      `SR ${sr.width}x${sr.height} is not ${opts.scale}x LR ${lr.width}x${lr.height}`,
    );
  }
  const back = downsample(sr, opts.scale, { degradation: opts.degradation });
  const e = errorStats(lr, back, { mask: opts.mask });
  const threshold = opts.thresholdDb ?? 35;
  const tiles = tileErrors(lr, back, opts.tileSize ?? 32, opts.mask);
  const map = {
    ...tiles.mse,
    values: tiles.mse.values.map((m) => (Number.isNaN(m) ? NaN : psnrFromMse(m, opts.dataRange))),
  };
  const flagged: number[] = [];
  let measured = 0;
  map.values.forEach((v, i) => {
    if (Number.isNaN(v)) return;
    measured++;
    if (v < threshold) flagged.push(i);
  });
  return {
    psnr: psnrFromMse(e.mse, opts.dataRange),
    bias: e.bias,
    mae: e.mae,
    map,
    thresholdDb: threshold,
    flagged,
    flaggedShare: measured > 0 ? flagged.length / measured : 0,
  };
}
