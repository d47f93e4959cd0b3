/**
 * A one-band float32 Raster around values already in real units, shaped like another raster (what
 * the validation path and the range rule enhance). Shared by the tests and the benches.
 */
import type { Raster, ValueMapping } from '../raster.ts';

export interface FloatPlaneOptions {
  /** Plane width (default: `like.width`). */
  width?: number;
  /** Plane height (default: `like.height`). */
  height?: number;
  /** How stored values map to real ones (default: identity, the values are already real units). */
  valueMapping?: ValueMapping;
}

/** `data` as a one-band gray float32 Raster, frame 0, window at the origin, metadata from `like`. */
export function floatPlane(like: Raster, data: Float32Array, opts: FloatPlaneOptions = {}): Raster {
  const width = opts.width ?? like.width;
  const height = opts.height ?? like.height;
  return {
    info: {
      ...like.info,
      width,
      height,
      samples: 1,
      dtype: 'float32',
      photometric: 'MONOCHROME2',
      valueMapping: opts.valueMapping ?? { slope: 1, intercept: 0 },
    },
    frame: 0,
    window: { x: 0, y: 0, width, height },
    width,
    height,
    samples: 1,
    dtype: 'float32',
    data,
  };
}
