/** The float image model validation/ works on: one band, row-major, plus an optional validity mask. */
import type { Plane } from '../core/resample.ts';
import { ValidationError } from './errors.ts';

/** One band of samples (defined in core/, where the shared resampler works on it). */
export type { Plane };

/** Validity mask beside a Plane: non-zero = measure this pixel (nodata/outside-FOV pixels are 0). */
export type Mask = Uint8Array;

/** Any numeric array-like a raster or .npy holds. */
export type NumericArray = ArrayLike<number>;

/** Makes a Float64 plane from any numeric array (copies). */
export function planeFrom(width: number, height: number, data: NumericArray): Plane {
  if (data.length !== width * height) {
    throw new ValidationError('SIZE_MISMATCH', `${data.length} samples for ${width}x${height}`);
  }
  return { width, height, data: Float64Array.from(data) };
}

/** Splits pixel-interleaved samples ([H,W,C]) into C planes. */
export function splitBands(width: number, height: number, samples: number, data: NumericArray): Plane[] {
  const n = width * height;
  if (data.length !== n * samples) {
    throw new ValidationError('SIZE_MISMATCH', `${data.length} values for ${width}x${height}x${samples}`);
  }
  const out: Plane[] = [];
  for (let s = 0; s < samples; s++) {
    const d = new Float64Array(n);
    for (let i = 0; i < n; i++) d[i] = data[i * samples + s] as number;
    out.push({ width, height, data: d });
  }
  return out;
}

/** Throws SIZE_MISMATCH unless both planes (and the mask, if any) have the same size. */
export function assertSameSize(a: Plane, b: Plane, mask?: Mask): void {
  if (a.width !== b.width || a.height !== b.height) {
    throw new ValidationError(
      'SIZE_MISMATCH',
      `images differ in size: ${a.width}x${a.height} vs ${b.width}x${b.height}`,
    );
  }
  if (a.data.length !== a.width * a.height || b.data.length !== b.width * b.height) {
    throw new ValidationError('SIZE_MISMATCH', 'sample count does not match width x height');
  }
  if (mask && mask.length !== a.width * a.height) {
    throw new ValidationError('SIZE_MISMATCH', `mask has ${mask.length} pixels, image ${a.width * a.height}`);
  }
}

/** Crops `shave` pixels from every border (the SR benchmarks' "shave = scale" convention). */
export function shavePlane(p: Plane, shave: number): Plane {
  if (shave === 0) return p;
  const w = p.width - 2 * shave;
  const h = p.height - 2 * shave;
  if (!Number.isInteger(shave) || shave < 0 || w <= 0 || h <= 0) {
    throw new ValidationError('INVALID_ARGUMENT', `cannot shave ${shave} px from ${p.width}x${p.height}`);
  }
  const out = new Float64Array(w * h);
  for (let y = 0; y < h; y++) {
    const src = (y + shave) * p.width + shave;
    out.set(p.data.subarray(src, src + w), y * w);
  }
  return { width: w, height: h, data: out };
}

/** Crops a mask like `shavePlane`. */
export function shaveMask(m: Mask, width: number, height: number, shave: number): Mask {
  if (shave === 0) return m;
  const w = width - 2 * shave;
  const h = height - 2 * shave;
  const out = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    const src = (y + shave) * width + shave;
    out.set(m.subarray(src, src + w), y * w);
  }
  return out;
}

/** Cuts a rectangle out of a plane (for per-tile measures). */
export function cropPlane(p: Plane, x: number, y: number, w: number, h: number): Plane {
  const out = new Float64Array(w * h);
  for (let r = 0; r < h; r++) {
    const src = (y + r) * p.width + x;
    out.set(p.data.subarray(src, src + w), r * w);
  }
  return { width: w, height: h, data: out };
}

/**
 * The pixels to measure: the caller's mask AND finite in both images. Returns undefined when every
 * pixel counts, so the fast unmasked paths stay fast.
 */
export function effectiveMask(a: Plane, b: Plane, mask?: Mask): Mask | undefined {
  const n = a.width * a.height;
  const x = a.data;
  const y = b.data;
  // fast scan first: v - v is 0 for finite v and NaN for NaN/Infinity
  let clean = true;
  for (let i = 0; i < n; i++) {
    if ((x[i] as number) - (x[i] as number) + ((y[i] as number) - (y[i] as number)) !== 0) {
      clean = false;
      break;
    }
  }
  if (clean && !mask) return undefined;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const ok = (mask === undefined || mask[i] !== 0) && Number.isFinite(x[i]) && Number.isFinite(y[i]);
    out[i] = ok ? 1 : 0;
  }
  return out;
}
