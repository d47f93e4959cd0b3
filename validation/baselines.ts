/**
 * Classical upsampling baselines the model must beat: nearest, bilinear, bicubic (a = -0.5) and
 * Lanczos-3, in Pillow's convention (= PyTorch antialias=True upsampling; 'nearest' is Pillow's and
 * PyTorch's 'nearest-exact', source floor((x + 0.5) / s)) or MATLAB imresize's (mirrored borders).
 */
import { ValidationError } from './errors.ts';
import type { Plane } from './image.ts';
import { resize, type Convention } from './resample.ts';

/** Baseline method names, as they appear in reports. */
export type BaselineMethod = 'nearest' | 'bilinear' | 'bicubic' | 'lanczos3';

/** All baselines in report order. */
export const BASELINES: readonly BaselineMethod[] = ['nearest', 'bilinear', 'bicubic', 'lanczos3'];

/** Upsamples by an integer factor with a baseline method. */
export function upsample(
  p: Plane,
  scale: number,
  method: BaselineMethod,
  convention: Convention = 'pil',
): Plane {
  if (!Number.isInteger(scale) || scale < 1) {
    throw new ValidationError('INVALID_ARGUMENT', `scale must be a positive integer, got ${scale}`);
  }
  return resize(p, p.width * scale, p.height * scale, method, convention);
}
