/** Peak signal-to-noise ratio, 10 log10(R^2 / MSE), as scikit-image's peak_signal_noise_ratio. */
import { checkDataRange } from '../datarange.ts';
import type { Plane } from '../image.ts';
import { errorStats } from './mse.ts';
import type { MetricOptions } from './prepare.ts';

/** PSNR in dB from an MSE; identical images give +Infinity (JSON writers turn it into null). */
export function psnrFromMse(mse: number, dataRange: number): number {
  checkDataRange(dataRange);
  return 10 * Math.log10((dataRange * dataRange) / mse);
}

/** PSNR of `test` against `reference` with an explicit data range. */
export function psnr(reference: Plane, test: Plane, opts: MetricOptions): number {
  checkDataRange(opts.dataRange);
  return psnrFromMse(errorStats(reference, test, opts).mse, opts.dataRange);
}
