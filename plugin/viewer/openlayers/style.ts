/**
 * Band choice and band combination as OpenLayers WebGL tile styles. Both layers carry the same
 * tile layout (every raster band in real units, then an alpha band: 0 for nodata or outside the
 * image), so one style shows both; display ranges are the per-band normalization ranges.
 */
import type { ExpressionValue } from 'ol/expr/expression.js';
import type { Style } from 'ol/layer/WebGLTile.js';
import type { NormRange } from '../../../models/normalize.ts';

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

/** Throws RangeError when a style names a band the raster lacks. */
export function checkBandStyle(s: BandStyle, samples: number): void {
  for (const b of styleBands(s))
    if (!Number.isInteger(b) || b < 0 || b >= samples)
      throw new RangeError(`band ${b} is outside 0..${samples - 1}`);
}

/** ['band', n] is 1-based in OpenLayers. */
const band = (b: number): ExpressionValue => ['band', b + 1];

function stretch(b: number, r: NormRange): ExpressionValue {
  const span = r.hi - r.lo || 1;
  return ['clamp', ['/', ['-', band(b), r.lo], span], 0, 1];
}

/** The WebGL style for `s`, with `samples` raster bands and the alpha band after them. */
export function olStyle(s: BandStyle, ranges: NormRange[], samples: number): Style {
  checkBandStyle(s, samples);
  const range = (b: number) => ranges[b] ?? { lo: 0, hi: 1, constant: false, count: 0 };
  let color: ExpressionValue;
  if (s.kind === 'ndvi') {
    const ndvi: ExpressionValue = [
      '/',
      ['-', band(s.nir), band(s.red)],
      ['max', ['+', band(s.nir), band(s.red)], 1e-6],
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
