/**
 * SSIM exactly as Wang et al. 2004 and scikit-image's structural_similarity(gaussian_weights=True,
 * sigma=1.5, use_sample_covariance=False, data_range=R): 11-tap Gaussian (truncate 3.5), K1 0.01,
 * K2 0.03, population covariance, mean over the map with (11-1)/2 = 5 px cropped from each border.
 * Computed only on that cropped region (the 'valid' part), in one streaming pass: the five local
 * moments are filtered horizontally into an 11-row ring buffer, then vertically.
 */
import { checkDataRange } from '../datarange.ts';
import { ValidationError } from '../errors.ts';
import type { Mask, Plane } from '../image.ts';
import { gaussianKernel } from './gaussian.ts';
import { prepare, type MetricOptions } from './prepare.ts';

/** SSIM constants and window. */
export const SSIM_K1 = 0.01;
/** SSIM contrast-structure constant. */
export const SSIM_K2 = 0.03;
/** Gaussian sigma of the SSIM window. */
export const SSIM_SIGMA = 1.5;

/** Mean SSIM and mean contrast-structure term (what MS-SSIM needs) over the counted windows. */
export interface SsimStats {
  ssim: number;
  cs: number;
  /** Number of windows averaged. */
  n: number;
  /** The SSIM map of the valid region ((w-10) x (h-10), offset 5 px), NaN where not counted. */
  map?: Float32Array;
  mapWidth: number;
  mapHeight: number;
  /** Offset of map pixel (0,0) in the measured image: the window radius. */
  offset: number;
}

/** Options of ssimStats. */
export interface SsimStatsOptions {
  /** Keep the per-pixel map (for per-tile maps); costs 4 bytes per pixel. */
  keepMap?: boolean;
}

/**
 * The SSIM/CS means of two prepared (same-size, already shaved) planes. With a mask, a window
 * counts only when every pixel under it is valid, so nodata never leaks into a local mean.
 */
export function ssimStats(
  a: Plane,
  b: Plane,
  dataRange: number,
  mask: Mask | undefined,
  opts: SsimStatsOptions = {},
): SsimStats {
  checkDataRange(dataRange);
  const k = gaussianKernel(SSIM_SIGMA, 3.5);
  const K = k.length;
  const r = (K - 1) / 2;
  const w = a.width;
  const h = a.height;
  if (w < K || h < K) {
    throw new ValidationError('IMAGE_TOO_SMALL', `SSIM needs at least ${K}x${K} px, got ${w}x${h}`);
  }
  const ow = w - K + 1;
  const oh = h - K + 1;
  let x: ArrayLike<number> = a.data;
  let y: ArrayLike<number> = b.data;
  let bad: Int32Array | undefined; // summed-area table of invalid pixels
  if (mask) {
    const xa = Float64Array.from(a.data);
    const ya = Float64Array.from(b.data);
    bad = new Int32Array((w + 1) * (h + 1));
    for (let j = 0; j < h; j++) {
      let rowSum = 0;
      for (let i = 0; i < w; i++) {
        const p = j * w + i;
        if (mask[p] === 0) {
          xa[p] = 0; // NaN must not reach the sums; the window is discarded anyway
          ya[p] = 0;
          rowSum++;
        }
        bad[(j + 1) * (w + 1) + i + 1] = (bad[j * (w + 1) + i + 1] as number) + rowSum;
      }
    }
    x = xa;
    y = ya;
  }
  const C1 = (SSIM_K1 * dataRange) ** 2;
  const C2 = (SSIM_K2 * dataRange) ** 2;
  // ring buffer: 5 moments x K rows x ow columns
  const hx = new Float64Array(K * ow);
  const hy = new Float64Array(K * ow);
  const hxx = new Float64Array(K * ow);
  const hyy = new Float64Array(K * ow);
  const hxy = new Float64Array(K * ow);
  const map = opts.keepMap ? new Float32Array(ow * oh) : undefined;
  let sumS = 0;
  let sumCs = 0;
  let n = 0;
  for (let iy = 0; iy < h; iy++) {
    const slot = (iy % K) * ow;
    const row = iy * w;
    for (let ox = 0; ox < ow; ox++) {
      let sx = 0,
        sy = 0,
        sxx = 0,
        syy = 0,
        sxy = 0;
      for (let j = 0; j < K; j++) {
        const wj = k[j] as number;
        const u = x[row + ox + j] as number;
        const v = y[row + ox + j] as number;
        sx += wj * u;
        sy += wj * v;
        sxx += wj * u * u;
        syy += wj * v * v;
        sxy += wj * u * v;
      }
      hx[slot + ox] = sx;
      hy[slot + ox] = sy;
      hxx[slot + ox] = sxx;
      hyy[slot + ox] = syy;
      hxy[slot + ox] = sxy;
    }
    if (iy < K - 1) continue;
    const oy = iy - K + 1;
    for (let ox = 0; ox < ow; ox++) {
      if (bad) {
        const t = oy * (w + 1) + ox;
        const bt = K * (w + 1);
        const cnt =
          (bad[t + bt + K] as number) - (bad[t + bt] as number) - (bad[t + K] as number) + (bad[t] as number);
        if (cnt !== 0) {
          if (map) map[oy * ow + ox] = NaN;
          continue;
        }
      }
      let mx = 0,
        my = 0,
        mxx = 0,
        myy = 0,
        mxy = 0;
      for (let j = 0; j < K; j++) {
        const wj = k[j] as number;
        const s = ((oy + j) % K) * ow + ox;
        mx += wj * (hx[s] as number);
        my += wj * (hy[s] as number);
        mxx += wj * (hxx[s] as number);
        myy += wj * (hyy[s] as number);
        mxy += wj * (hxy[s] as number);
      }
      const vx = mxx - mx * mx;
      const vy = myy - my * my;
      const vxy = mxy - mx * my;
      const cs = (2 * vxy + C2) / (vx + vy + C2);
      const s = ((2 * mx * my + C1) / (mx * mx + my * my + C1)) * cs;
      sumS += s;
      sumCs += cs;
      n++;
      if (map) map[oy * ow + ox] = s;
    }
  }
  if (n === 0) throw new ValidationError('EMPTY_MASK', 'no 11x11 window lies wholly inside the valid pixels');
  return { ssim: sumS / n, cs: sumCs / n, n, map, mapWidth: ow, mapHeight: oh, offset: r };
}

/** Mean SSIM of `test` against `reference` (symmetric), with mask and shave. */
export function ssim(reference: Plane, test: Plane, opts: MetricOptions): number {
  const p = prepare(reference, test, opts);
  return ssimStats(p.a, p.b, opts.dataRange, p.mask).ssim;
}
