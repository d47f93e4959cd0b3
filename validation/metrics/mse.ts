/** Pixel-error statistics (MSE, RMSE, MAE, mean bias), accumulated in float64. */
import { ValidationError } from '../errors.ts';
import type { Plane } from '../image.ts';
import { prepare, type MetricOptions } from './prepare.ts';

/** Error statistics of `test` against `reference` over the measured pixels. */
export interface ErrorStats {
  mse: number;
  rmse: number;
  mae: number;
  /** Mean signed error (test - reference): a brightness shift shows here, not in MSE. */
  bias: number;
  /** Number of pixels measured. */
  n: number;
}

/** MSE, RMSE, MAE and bias; `dataRange` is not needed here, so it is optional. */
export function errorStats(reference: Plane, test: Plane, opts: Partial<MetricOptions> = {}): ErrorStats {
  const { a, b, mask } = prepare(reference, test, opts);
  let se = 0;
  let ae = 0;
  let sum = 0;
  let n = 0;
  for (let i = 0; i < a.data.length; i++) {
    if (mask && mask[i] === 0) continue;
    const d = (b.data[i] as number) - (a.data[i] as number);
    se += d * d;
    ae += Math.abs(d);
    sum += d;
    n++;
  }
  if (n === 0) throw new ValidationError('EMPTY_MASK', 'no valid pixel to measure');
  const mse = se / n;
  return { mse, rmse: Math.sqrt(mse), mae: ae / n, bias: sum / n, n };
}

/** Mean squared error. */
export function mse(reference: Plane, test: Plane, opts: Partial<MetricOptions> = {}): number {
  return errorStats(reference, test, opts).mse;
}
