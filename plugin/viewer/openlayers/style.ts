/**
 * Band choice and band combination as OpenLayers WebGL tile styles. Both layers carry the same
 * tile layout (every raster band in real units, then an alpha band: 0 for nodata or outside the
 * image), so one style shows both; display ranges are the display stretch (`defaultStretch`), a
 * colour mapping only: tiles, readout and enhancement keep the real values.
 */
import type { ExpressionValue } from 'ol/expr/expression.js';
import type { Style } from 'ol/layer/WebGLTile.js';
import type { ImageInfo } from '../../../formats/raster.ts';
import { computeRange } from '../../../models/normalize.ts';
import { PipelineError } from '../../pipeline/errors.ts';

/** Display range of one band: `lo` shows black, `hi` full brightness. */
export interface BandRange {
  lo: number;
  hi: number;
}

/**
 * How band values map to brightness: 'percentile' (per band, `low`..`high` % of the valid values of
 * an overview, as QGIS's cumulative count cut) or 'dtype' (8-bit data: 0..255 as stored).
 */
export interface DisplayStretch {
  kind: 'percentile' | 'dtype';
  low: number;
  high: number;
  /** One per raster band. */
  ranges: BandRange[];
}

/** Percentiles of the default stretch (QGIS's default cumulative count cut). */
export const STRETCH_PERCENTILES = [2, 98] as const;

/**
 * The default stretch of an image from its overview's real-unit values (pixel-interleaved): 8-bit
 * data as stored, anything else (e.g. uint16 reflectance, whose scenes look black at 0..65535 or at
 * the robust min/max) per band 2-98 %.
 */
export function defaultStretch(
  info: Pick<ImageInfo, 'samples' | 'dtype' | 'valueMapping'>,
  values: ArrayLike<number>,
): DisplayStretch {
  const { slope, intercept } = info.valueMapping;
  if (info.dtype === 'uint8' && slope === 1 && intercept === 0)
    return {
      kind: 'dtype',
      low: 0,
      high: 255,
      ranges: Array.from({ length: info.samples }, () => ({ lo: 0, hi: 255 })),
    };
  const [low, high] = STRETCH_PERCENTILES;
  const ranges = Array.from({ length: info.samples }, (_, band) => {
    try {
      const r = computeRange(values, { stride: info.samples, band }, low, high);
      return { lo: r.lo, hi: r.hi };
    } catch {
      return { lo: 0, hi: 1 }; // a band without a valid value in the overview
    }
  });
  return { kind: 'percentile', low, high, ranges };
}

/** The stretch in words, e.g. "2–98 % per band: 6188–9034, …" (what the UI shows). */
export function describeStretch(s: DisplayStretch): string {
  const fmt = (v: number) => (Math.abs(v) >= 1000 ? v.toFixed(0) : v.toPrecision(4));
  const bands = s.ranges.map((r, i) => `${i + 1}: ${fmt(r.lo)}–${fmt(r.hi)}`).join(', ');
  return s.kind === 'dtype' ? `8-bit as stored (0–255)` : `${s.low}–${s.high} % per band (${bands})`;
}

/** What to show: three bands as RGB, one band as gray, or NDVI from a NIR and a red band (0-based). */
export type BandStyle =
  | { kind: 'rgb'; bands: [number, number, number] }
  | { kind: 'gray'; band: number }
  | { kind: 'ndvi'; nir: number; red: number };

/** The default: the first three bands as RGB, or band 0 as gray. */
export function defaultBandStyle(samples: number): BandStyle {
  return samples >= 3 ? { kind: 'rgb', bands: [0, 1, 2] } : { kind: 'gray', band: 0 };
}

/** Raster bands a style reads (the enhanced layer enhances only these). */
export function styleBands(s: BandStyle): number[] {
  if (s.kind === 'rgb') return [...new Set(s.bands)];
  if (s.kind === 'gray') return [s.band];
  return [...new Set([s.nir, s.red])];
}

/** Throws PipelineError INVALID_REQUEST when a style names a band the raster lacks (1-based in the message). */
export function checkBandStyle(s: BandStyle, samples: number): void {
  for (const b of styleBands(s))
    if (!Number.isInteger(b) || b < 0 || b >= samples)
      throw new PipelineError(
        'INVALID_REQUEST',
        `band ${b + 1} is not in this image (bands 1-${samples})` +
          (s.kind === 'ndvi' ? ': NDVI needs a near-infrared and a red band' : ''),
      );
}

/** ['band', n] is 1-based in OpenLayers. */
const band = (b: number): ExpressionValue => ['band', b + 1];

function stretch(b: number, r: BandRange): ExpressionValue {
  const span = r.hi - r.lo || 1;
  return ['clamp', ['/', ['-', band(b), r.lo], span], 0, 1];
}

/** The WebGL style for `s`, with `samples` raster bands and the alpha band after them. */
export function olStyle(s: BandStyle, ranges: BandRange[], samples: number): Style {
  checkBandStyle(s, samples);
  const range = (b: number) => ranges[b] ?? { lo: 0, hi: 1 };
  let color: ExpressionValue;
  if (s.kind === 'ndvi') {
    // (nir - red) / (nir + red); OpenLayers' expressions have no max: 'case' keeps the sum from 0
    const sum: ExpressionValue = ['+', band(s.nir), band(s.red)];
    const ndvi: ExpressionValue = [
      'case',
      ['>', ['abs', sum], 1e-6],
      ['/', ['-', band(s.nir), band(s.red)], sum],
      0,
    ];
    color = [
      'interpolate',
      ['linear'],
      ndvi,
      -0.2,
      [120, 70, 30, 1],
      0,
      [235, 225, 170, 1],
      0.3,
      [120, 190, 80, 1],
      0.8,
      [0, 90, 20, 1],
    ];
  } else {
    const [r, g, b] = s.kind === 'rgb' ? s.bands : [s.band, s.band, s.band];
    color = ['array', stretch(r, range(r)), stretch(g, range(g)), stretch(b, range(b)), 1];
  }
  // nodata and outside-the-image pixels are fully transparent, whatever the bands hold (NaN)
  return { color: ['case', ['==', band(samples), 0], ['color', 0, 0, 0, 0], color] };
}
