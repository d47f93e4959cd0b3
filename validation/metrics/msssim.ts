/**
 * MS-SSIM (Wang, Simoncelli & Bovik 2003) in the pytorch_msssim convention, the one most SR papers
 * quote: 5 scales, weights [0.0448, 0.2856, 0.3001, 0.2363, 0.1333], the same 11-tap sigma-1.5
 * Gaussian 'valid' window as SSIM, CS at scales 1-4 and SSIM at scale 5, each clamped at 0 (ReLU)
 * before the weighted product, and 2x2 average pooling between scales with zero padding of 1 on an
 * odd side (count_include_pad), so the smaller side must exceed (11-1) * 2^4 = 160 px.
 */
import { ValidationError } from '../errors.ts';
import type { Mask, Plane } from '../image.ts';
import { prepare, type MetricOptions } from './prepare.ts';
import { ssimStats } from './ssim.ts';

/** The standard scale weights. */
export const MS_SSIM_WEIGHTS = [0.0448, 0.2856, 0.3001, 0.2363, 0.1333] as const;

/** Smallest side MS-SSIM accepts (strictly greater than this). */
export const MS_SSIM_MIN_SIDE = 160;

/** 2x2 average pooling as torch.avg_pool2d(kernel 2, stride 2, padding side % 2, zeros counted). */
export function avgPool2(p: Plane, mask?: Mask): { plane: Plane; mask?: Mask } {
  const px = p.width % 2;
  const py = p.height % 2;
  const ow = Math.floor((p.width + 2 * px - 2) / 2) + 1;
  const oh = Math.floor((p.height + 2 * py - 2) / 2) + 1;
  const out = new Float64Array(ow * oh);
  const om = mask ? new Uint8Array(ow * oh) : undefined;
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      let s = 0;
      let ok = 1;
      for (let dy = 0; dy < 2; dy++) {
        const sy = 2 * y - py + dy;
        if (sy < 0 || sy >= p.height) continue;
        for (let dx = 0; dx < 2; dx++) {
          const sx = 2 * x - px + dx;
          if (sx < 0 || sx >= p.width) continue;
          s += p.data[sy * p.width + sx] as number;
          if (mask && mask[sy * p.width + sx] === 0) ok = 0;
        }
      }
      out[y * ow + x] = s / 4;
      if (om) om[y * ow + x] = ok;
    }
  }
  return { plane: { width: ow, height: oh, data: out }, mask: om };
}

/** MS-SSIM of `test` against `reference`; throws IMAGE_TOO_SMALL when a side is <= 160 px. */
export function msSsim(reference: Plane, test: Plane, opts: MetricOptions): number {
  const p = prepare(reference, test, opts);
  if (Math.min(p.a.width, p.a.height) <= MS_SSIM_MIN_SIDE) {
    throw new ValidationError(
      'IMAGE_TOO_SMALL',
      `MS-SSIM needs both sides > ${MS_SSIM_MIN_SIDE} px (4 halvings of an 11-px window), got ${p.a.width}x${p.a.height}`,
    );
  }
  let a = p.a;
  let b = p.b;
  let mask = p.mask;
  let result = 1;
  for (let level = 0; level < MS_SSIM_WEIGHTS.length; level++) {
    const st = ssimStats(a, b, opts.dataRange, mask);
    const w = MS_SSIM_WEIGHTS[level] as number;
    if (level < MS_SSIM_WEIGHTS.length - 1) {
      result *= Math.max(st.cs, 0) ** w;
      const pa = avgPool2(a, mask);
      a = pa.plane;
      b = avgPool2(b).plane;
      mask = pa.mask;
    } else {
      result *= Math.max(st.ssim, 0) ** w;
    }
  }
  return result;
}
