/**
 * Burns the "AI-enhanced" label into real-unit pixels for a derived DICOM. burnLabel draws on a
 * display image; here it draws on a probe image so that its box and glyph pixels can be mapped onto
 * the real values: text at the display white, the box darkened towards the display black.
 */
import type { Photometric, WindowPreset } from '../../formats/raster.ts';
import { burnLabel, watermarkText } from '../watermark/burn.ts';

/** What to burn into and how the image is displayed. */
export interface BurnTarget {
  data: Float32Array;
  width: number;
  height: number;
  samples: number;
  photometric: Photometric;
  windows: WindowPreset[];
}

/** A copy of `t.data` with the label for `modelId` x`scale` burned in. */
export function burnMark(t: BurnTarget, modelId: string, scale: number): Float32Array {
  const n = t.width * t.height;
  const PROBE = 1000;
  const probe = { data: new Uint16Array(n).fill(PROBE), width: t.width, height: t.height, channels: 1 };
  burnLabel(probe, watermarkText(modelId, scale));
  const out = t.data.slice();
  for (let c = 0; c < t.samples; c++) {
    const [black, white] = displayRange(t, c);
    for (let i = 0; i < n; i++) {
      const p = probe.data[i] as number;
      if (p === PROBE) continue;
      const k = i * t.samples + c;
      // burnLabel writes 65535 for glyphs and 0.3 x the value for the darkened box
      out[k] = p === 65535 ? white : black + ((out[k] as number) - black) * 0.3;
    }
  }
  return out;
}

/** Values shown as black and as white: the first VOI preset, else the data range (RGB: 0..255). */
function displayRange(t: BurnTarget, channel: number): [number, number] {
  if (t.samples === 3) return [0, 255];
  let lo: number;
  let hi: number;
  const w = t.windows[0];
  if (w) {
    lo = w.center - w.width / 2;
    hi = w.center + w.width / 2;
  } else {
    lo = Infinity;
    hi = -Infinity;
    for (let i = channel; i < t.data.length; i += t.samples) {
      const v = t.data[i] as number;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  return t.photometric === 'MONOCHROME1' ? [hi, lo] : [lo, hi];
}
