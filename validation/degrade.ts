/**
 * HR -> LR degradation. 'torch' is what the models were trained with: PyTorch
 * F.interpolate(mode='bicubic', antialias=True, align_corners=False), identical to Pillow's BICUBIC
 * resize of a float image (a = -0.5, kernel stretched by the scale, border taps renormalized).
 * 'matlab' is MATLAB imresize(x, 1/s, 'bicubic') as used to make the published SR benchmark LR
 * images: same kernel, but mirrored borders, and (for integer data such as 8-bit PNGs) the result is
 * rounded and saturated to the integer type as imresize does on uint8 input.
 */
import { ValidationError } from './errors.ts';
import { cropPlane, type Plane } from './image.ts';
import { resize, type Convention } from './resample.ts';

/** Named degradations. */
export type Degradation = 'torch' | 'matlab';

/** Resampling convention behind each degradation. */
export function conventionOf(d: Degradation): Convention {
  return d === 'matlab' ? 'matlab' : 'pil';
}

/** Integer lattice to round the LR onto (MATLAB on uint8/uint16 input); omit for float data. */
export interface Quantize {
  min: number;
  max: number;
}

/** Options of `downsample`. */
export interface DegradeOptions {
  degradation: Degradation;
  quantize?: Quantize;
}

/** Crops right/bottom so both sides are multiples of `scale` (MATLAB `modcrop`). */
export function modcrop(p: Plane, scale: number): Plane {
  const w = p.width - (p.width % scale);
  const h = p.height - (p.height % scale);
  if (w === p.width && h === p.height) return p;
  return cropPlane(p, 0, 0, w, h);
}

/** Rounds half away from zero and saturates, as MATLAB converts double to uint8/uint16. */
export function quantize(p: Plane, q: Quantize): Plane {
  const out = new Float64Array(p.data.length);
  for (let i = 0; i < out.length; i++) {
    const v = p.data[i] as number;
    const r = Math.sign(v) * Math.round(Math.abs(v));
    out[i] = r < q.min ? q.min : r > q.max ? q.max : r;
  }
  return { width: p.width, height: p.height, data: out };
}

/**
 * Bicubic antialiased downsampling by an integer factor. The sides must be multiples of `scale`
 * (apply `modcrop` first) so in/out is exactly the scale in both conventions.
 */
export function downsample(p: Plane, scale: number, opts: DegradeOptions): Plane {
  if (!Number.isInteger(scale) || scale < 1) {
    throw new ValidationError('INVALID_ARGUMENT', `scale must be a positive integer, got ${scale}`);
  }
  if (p.width % scale !== 0 || p.height % scale !== 0) {
    throw new ValidationError(
      'INVALID_ARGUMENT',
      `${p.width}x${p.height} is not a multiple of ${scale}: modcrop first`,
    );
  }
  const lr = resize(p, p.width / scale, p.height / scale, 'bicubic', conventionOf(opts.degradation));
  return opts.quantize ? quantize(lr, opts.quantize) : lr;
}
