/**
 * The published-benchmark check at full size: bicubic x4 on Set5, Set14 and BSD100 measured the
 * published way (Y channel, shave 4, MATLAB imresize degradation, 8-bit rounding), beside the SRGAN
 * paper's PSNR and the EDSR/RCAN tables' SSIM. Set5/Set14 also run in `npm test`; BSD100 only here.
 * `node --import tsx bench/sr-bicubic.ts` prints Markdown; `benchSrBicubic()` returns it.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openImage } from '../cli/images.ts';
import { rgbToY } from '../validation/color.ts';
import { evaluate } from '../validation/evaluate.ts';
import type { Plane } from '../validation/image.ts';

const BENCH = fileURLToPath(new URL('../../shared/data/benchmarks/', import.meta.url));
const PUBLISHED: Record<string, { psnr: number; ssim: number }> = {
  Set5: { psnr: 28.43, ssim: 0.8104 },
  Set14: { psnr: 25.99, ssim: 0.7027 },
  BSD100: { psnr: 25.94, ssim: 0.6675 },
};

/** Runs the three sets and returns a Markdown table. */
export async function benchSrBicubic(): Promise<string> {
  const rows = [
    '| set | images | bicubic PSNR (dB) | published | diff | bicubic SSIM | published (EDSR/RCAN) | seconds |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const [set, ref] of Object.entries(PUBLISHED)) {
    const dir = join(BENCH, set);
    if (!existsSync(dir)) {
      rows.push(`| ${set} | absent (${dir}) | | | | | | |`);
      continue;
    }
    const t0 = performance.now();
    let ps = 0;
    let ss = 0;
    let n = 0;
    for (const f of readdirSync(dir)
      .filter((x) => x.endsWith('.png'))
      .sort()) {
      const img = await openImage(join(dir, f));
      const b = await img.read(0);
      const y = b.length === 3 ? rgbToY(...(b as [Plane, Plane, Plane])) : (b[0] as Plane);
      const e = await evaluate(y, {
        scale: 4,
        degradation: 'matlab',
        dataRange: 255,
        shave: 4,
        quantize: { min: 0, max: 255 },
        baselines: ['bicubic'],
      });
      ps += e.methods.bicubic?.metrics.psnr ?? NaN;
      ss += e.methods.bicubic?.metrics.ssim ?? NaN;
      n++;
    }
    const s = (performance.now() - t0) / 1000;
    rows.push(
      `| ${set} | ${n} | ${(ps / n).toFixed(3)} | ${ref.psnr} | ${(ps / n - ref.psnr).toFixed(3)} | ${(ss / n).toFixed(4)} | ${ref.ssim} | ${s.toFixed(1)} |`,
    );
  }
  return rows.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(await benchSrBicubic());
