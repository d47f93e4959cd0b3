/**
 * validation/'s entry to the shared resampler (core/resample.ts: Pillow and MATLAB conventions,
 * exact kernels): the same functions, with a bad size reported as validation's own
 * ValidationError('INVALID_ARGUMENT') as before the kernels moved to core/.
 */
import * as core from '../core/resample.ts';
import { ValidationError } from './errors.ts';
import type { Plane } from './image.ts';

/** The resampler's types, from core/ (validation/index.ts re-exports them). */
export type { Convention, FilterName, Taps } from '../core/resample.ts';

/** Runs a core resampler call, rethrowing its argument errors as ValidationError (same code and text). */
export function asValidation<T>(run: () => T): T {
  try {
    return run();
  } catch (e) {
    if (e instanceof core.ResampleError) throw new ValidationError(e.code, e.message, { cause: e });
    throw e;
  }
}

/** Taps for one axis under a convention. */
export function taps(
  inSize: number,
  outSize: number,
  filter: core.FilterName,
  convention: core.Convention,
): core.Taps {
  return asValidation(() => core.taps(inSize, outSize, filter, convention));
}

/** Resizes a plane to outW x outH (Pillow: horizontal pass first; MATLAB: vertical first). */
export function resize(
  p: Plane,
  outW: number,
  outH: number,
  filter: core.FilterName,
  convention: core.Convention,
): Plane {
  return asValidation(() => core.resize(p, outW, outH, filter, convention));
}
