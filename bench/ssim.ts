/**
 * Metric and resampling speed on a 2048x2048 float32 pair: tilesr (Node) beside scikit-image / Pillow
 * (Debian's /usr/bin/python3) on the same data in the same run, plus the agreement of the values.
 * `node --import tsx bench/ssim.ts` prints the Markdown table; `benchSsim()` returns it for run.ts.
 */
import { downsample } from '../validation/degrade.ts';
import type { Plane } from '../validation/image.ts';
import { msSsim, psnr, ssim } from '../validation/metrics/index.ts';
import { pythonHas, runPython } from '../validation/testing/python.ts';
import { randomImage, rng } from '../validation/testing/random.ts';
import { fmt, median } from './timing.ts';

const N = 2048;

function timeSync<T>(fn: () => T, runs = 3): { ms: number; value: T } {
  let value = fn(); // warm-up (JIT)
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    value = fn();
    times.push(performance.now() - t0);
  }
  return { ms: median(times), value };
}

/** Runs the benchmark and returns a Markdown table. */
export async function benchSsim(): Promise<string> {
  const a = Float32Array.from(randomImage(N, N, 1, 0.3));
  const r = rng(2);
  const b = a.map((v) => v + (r() - 0.5) * 0.1);
  const A: Plane = { width: N, height: N, data: a };
  const B: Plane = { width: N, height: N, data: b };
  const opts = { dataRange: 1 };
  const s = timeSync(() => ssim(A, B, opts));
  const p = timeSync(() => psnr(A, B, opts));
  const m = timeSync(() => msSsim(A, B, opts));
  const d = timeSync(() => downsample(A, 4, { degradation: 'torch' }));
  const dm = timeSync(() => downsample(A, 4, { degradation: 'matlab' }));
  let py: Record<string, number> | null = null;
  if (pythonHas('numpy', 'skimage', 'PIL')) {
    py = runPython<Record<string, number>>(
      `import json, time, numpy as np
from PIL import Image
from skimage.metrics import structural_similarity as S, peak_signal_noise_ratio as P
a = np.load('a.npy'); b = np.load('b.npy'); a64 = a.astype(np.float64); b64 = b.astype(np.float64)
def t(f, runs=3):
    f(); ts = []
    for _ in range(runs):
        t0 = time.perf_counter(); v = f(); ts.append((time.perf_counter() - t0) * 1000)
    return float(np.median(ts)), v
k = dict(gaussian_weights=True, sigma=1.5, use_sample_covariance=False, data_range=1.0)
s32 = t(lambda: S(a, b, **k)); s64 = t(lambda: S(a64, b64, **k)); p = t(lambda: P(a64, b64, data_range=1.0))
d = t(lambda: Image.fromarray(a, 'F').resize((${N / 4}, ${N / 4}), Image.BICUBIC))
print(json.dumps({'ssim32_ms': s32[0], 'ssim64_ms': s64[0], 'ssim': s64[1], 'psnr_ms': p[0], 'psnr': p[1], 'down_ms': d[0]}))`,
      { a: { shape: [N, N], data: a }, b: { shape: [N, N], data: b } },
    ).json;
  }
  const rows = [
    '| operation (2048x2048 float32) | tilesr Node ms | reference ms | reference | value tilesr | value reference |',
    '|---|---|---|---|---|---|',
    `| SSIM (Gaussian 11, sigma 1.5) | ${fmt(s.ms)} | ${fmt(py?.ssim64_ms ?? null)} / ${fmt(py?.ssim32_ms ?? null)} | skimage structural_similarity, float64 / float32 input | ${s.value.toFixed(7)} | ${py ? py.ssim?.toFixed(7) : 'n/a'} |`,
    `| PSNR | ${fmt(p.ms)} | ${fmt(py?.psnr_ms ?? null)} | skimage peak_signal_noise_ratio | ${p.value.toFixed(5)} | ${py ? py.psnr?.toFixed(5) : 'n/a'} |`,
    `| MS-SSIM (5 scales) | ${fmt(m.ms)} | n/a | (no reference installed) | ${m.value.toFixed(7)} | |`,
    `| bicubic antialias x1/4 (torch/Pillow) | ${fmt(d.ms)} | ${fmt(py?.down_ms ?? null)} | Pillow resize BICUBIC on 'F' | | |`,
    `| bicubic antialias x1/4 (MATLAB imresize) | ${fmt(dm.ms)} | n/a | | | |`,
  ];
  return (
    rows.join('\n') +
    '\n\nMedian of 3 runs after a warm-up; Python timed inside the interpreter (no start-up).'
  );
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(await benchSsim());
