/**
 * Enhanced real-unit float32 pixels -> the source's stored sample type, and the averaged overviews.
 * Integer types cannot hold what the model's overshoot produces beyond their range (e.g. -3 for
 * uint8 at a dark edge): such samples are clamped, never rescaled, and every one is counted with its
 * largest excursion so the export can say so. NaN (no data) becomes the source's nodata value.
 */
import { allocatePixels, type SampleType, type TypedPixels } from '../../formats/raster.ts';

/** What converting to the stored type did to values it could not hold. */
export interface ConversionStats {
  /** Samples clamped to the dtype's range (below + above). */
  clamped: number;
  below: number;
  above: number;
  /** Largest distance, in stored units, of a clamped value beyond the range (0 when none). */
  maxExcursion: number;
  /** NaN samples written as nodata. */
  nodata: number;
  /** NaN samples written as 0 because the source has no nodata value (integer types only). */
  nanWithoutNodata: number;
  /** Valid samples whose stored value equals nodata after rounding (readers will treat them as no data). */
  nodataCollisions: number;
}

/** [min, max] of an integer sample type; undefined for floats. */
export function integerRange(t: SampleType): [number, number] | undefined {
  const r: Partial<Record<SampleType, [number, number]>> = {
    uint8: [0, 255],
    int8: [-128, 127],
    uint16: [0, 65535],
    int16: [-32768, 32767],
    uint32: [0, 4294967295],
    int32: [-2147483648, 2147483647],
  };
  return r[t];
}

/** Rounding used for integer types: to nearest, halves away from zero (as GDAL's GDALCopyWords). */
export function roundHalfAway(v: number): number {
  return v < 0 ? -Math.round(-v) : Math.round(v);
}

/**
 * Real units -> stored values: (v - intercept) / slope, rounded and clamped for integer types.
 * `nodata` (stored units) replaces NaN. Returns the typed array and what could not be kept.
 */
export function toStored(
  real: Float32Array,
  dtype: SampleType,
  mapping: { slope: number; intercept: number; nodata?: number | undefined },
): { data: TypedPixels; stats: ConversionStats } {
  const out = allocatePixels(dtype, real.length);
  const stats: ConversionStats = {
    clamped: 0,
    below: 0,
    above: 0,
    maxExcursion: 0,
    nodata: 0,
    nanWithoutNodata: 0,
    nodataCollisions: 0,
  };
  const { slope, intercept } = mapping;
  const identity = slope === 1 && intercept === 0;
  const range = integerRange(dtype);
  // a nodata value the type cannot hold (e.g. -9999 in uint8) would wrap: treated as absent here
  const nodata =
    mapping.nodata === undefined ||
    !range ||
    (Number.isInteger(mapping.nodata) && mapping.nodata >= range[0] && mapping.nodata <= range[1])
      ? mapping.nodata
      : undefined;
  for (let i = 0; i < real.length; i++) {
    const v = real[i] as number;
    if (Number.isNaN(v)) {
      if (nodata !== undefined) {
        out[i] = nodata;
        stats.nodata++;
      } else if (range) {
        out[i] = 0;
        stats.nanWithoutNodata++;
      } else out[i] = NaN;
      continue;
    }
    const s = identity ? v : (v - intercept) / slope;
    if (!range) {
      out[i] = s;
      if (nodata !== undefined && out[i] === nodata) stats.nodataCollisions++;
      continue;
    }
    let r = roundHalfAway(s);
    if (r < range[0] || r > range[1]) {
      const low = r < range[0];
      const bound = low ? range[0] : range[1];
      stats.clamped++;
      if (low) stats.below++;
      else stats.above++;
      stats.maxExcursion = Math.max(stats.maxExcursion, Math.abs(s - bound));
      r = bound;
    }
    out[i] = r;
    if (nodata !== undefined && r === nodata) stats.nodataCollisions++;
  }
  return { data: out, stats };
}

/** Overview sizes: halved (rounding up) until both sides fit in one tile. */
export function overviewSizes(width: number, height: number, tile: number): Array<[number, number]> {
  const sizes: Array<[number, number]> = [];
  let w = width;
  let h = height;
  while (w > tile || h > tile) {
    w = Math.ceil(w / 2);
    h = Math.ceil(h / 2);
    sizes.push([w, h]);
  }
  return sizes;
}

/**
 * 2x2 average of a pixel-interleaved level (edges: the pixels there are), ignoring nodata and NaN;
 * all-invalid blocks stay nodata. Integer results are rounded the same way as the full resolution.
 */
export function downsample2(
  data: TypedPixels,
  width: number,
  height: number,
  samples: number,
  nodata: number | undefined,
): { data: TypedPixels; width: number; height: number } {
  const w = Math.ceil(width / 2);
  const h = Math.ceil(height / 2);
  const out = new (data.constructor as new (n: number) => TypedPixels)(w * h * samples);
  const isInt = !(data instanceof Float32Array || data instanceof Float64Array);
  const empty = nodata ?? (isInt ? 0 : NaN);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let s = 0; s < samples; s++) {
        let sum = 0;
        let n = 0;
        for (let dy = 0; dy < 2; dy++) {
          const yy = 2 * y + dy;
          if (yy >= height) continue;
          for (let dx = 0; dx < 2; dx++) {
            const xx = 2 * x + dx;
            if (xx >= width) continue;
            const v = data[(yy * width + xx) * samples + s] as number;
            if (Number.isNaN(v) || v === nodata) continue;
            sum += v;
            n++;
          }
        }
        const i = (y * w + x) * samples + s;
        out[i] = n === 0 ? empty : isInt ? roundHalfAway(sum / n) : sum / n;
      }
  return { data: out, width: w, height: h };
}
