/**
 * Colour through luma: for 3-band colour display the model runs once per tile, on the luma Y of a
 * BT.601 YCbCr transform, and the chroma is upsampled bicubically (what SR benchmarks measure and
 * where the eye sees detail): 3x fewer generator runs than one per band.
 *
 * The transform is taken on each band's normalized value CLIPPED to its contract range, c =
 * clip01((v - lo) / (hi - lo)) with that band's whole-image range (0 for NaN/nodata and constant
 * bands, as normalize does), so Y is on the model's [0,1] scale by construction:
 *
 *   Y = 0.299 cR + 0.587 cG + 0.114 cB      Cb = cB - Y      Cr = cR - Y
 *
 * and the range rule (range.ts) keeps its form with the luma path in place of the per-band model:
 *
 *   out_b = clamp01(inverse(clamp01(model(Y)), up(Cb), up(Cr))_b) + up(n_b - c_b)
 *
 * The inverse is exact (cR = Y + Cr, cB = Y + Cb, cG = (Y - 0.299 cR - 0.114 cB) / 0.587); each band
 * is clamped to its contract range and its excess beyond it upsampled on its own, exactly as on the
 * per-band path, so true extremes keep their level and a saturated band's edge is not sharpened
 * past it (the model's detail on Y would otherwise ring there). Bicubic reaches 2 LR
 * px, inside every halo, so a tile equals the same window of the whole image on this path too.
 */
import { upsample } from '../../core/resample.ts';
import type { NormRange } from '../../models/normalize.ts';
import type { Rect } from './tiler.ts';

/** Which path made colour pixels: one model run on luma + bicubic chroma, or one run per band. */
export type ColorPath = 'luma' | 'per-band';

/** BT.601 luma weights of R, G, B. */
export const KR = 0.299;
export const KG = 0.587;
export const KB = 0.114;

/** The scale Y is on: the model's contract range, [0,1]. */
export const LUMA_RANGE: NormRange = { lo: 0, hi: 1, constant: false, count: 1 };

/** The path actually taken: luma only when asked for and the bands are three (R, G, B in order). */
export function colorPathFor(bands: readonly number[], requested: ColorPath | undefined): ColorPath {
  return requested === 'luma' && bands.length === 3 ? 'luma' : 'per-band';
}

const clamp01 = (t: number): number => (t < 0 ? 0 : t > 1 ? 1 : t);

/** Y, Cb, Cr planes of a rect (of the clipped bands) and each band's excess (undefined: none). */
export interface LumaPlanes {
  y: Float32Array;
  cb: Float32Array;
  cr: Float32Array;
  excess: Array<Float32Array | undefined>;
}

/** Y, Cb, Cr and excesses of `rect` of interleaved real-unit values ([h, w, samples]), bands [R, G, B]. */
export function lumaSplit(
  src: { values: ArrayLike<number>; width: number; samples: number },
  rect: Rect,
  bands: readonly number[],
  ranges: readonly NormRange[],
): LumaPlanes {
  const n = rect.width * rect.height;
  const y = new Float32Array(n);
  const cb = new Float32Array(n);
  const cr = new Float32Array(n);
  const excess: Array<Float32Array | undefined> = [undefined, undefined, undefined];
  const c = [0, 0, 0];
  for (let j = 0; j < rect.height; j++)
    for (let i = 0; i < rect.width; i++) {
      const base = ((rect.y + j) * src.width + rect.x + i) * src.samples;
      const k = j * rect.width + i;
      for (let b = 0; b < 3; b++) {
        const r = ranges[b] as NormRange;
        const v = src.values[base + (bands[b] as number)] as number;
        const t = Number.isFinite(v) && !r.constant ? (v - r.lo) / (r.hi - r.lo) : 0;
        c[b] = t < 0 ? 0 : t > 1 ? 1 : t;
        if (t !== c[b]) (excess[b] ??= new Float32Array(n))[k] = t - (c[b] as number);
      }
      const [R, G, B] = c as [number, number, number];
      const Y = KR * R + KG * G + KB * B;
      y[k] = Y;
      cb[k] = B - Y;
      cr[k] = R - Y;
    }
  return { y, cb, cr, excess };
}

/**
 * The normalized R, G, B planes of a core (at (ox, oy) of the upsampled input) from the enhanced Y
 * and the input's Cb/Cr and excesses (LR, width x height), which are upsampled bicubically here.
 */
export function lumaMerge(
  ySr: Float32Array,
  lr: LumaPlanes,
  input: { width: number; height: number; scale: number },
  core: { ox: number; oy: number; width: number; height: number },
): [Float32Array, Float32Array, Float32Array] {
  const { width, height, scale } = input;
  const up = (data: Float32Array) => upsample({ width, height, data }, scale, 'bicubic').data;
  const cb = up(lr.cb);
  const cr = up(lr.cr);
  const ex = lr.excess.map((e) => (e ? up(e) : undefined));
  const sw = width * scale;
  const n = core.width * core.height;
  const r = new Float32Array(n);
  const g = new Float32Array(n);
  const b = new Float32Array(n);
  for (let j = 0; j < core.height; j++)
    for (let i = 0; i < core.width; i++) {
      const s = (core.oy + j) * sw + core.ox + i;
      const k = j * core.width + i;
      const Y = ySr[s] as number;
      const R = Y + (cr[s] as number);
      const B = Y + (cb[s] as number);
      const G = (Y - KR * R - KB * B) / KG;
      r[k] = clamp01(R) + (ex[0] ? (ex[0][s] as number) : 0);
      g[k] = clamp01(G) + (ex[1] ? (ex[1][s] as number) : 0);
      b[k] = clamp01(B) + (ex[2] ? (ex[2][s] as number) : 0);
    }
  return [r, g, b];
}
