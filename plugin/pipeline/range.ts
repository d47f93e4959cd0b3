/**
 * Range-preserving enhancement: the one rule that keeps an image's true values when the model only
 * sees its contract input (the robust 0.1-99.9 % range mapped to [0,1] and clipped).
 *
 *   out = clamp01(model(clip(x))) + up(x - clip(x))
 *
 * on the normalized scale, with `up` the bicubic the validation uses (Keys a = -0.5, Pillow's
 * convention, core/resample.ts: the kernels validation/baselines.ts measures). Because bicubic is linear this is exactly the issue's
 * up(x) + (model(clip(x)) - up(clip(x))): pixels inside the range get the model's output unchanged,
 * pixels beyond it keep their true level (the upsampled excess) with the model's detail of the
 * clipped image on top. The excess x - clip(x) is continuous in x (0 inside, growing linearly
 * outside), so no soft transition band is needed: the output is continuous across lo and hi by
 * construction, and an image with nothing outside its range gives exactly the old output.
 * `up` reaches 2 LR px, far inside every tile's halo (receptive field + 4 >= 16), so tiled == whole.
 * The output is not clamped to the source's extremes: super-resolution may put a peak above them.
 */
import { upsample } from '../../core/resample.ts';
import type { BandSelector, NormRange } from '../../models/normalize.ts';

/** Name of the rule, recorded in provenance and on the model cards. */
export const RANGE_RULE = 'residual-bicubic-excess/1';

/**
 * The part of one band that the clipped model input loses, on the normalized scale:
 * (v - lo)/(hi - lo) - clip01(...). NaN/nodata give 0 (assemble restores NaN). Undefined when no
 * sample lies outside the range (the common case: nothing to add, no work per tile).
 */
export function excessPlane(
  values: ArrayLike<number>,
  range: NormRange,
  sel: BandSelector = {},
): Float32Array | undefined {
  if (range.constant) return undefined;
  const stride = sel.stride ?? 1;
  const band = sel.band ?? 0;
  const inv = 1 / (range.hi - range.lo);
  let out: Float32Array | undefined;
  for (let i = band, j = 0; i < values.length; i += stride, j++) {
    const v = values[i] as number;
    if (!Number.isFinite(v) || v === sel.nodata) continue;
    const t = (v - range.lo) * inv;
    if (t >= 0 && t <= 1) continue;
    out ??= new Float32Array(Math.floor((values.length - band + stride - 1) / stride));
    out[j] = t < 0 ? t : t - 1;
  }
  return out;
}

/** True when a tile's excess crop has anything to add. */
export function hasExcess(excess: Float32Array | undefined): excess is Float32Array {
  if (!excess) return false;
  for (let i = 0; i < excess.length; i++) if (excess[i] !== 0) return true;
  return false;
}

/**
 * Applies the rule to one tile: `sr` (the model's output for the clipped tile input, sW x sH) is
 * clamped to [0,1] and the bicubic upsampling of the tile's `excess` (W x H) added. Returns a new
 * array; NaN in the model output stays NaN so a bad tile cannot pass as data.
 */
export function restoreRange(
  sr: Float32Array,
  excess: Float32Array | undefined,
  width: number,
  height: number,
  scale: number,
): Float32Array {
  const out = new Float32Array(sr.length);
  for (let i = 0; i < sr.length; i++) {
    const t = sr[i] as number;
    out[i] = t < 0 ? 0 : t > 1 ? 1 : t;
  }
  if (!hasExcess(excess)) return out;
  const up = upsample({ width, height, data: excess }, scale, 'bicubic').data;
  for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) + (up[i] as number);
  return out;
}
