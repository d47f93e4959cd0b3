/**
 * The card's normalization contract. Each image (or band) gets ONE robust range, computed from all of
 * its valid samples: per-tile ranges would give neighbouring tiles different brightness maps and
 * visible seams. Values map affinely so the range becomes [0,1] (clipped) for the model, and the
 * output maps back to the original units with the inverse map. What clipping removed is restored by
 * the pipeline's range rule (plugin/pipeline/range.ts; models/README.md "Output range"), so the
 * inverse map is not clamped: values beyond [0,1] are the image's true extremes.
 *
 * Percentiles follow NumPy's default `np.percentile(..., method='linear')` exactly: sort the n valid
 * values v, take the virtual index i = (n-1) * p/100, g = i - floor(i), and interpolate
 * v[floor(i)] + (v[floor(i)+1] - v[floor(i)]) * g, written as NumPy's _lerp does
 * (b - (b-a)*(1-g) when g >= 0.5) so results agree to the last bit.
 */
import { ModelError } from './errors.ts';

/** An affine map between original units and the model's [0,1] scale. */
export interface NormRange {
  /** Original value mapped to 0 (0.1th percentile, or the minimum for degenerate ranges). */
  lo: number;
  /** Original value mapped to 1 (99.9th percentile, or the maximum). */
  hi: number;
  /** True when every valid sample is equal: the image has nothing to enhance, inverse returns `lo`. */
  constant: boolean;
  /** Number of valid samples the range was computed from. */
  count: number;
  /**
   * Valid samples below `lo` or above `hi`: what clipping to [0,1] flattens for the model, and what
   * the pipeline's range rule restores (set by computeRange).
   */
  outside?: number;
}

/** Which samples of an interleaved array form the band, and which to exclude. */
export interface BandSelector {
  /** Samples per pixel in `values` (default 1). */
  stride?: number;
  /** Index of the band within a pixel (default 0). */
  band?: number;
  /** Stored nodata value, excluded like NaN. */
  nodata?: number;
}

/** Default percentiles of the contract. */
export const LOW_PERCENTILE = 0.1;
export const HIGH_PERCENTILE = 99.9;

function lerp(a: number, b: number, t: number): number {
  const d = b - a;
  return t >= 0.5 ? b - d * (1 - t) : a + d * t;
}

/** NumPy 'linear' percentile `p` (0..100) of ascending-sorted `sorted` (non-empty). */
export function percentileSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) throw new ModelError('INVALID_INPUT', 'percentile of an empty set');
  const virt = (n - 1) * (p / 100);
  const lo = Math.floor(virt);
  const hi = Math.min(lo + 1, n - 1);
  return lerp(sorted[lo] ?? NaN, sorted[hi] ?? NaN, virt - lo);
}

/** The valid (finite, not nodata) samples of one band, as a sorted Float64Array. */
export function sortedBandValues(values: ArrayLike<number>, sel: BandSelector = {}): Float64Array {
  const stride = sel.stride ?? 1;
  const band = sel.band ?? 0;
  if (!(stride >= 1 && band >= 0 && band < stride))
    throw new ModelError('INVALID_INPUT', `band ${band} outside 0..${stride - 1}`);
  const out = new Float64Array(Math.ceil(values.length / stride));
  let n = 0;
  for (let i = band; i < values.length; i += stride) {
    const v = values[i] as number;
    if (Number.isFinite(v) && v !== sel.nodata) out[n++] = v;
  }
  return out.subarray(0, n).sort();
}

/** Number of sorted values < v (binary search). */
function countBelow(sorted: Float64Array, v: number): number {
  let a = 0;
  let b = sorted.length;
  while (a < b) {
    const m = (a + b) >> 1;
    if ((sorted[m] as number) < v) a = m + 1;
    else b = m;
  }
  return a;
}

/** Number of sorted values <= v. */
function countAtMost(sorted: Float64Array, v: number): number {
  let a = 0;
  let b = sorted.length;
  while (a < b) {
    const m = (a + b) >> 1;
    if ((sorted[m] as number) <= v) a = m + 1;
    else b = m;
  }
  return a;
}

/**
 * The robust range of a whole band: call once per image/band, before tiling. Falls back to min/max
 * when the percentiles coincide but values differ (e.g. 99.9% zeros), and flags truly constant bands.
 * Throws INVALID_INPUT when the band has no valid sample.
 */
export function computeRange(
  values: ArrayLike<number>,
  sel: BandSelector = {},
  lowPct = LOW_PERCENTILE,
  highPct = HIGH_PERCENTILE,
): NormRange {
  const sorted = sortedBandValues(values, sel);
  const n = sorted.length;
  if (n === 0) throw new ModelError('INVALID_INPUT', 'band has no valid (finite, non-nodata) samples');
  let lo = percentileSorted(sorted, lowPct);
  let hi = percentileSorted(sorted, highPct);
  if (!(hi > lo)) {
    lo = sorted[0] as number;
    hi = sorted[n - 1] as number;
  }
  return {
    lo,
    hi,
    constant: !(hi > lo),
    count: n,
    outside: countBelow(sorted, lo) + n - countAtMost(sorted, hi),
  };
}

/**
 * Maps one band of `values` (a tile or a whole image) to the model scale: (v-lo)/(hi-lo) clipped to
 * [0,1]. NaN and nodata become 0: keep your own mask and restore nodata after inference.
 */
export function normalize(values: ArrayLike<number>, range: NormRange, sel: BandSelector = {}): Float32Array {
  const stride = sel.stride ?? 1;
  const band = sel.band ?? 0;
  const out = new Float32Array(Math.floor((values.length - band + stride - 1) / stride));
  if (range.constant) return out;
  const inv = 1 / (range.hi - range.lo);
  for (let i = band, j = 0; i < values.length; i += stride, j++) {
    const v = values[i] as number;
    if (!Number.isFinite(v) || v === sel.nodata) continue;
    const t = (v - range.lo) * inv;
    out[j] = t < 0 ? 0 : t > 1 ? 1 : t;
  }
  return out;
}

/**
 * Maps the normalized scale back to original units: lo + t*(hi-lo), not clamped (values outside
 * [0,1] are restored extremes; the model's own output is clamped to [0,1] before they are added).
 * Float64 so wide integer and float64 sources lose nothing; constant bands return `lo` everywhere.
 * NaN stays NaN so a bad tile cannot pass as data.
 */
export function denormalize(output: ArrayLike<number>, range: NormRange): Float64Array {
  const out = new Float64Array(output.length);
  const span = range.constant ? 0 : range.hi - range.lo;
  for (let i = 0; i < output.length; i++) {
    const t = output[i] as number;
    out[i] = Number.isNaN(t) ? NaN : range.lo + t * span;
  }
  return out;
}
