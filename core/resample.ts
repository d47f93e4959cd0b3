/**
 * Separable resampling kernels shared by production inference (plugin/pipeline/range.ts) and the QA
 * layer (validation/: degradation, baselines, report thumbnails), so neither imports the other.
 * Two exact conventions:
 * - 'pil': Pillow's ImagingResample on float ('F') images, which PyTorch's
 *   F.interpolate(antialias=True, align_corners=False) reimplements: output pixel centre
 *   (x + 0.5) * in/out, kernel stretched by in/out when reducing (antialias), taps outside the
 *   image dropped and the rest renormalized.
 * - 'matlab': MATLAB imresize's `contributions`: same kernels and centres, but taps outside the image
 *   are mirrored ([1..n, n..1] symmetric extension) instead of dropped; kernel width = support * 2
 *   (/ scale when reducing), ceil(width) + 2 taps, weights normalized to sum 1.
 * Both bicubic kernels are Keys' cubic with a = -0.5. Sums are float64 (Pillow keeps float32 between
 * its two passes: differences ~1e-7 relative).
 */
import { TilesrError } from './errors.ts';

/** One band of samples, row-major (index = y * width + x). NaN marks a missing sample. */
export interface Plane {
  width: number;
  height: number;
  data: Float32Array | Float64Array;
}

/** A bad size or scale given to the resampler (validation/ rethrows it as its ValidationError). */
export class ResampleError extends TilesrError<'INVALID_ARGUMENT'> {
  override readonly name = 'ResampleError';
}

/** Interpolation kernels shared by degradation and baselines. */
export type FilterName = 'nearest' | 'box' | 'bilinear' | 'bicubic' | 'lanczos3';

/** Resampling conventions (see the file comment). */
export type Convention = 'pil' | 'matlab';

interface Kernel {
  support: number;
  fn: (x: number) => number;
}

function sinc(x: number): number {
  if (x === 0) return 1;
  const px = x * Math.PI;
  return Math.sin(px) / px;
}

const KERNELS: Record<Exclude<FilterName, 'nearest'>, Kernel> = {
  // Pillow's box: (-0.5, 0.5]; MATLAB's: [-0.5, 0.5)
  box: { support: 0.5, fn: (x) => (x > -0.5 && x <= 0.5 ? 1 : 0) },
  bilinear: { support: 1, fn: (x) => (Math.abs(x) < 1 ? 1 - Math.abs(x) : 0) },
  bicubic: {
    support: 2,
    fn: (x) => {
      const a = -0.5;
      const t = Math.abs(x);
      if (t < 1) return ((a + 2) * t - (a + 3)) * t * t + 1;
      if (t < 2) return (((t - 5) * t + 8) * t - 4) * a;
      return 0;
    },
  },
  lanczos3: { support: 3, fn: (x) => (x >= -3 && x < 3 ? sinc(x) * sinc(x / 3) : 0) },
};

/** Per-output-pixel taps: `count` (index, weight) pairs per output, padded to `ksize`. */
export interface Taps {
  ksize: number;
  index: Int32Array;
  weight: Float64Array;
  count: Int32Array;
}

/** Pillow's precompute_coeffs (Resample.c), including its int truncation of the tap bounds. */
function pilTaps(inSize: number, outSize: number, filter: Exclude<FilterName, 'nearest'>): Taps {
  const k = KERNELS[filter];
  const scale = inSize / outSize;
  const filterscale = Math.max(scale, 1);
  const support = k.support * filterscale;
  const ksize = Math.ceil(support) * 2 + 1;
  const index = new Int32Array(outSize * ksize);
  const weight = new Float64Array(outSize * ksize);
  const count = new Int32Array(outSize);
  const ss = 1 / filterscale;
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    const xmin = Math.max(Math.trunc(center - support + 0.5), 0);
    const xmax = Math.min(Math.trunc(center + support + 0.5), inSize) - xmin;
    let ww = 0;
    for (let x = 0; x < xmax; x++) {
      const w = k.fn((x + xmin - center + 0.5) * ss);
      index[xx * ksize + x] = x + xmin;
      weight[xx * ksize + x] = w;
      ww += w;
    }
    for (let x = 0; x < xmax; x++)
      if (ww !== 0) weight[xx * ksize + x] = (weight[xx * ksize + x] as number) / ww;
    count[xx] = xmax;
  }
  return { ksize, index, weight, count };
}

/**
 * Pillow's NEAREST (ImagingScaleAffine): source index int(xo) with xo starting at in/out * 0.5 and
 * advanced by repeated addition of in/out, i.e. floor((x + 0.5) * in / out) up to the rounding of
 * that running sum (which decides ties such as 200 -> 67, x = 33). PyTorch's 'nearest-exact' is the
 * same formula without the running sum; its plain 'nearest' is floor(x * in / out).
 */
function nearestTaps(inSize: number, outSize: number): Taps {
  const index = new Int32Array(outSize);
  const s = inSize / outSize;
  let xo = s * 0.5;
  for (let x = 0; x < outSize; x++) {
    index[x] = Math.min(Math.trunc(xo), inSize - 1);
    xo += s;
  }
  return {
    ksize: 1,
    index,
    weight: new Float64Array(outSize).fill(1),
    count: new Int32Array(outSize).fill(1),
  };
}

/** MATLAB imresize's contributions(), 0-based, with symmetric (mirror) boundary indices. */
function matlabTaps(inSize: number, outSize: number, filter: FilterName): Taps {
  const scale = outSize / inSize;
  const base: Kernel =
    filter === 'nearest'
      ? { support: 0.5, fn: (x) => (x >= -0.5 && x < 0.5 ? 1 : 0) } // MATLAB's box is [-0.5, 0.5)
      : filter === 'box'
        ? { support: 0.5, fn: (x) => (x >= -0.5 && x < 0.5 ? 1 : 0) }
        : KERNELS[filter];
  const antialias = scale < 1 && filter !== 'nearest';
  const h = antialias ? (x: number) => scale * base.fn(scale * x) : base.fn;
  const kw = (2 * base.support) / (antialias ? scale : 1);
  const P = Math.ceil(kw) + 2;
  const index = new Int32Array(outSize * P);
  const weight = new Float64Array(outSize * P);
  const count = new Int32Array(outSize).fill(P);
  for (let x = 1; x <= outSize; x++) {
    const u = x / scale + 0.5 * (1 - 1 / scale);
    const left = Math.floor(u - kw / 2);
    let sum = 0;
    for (let t = 0; t < P; t++) {
      const w = h(u - (left + t));
      weight[(x - 1) * P + t] = w;
      sum += w;
      // mirror: aux = [1..n, n..1], index = aux(mod(i - 1, 2n) + 1), here 0-based
      const m = ((((left + t - 1) % (2 * inSize)) + 2 * inSize) % (2 * inSize)) as number;
      index[(x - 1) * P + t] = m < inSize ? m : 2 * inSize - 1 - m;
    }
    for (let t = 0; t < P; t++) weight[(x - 1) * P + t] = (weight[(x - 1) * P + t] as number) / sum;
  }
  return { ksize: P, index, weight, count };
}

/** Taps for one axis under a convention. */
export function taps(inSize: number, outSize: number, filter: FilterName, convention: Convention): Taps {
  if (!Number.isInteger(outSize) || outSize < 1 || !Number.isInteger(inSize) || inSize < 1) {
    throw new ResampleError('INVALID_ARGUMENT', `cannot resample ${inSize} px to ${outSize} px`);
  }
  if (convention === 'matlab') return matlabTaps(inSize, outSize, filter);
  return filter === 'nearest' ? nearestTaps(inSize, outSize) : pilTaps(inSize, outSize, filter);
}

function horizontal(src: Plane, t: Taps, outW: number): Plane {
  const out = new Float64Array(outW * src.height);
  for (let y = 0; y < src.height; y++) {
    const row = y * src.width;
    for (let x = 0; x < outW; x++) {
      let s = 0;
      const base = x * t.ksize;
      const c = t.count[x] as number;
      for (let j = 0; j < c; j++)
        s += (t.weight[base + j] as number) * (src.data[row + (t.index[base + j] as number)] as number);
      out[y * outW + x] = s;
    }
  }
  return { width: outW, height: src.height, data: out };
}

function vertical(src: Plane, t: Taps, outH: number): Plane {
  const w = src.width;
  const out = new Float64Array(w * outH);
  for (let y = 0; y < outH; y++) {
    const base = y * t.ksize;
    const c = t.count[y] as number;
    const o = y * w;
    for (let j = 0; j < c; j++) {
      const wt = t.weight[base + j] as number;
      const r = (t.index[base + j] as number) * w;
      for (let x = 0; x < w; x++) out[o + x] = (out[o + x] as number) + wt * (src.data[r + x] as number);
    }
  }
  return { width: w, height: outH, data: out };
}

/** Resizes a plane to outW x outH (Pillow: horizontal pass first; MATLAB: vertical first). */
export function resize(
  p: Plane,
  outW: number,
  outH: number,
  filter: FilterName,
  convention: Convention,
): Plane {
  const tx = taps(p.width, outW, filter, convention);
  const ty = taps(p.height, outH, filter, convention);
  if (convention === 'matlab') return horizontal(vertical(p, ty, outH), tx, outW);
  return vertical(horizontal(p, tx, outW), ty, outH);
}

/** Upsamples by an integer factor (Pillow's convention unless told; 'nearest' is Pillow's). */
export function upsample(p: Plane, scale: number, filter: FilterName, convention: Convention = 'pil'): Plane {
  if (!Number.isInteger(scale) || scale < 1) {
    throw new ResampleError('INVALID_ARGUMENT', `scale must be a positive integer, got ${scale}`);
  }
  return resize(p, p.width * scale, p.height * scale, filter, convention);
}
