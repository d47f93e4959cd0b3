/**
 * How a raster's real-unit values become screen pixels in cornerstone, described once so that the
 * original (cornerstone's LUT) and enhanced tiles (plugin/viewer/tile-render.ts) use the same mapping
 * with the same viewport VOI. Grayscale: modality value -> linear VOI -> optional inversion.
 * Color/multi-band: each of the first three bands -> 8 bits through a fixed range, then VOI on 8 bits.
 */
import type { Raster, WindowPreset } from '../../formats/raster.ts';
import { percentile } from '../export/render.ts';

/** Grayscale: the viewport VOI applies to modality values (stored * slope + intercept). */
export interface GrayDisplay {
  kind: 'gray';
  /** Raster band shown (0, or the only band of a 2-band raster). */
  band: number;
  /** MONOCHROME1: high values are dark. */
  invert: boolean;
  /** Default VOI in modality units. */
  voi: { windowCenter: number; windowWidth: number; source: 'preset' | 'percentile-2-98' };
}

/** Color: bands -> 8 bits with fixed per-band ranges; the viewport VOI then acts on 0..255. */
export interface ColorDisplay {
  kind: 'color';
  /** Raster bands shown as R, G, B. */
  bands: [number, number, number];
  /** Modality value mapped to 0 and to 255, per displayed channel. */
  ranges: Array<[number, number]>;
  source: 'identity-8bit' | 'percentile-2-98';
  voi: { windowCenter: number; windowWidth: number };
}

/** The display mapping of one image. */
export type DisplayModel = GrayDisplay | ColorDisplay;

/** cornerstone's linear VOI (getVOILut.js) followed by Uint8ClampedArray rounding, inverted if asked. */
export function voiToByte(value: number, center: number, width: number, invert: boolean): number {
  const v = ((value - center) / width + 0.5) * 255;
  const c = v < 0 ? 0 : v > 255 ? 255 : v;
  // Uint8ClampedArray stores round-half-to-even; Math.round differs only at exact .5, invisible here
  const b = Math.round(c);
  return invert ? 255 - b : b;
}

/** Modality value -> 0..255 through a fixed [lo, hi] range (color bands). */
export function rangeToByte(value: number, lo: number, hi: number): number {
  const t = (value - lo) / (hi - lo);
  return Number.isFinite(t) ? Math.round((t < 0 ? 0 : t > 1 ? 1 : t) * 255) : 0;
}

function stretch(values: Float64Array | Float32Array, samples: number, band: number, w: number, h: number) {
  const [lo, hi] = percentile({ data: values, width: w, height: h, samples }, band, [0.02, 0.98]) as [
    number,
    number,
  ];
  return [lo, hi > lo ? hi : lo + 1] as [number, number];
}

/** Picks the display mapping of a raster: first VOI preset, else a 2-98 % stretch; RGB of 3 bands. */
export function displayModelFor(raster: Raster, modality: Float64Array | Float32Array): DisplayModel {
  const { info } = raster;
  const w = raster.width;
  const h = raster.height;
  if (raster.samples >= 3) {
    const identity =
      info.dtype === 'uint8' && info.valueMapping.slope === 1 && info.valueMapping.intercept === 0;
    const ranges = [0, 1, 2].map((b) =>
      identity ? ([0, 255] as [number, number]) : stretch(modality, raster.samples, b, w, h),
    );
    return {
      kind: 'color',
      bands: [0, 1, 2],
      ranges,
      source: identity ? 'identity-8bit' : 'percentile-2-98',
      // ((v - 127.5) / 255 + 0.5) * 255 = v: the identity window on 8-bit values
      voi: { windowCenter: 127.5, windowWidth: 255 },
    };
  }
  const preset: WindowPreset | undefined = info.windows[0];
  const invert = info.photometric === 'MONOCHROME1';
  if (preset && preset.width > 0)
    return {
      kind: 'gray',
      band: 0,
      invert,
      voi: { windowCenter: preset.center, windowWidth: preset.width, source: 'preset' },
    };
  const [lo, hi] = stretch(modality, raster.samples, 0, w, h);
  return {
    kind: 'gray',
    band: 0,
    invert,
    voi: { windowCenter: (lo + hi) / 2, windowWidth: hi - lo, source: 'percentile-2-98' },
  };
}
