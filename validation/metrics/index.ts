/** All full-reference metrics of one image pair in one call, the shape reports and the CLI print. */
import { ValidationError } from '../errors.ts';
import type { Plane } from '../image.ts';
import { msSsim } from './msssim.ts';
import { errorStats } from './mse.ts';
import { prepare, type MetricOptions } from './prepare.ts';
import { psnrFromMse } from './psnr.ts';
import { ssimStats } from './ssim.ts';

export { errorStats, mse, type ErrorStats } from './mse.ts';
export { psnr, psnrFromMse } from './psnr.ts';
export { ssim, ssimStats, type SsimStats } from './ssim.ts';
export { msSsim, avgPool2, MS_SSIM_WEIGHTS, MS_SSIM_MIN_SIDE } from './msssim.ts';
export { gaussianKernel, filterValid } from './gaussian.ts';
export type { MetricOptions } from './prepare.ts';

/** Every metric of a pair; ms_ssim is null (with the reason) when the image is too small. */
export interface PairMetrics {
  mse: number;
  rmse: number;
  mae: number;
  bias: number;
  psnr: number;
  ssim: number;
  ms_ssim: number | null;
  ms_ssim_note?: string;
  /** Pixels measured (after shave and mask). */
  n: number;
}

/** MSE, RMSE, MAE, bias, PSNR, SSIM and MS-SSIM of `test` against `reference`. */
export function compare(reference: Plane, test: Plane, opts: MetricOptions): PairMetrics {
  const e = errorStats(reference, test, opts);
  const p = prepare(reference, test, opts);
  const s = ssimStats(p.a, p.b, opts.dataRange, p.mask);
  let ms: number | null = null;
  let note: string | undefined;
  try {
    ms = msSsim(reference, test, opts);
  } catch (err) {
    if (!(err instanceof ValidationError) || err.code !== 'IMAGE_TOO_SMALL') throw err;
    note = err.message;
  }
  return {
    mse: e.mse,
    rmse: e.rmse,
    mae: e.mae,
    bias: e.bias,
    psnr: psnrFromMse(e.mse, opts.dataRange),
    ssim: s.ssim,
    ms_ssim: ms,
    ...(note ? { ms_ssim_note: note } : {}),
    n: e.n,
  };
}
