/**
 * Renders float data in original units to 8/16-bit display pixels with the default window: the
 * first DICOM VOI preset when there is one, else a 2-98 % percentile stretch (per band for color).
 * MONOCHROME1 is inverted so that high values look dark, as a DICOM viewer shows them.
 */
import type { Photometric, WindowPreset } from '../../formats/raster.ts';
import type { DisplayImage } from '../watermark/burn.ts';

/** Float pixels in original units, pixel-interleaved. */
export interface FloatImage {
  data: Float32Array | Float64Array;
  width: number;
  height: number;
  samples: number;
}

/** What the display mapping was (recorded in provenance). */
export interface DisplayMapping {
  method: 'voi-preset' | 'percentile-2-98';
  /** Per displayed channel: value mapped to black and to white (before MONOCHROME1 inversion). */
  ranges: Array<[number, number]>;
  inverted: boolean;
}

/** Options for renderForDisplay. */
export interface RenderOptions {
  bits?: 8 | 16;
  photometric?: Photometric;
  windows?: WindowPreset[];
}

/** The p-th percentile (0..1) of the finite values of one channel, from at most ~1M samples. */
export function percentile(img: FloatImage, channel: number, ps: number[]): number[] {
  const n = img.width * img.height;
  const step = Math.max(1, Math.floor(n / 1_000_000));
  const vals: number[] = [];
  for (let i = 0; i < n; i += step) {
    const v = img.data[i * img.samples + channel] as number;
    if (Number.isFinite(v)) vals.push(v);
  }
  if (vals.length === 0) return ps.map(() => 0);
  const sorted = Float64Array.from(vals).sort();
  return ps.map((p) => sorted[Math.min(sorted.length - 1, Math.floor(p * (sorted.length - 1)))] as number);
}

/** Maps an image to display pixels: gray for one sample, RGB from the first three otherwise. */
export function renderForDisplay(
  img: FloatImage,
  options: RenderOptions = {},
): { image: DisplayImage; mapping: DisplayMapping } {
  const bits = options.bits ?? 8;
  const max = bits === 16 ? 65535 : 255;
  const channels = img.samples >= 3 ? 3 : 1;
  const preset = channels === 1 ? options.windows?.[0] : undefined;
  const inverted = channels === 1 && options.photometric === 'MONOCHROME1';
  const ranges: Array<[number, number]> = [];
  for (let c = 0; c < channels; c++) {
    if (preset) {
      // DICOM PS3.3 C.11.2.1.2 linear VOI function, expressed as its black and white points
      const lo = preset.center - 0.5 - (preset.width - 1) / 2;
      ranges.push([lo, lo + Math.max(1, preset.width - 1)]);
    } else {
      const [lo, hi] = percentile(img, c, [0.02, 0.98]) as [number, number];
      ranges.push([lo, hi > lo ? hi : lo + 1]);
    }
  }
  const n = img.width * img.height;
  const data = bits === 16 ? new Uint16Array(n * channels) : new Uint8Array(n * channels);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < channels; c++) {
      const [lo, hi] = ranges[c] as [number, number];
      const v = img.data[i * img.samples + c] as number;
      let t = Number.isFinite(v) ? (v - lo) / (hi - lo) : 0;
      t = t < 0 ? 0 : t > 1 ? 1 : t;
      if (inverted) t = 1 - t;
      data[i * channels + c] = Math.round(t * max);
    }
  }
  return {
    image: { data, width: img.width, height: img.height, channels },
    mapping: { method: preset ? 'voi-preset' : 'percentile-2-98', ranges, inverted },
  };
}
