/**
 * The data range R of PSNR and SSIM, never guessed: the caller picks a rule, and the rule travels
 * with the number into every report so a reader can tell 12-bit-range PSNR from 16-bit-range PSNR.
 */
import { ValidationError } from './errors.ts';
import type { Mask, Plane } from './image.ts';

/** How a data range was obtained. */
export type DataRangeRule = 'explicit' | 'bits-stored' | 'dtype' | 'normalized' | 'ground-truth-span';

/** A data range with the rule that produced it and a human-readable derivation. */
export interface DataRange {
  value: number;
  rule: DataRangeRule;
  detail: string;
}

/** Throws INVALID_DATA_RANGE unless R is a positive finite number. */
export function checkDataRange(r: number): number {
  if (!Number.isFinite(r) || r <= 0) {
    throw new ValidationError('INVALID_DATA_RANGE', `data range must be a positive finite number, got ${r}`);
  }
  return r;
}

/** A range the caller states (e.g. `--data-range 4095`). */
export function explicitDataRange(value: number): DataRange {
  return { value: checkDataRange(value), rule: 'explicit', detail: `given: ${value}` };
}

/**
 * 2^bits - 1 stored levels (signed or not: the span is the same), times |slope| when the values
 * compared are modality values (HU, reflectance) rather than stored values.
 */
export function dataRangeFromBits(bitsStored: number, slope = 1): DataRange {
  if (!Number.isInteger(bitsStored) || bitsStored < 1 || bitsStored > 53) {
    throw new ValidationError('INVALID_DATA_RANGE', `bits stored must be 1..53, got ${bitsStored}`);
  }
  const value = checkDataRange((2 ** bitsStored - 1) * Math.abs(slope));
  const scaled = slope === 1 ? '' : ` x |slope ${slope}|`;
  return { value, rule: 'bits-stored', detail: `2^${bitsStored} - 1${scaled}` };
}

const DTYPE_BITS: Record<string, number> = {
  uint8: 8,
  int8: 8,
  uint16: 16,
  int16: 16,
  uint32: 32,
  int32: 32,
};

/** The full span of an integer dtype (uint8 -> 255, int16 -> 65535); float dtypes have none. */
export function dataRangeFromDtype(dtype: string): DataRange {
  const bits = DTYPE_BITS[dtype];
  if (bits === undefined) {
    throw new ValidationError('INVALID_DATA_RANGE', `${dtype} has no natural range: pass one explicitly`);
  }
  return { value: 2 ** bits - 1, rule: 'dtype', detail: `${dtype}: 2^${bits} - 1` };
}

/** R = 1 for values on the normalized [0,1] scale (what the models see). */
export function normalizedDataRange(): DataRange {
  return { value: 1, rule: 'normalized', detail: 'values on [0,1]' };
}

/**
 * max - min of the ground truth over valid pixels: the only rule for float data (elevations,
 * reflectance) without a declared range. Recorded as such because it changes from image to image.
 */
export function dataRangeFromSpan(gt: Plane, mask?: Mask): DataRange {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < gt.data.length; i++) {
    const v = gt.data[i] as number;
    if (!Number.isFinite(v) || (mask && mask[i] === 0)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!(hi > lo)) {
    throw new ValidationError('INVALID_DATA_RANGE', 'ground truth is constant or empty: pass a data range');
  }
  return { value: hi - lo, rule: 'ground-truth-span', detail: `ground truth max ${hi} - min ${lo}` };
}
