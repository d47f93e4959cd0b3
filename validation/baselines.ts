/**
 * Classical upsampling baselines the model must beat: nearest, bilinear, bicubic (a = -0.5) and
 * Lanczos-3, in Pillow's convention (= PyTorch antialias=True upsampling; 'nearest' is Pillow's and
 * PyTorch's 'nearest-exact', source floor((x + 0.5) / s)) or MATLAB imresize's (mirrored borders).
 * The kernels live in core/resample.ts, shared with the pipeline's range rule.
 */
import { upsample as coreUpsample, type Convention } from '../core/resample.ts';
import type { Plane } from './image.ts';
import { asValidation } from './resample.ts';

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
  return asValidation(() => coreUpsample(p, scale, method, convention));
}
