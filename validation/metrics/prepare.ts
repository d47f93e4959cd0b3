/** What every metric does first: check sizes, shave borders, merge the caller's mask with NaNs. */
import { assertSameSize, effectiveMask, shaveMask, shavePlane, type Mask, type Plane } from '../image.ts';

/** Options shared by the full-reference metrics. */
export interface MetricOptions {
  /** Data range R (peak-to-peak of the signal); see datarange.ts for the rules deriving it. */
  dataRange: number;
  /** Non-zero = measure this pixel. NaN samples are always excluded as well. */
  mask?: Mask;
  /** Pixels cropped from every border before measuring (benchmarks: the scale factor). */
  shave?: number;
}

/** Images ready to measure: same size, shaved, with the effective mask (undefined = all valid). */
export interface Prepared {
  a: Plane;
  b: Plane;
  mask: Mask | undefined;
}

/** Validates and shaves a pair; the mask also drops pixels that are NaN in either image. */
export function prepare(a: Plane, b: Plane, opts: Omit<MetricOptions, 'dataRange'>): Prepared {
  assertSameSize(a, b, opts.mask);
  const shave = opts.shave ?? 0;
  const sa = shavePlane(a, shave);
  const sb = shavePlane(b, shave);
  const m = opts.mask ? shaveMask(opts.mask, a.width, a.height, shave) : undefined;
  return { a: sa, b: sb, mask: effectiveMask(sa, sb, m) };
}
