/**
 * Degradation and baselines against Pillow on float ('F') images, the oracle for PyTorch's
 * antialiased bicubic (torch is not installed; Pillow's Resample.c is what torch reimplements).
 * MATLAB's convention is checked against Pillow on a symmetric-padded image (numpy.pad 'symmetric'
 * is MATLAB's mirror extension), cropped back: equal wherever the padding covers the kernel.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { upsample, type BaselineMethod } from './baselines.ts';
import { downsample } from './degrade.ts';
import type { Plane } from './image.ts';
import { pythonHas, runPython } from './testing/python.ts';
import { randomImage } from './testing/random.ts';

const dcm = fileURLToPath(new URL('../fixtures/dicom/mr384_12bit_explicit_le.dcm', import.meta.url));
const skip = pythonHas('numpy', 'PIL')
  ? false
  : '/usr/bin/python3 lacks numpy/PIL (apt-get install python3-pil)';
const PIL_NAMES: Record<BaselineMethod, string> = {
  nearest: 'NEAREST',
  bilinear: 'BILINEAR',
  bicubic: 'BICUBIC',
  lanczos3: 'LANCZOS',
};
const SCALES = [2, 3, 4];

/** For each input x.npy: x_down_s (bicubic), x_up_<m>_s, and the MATLAB-convention variants. */
const ORACLE = `
import json, numpy as np, os
from PIL import Image
def rs(a, w, h, f): return np.asarray(Image.fromarray(a.astype(np.float32), 'F').resize((w, h), f)).astype(np.float64)
res = {}
try:
    import pydicom
    np.save('real.npy', pydicom.dcmread('${dcm}').pixel_array.astype(np.float64)[:120, :150] / 4095.0)
except ImportError: pass
for name in [f[:-4] for f in os.listdir('.') if f.endswith('.npy')]:
    a = np.load(name + '.npy'); h, w = a.shape
    for s in ${JSON.stringify(SCALES)}:
        hs, ws = h - h % s, w - w % s
        d = a[:hs, :ws]
        np.save(f'{name}_down_{s}.npy', rs(d, ws // s, hs // s, Image.BICUBIC))
        p = 4 * s  # mirror padding: a multiple of s, wider than the x s antialias support (2 s)
        dp = np.pad(d, p, mode='symmetric')
        np.save(f'{name}_mdown_{s}.npy', rs(dp, (ws + 2*p) // s, (hs + 2*p) // s, Image.BICUBIC)[p//s:-p//s, p//s:-p//s])
        for m in ${JSON.stringify(Object.values(PIL_NAMES))}:
            np.save(f'{name}_up_{m}_{s}.npy', rs(a, w * s, h * s, getattr(Image, m)))
            ap = np.pad(a, 4, mode='symmetric')
            np.save(f'{name}_mup_{m}_{s}.npy', rs(ap, (w + 8) * s, (h + 8) * s, getattr(Image, m))[4*s:-4*s, 4*s:-4*s])
    res[name] = [h, w]
print(json.dumps(res))
`;

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
}

test(
  'degradation and baselines agree with Pillow to 1e-5 (random and real 12-bit, normalized)',
  { skip },
  (t) => {
    const w = 61;
    const h = 50;
    const rnd = randomImage(w, h, 3, 0.5);
    const names = ['rnd', 'real'];
    const outputs = (n: string) =>
      SCALES.flatMap((s) => [
        `${n}_down_${s}`,
        `${n}_mdown_${s}`,
        ...Object.values(PIL_NAMES).flatMap((m) => [`${n}_up_${m}_${s}`, `${n}_mup_${m}_${s}`]),
      ]);
    const probe = runPython<Record<string, [number, number]>>(ORACLE, { rnd: { shape: [h, w], data: rnd } });
    const present = names.filter((n) => n in probe.json);
    if (!present.includes('real')) t.diagnostic('pydicom missing: real DICOM case skipped');
    const { json, files } = runPython<Record<string, [number, number]>>(
      ORACLE,
      { rnd: { shape: [h, w], data: rnd } },
      [...present.filter((n) => n !== 'rnd'), ...present.flatMap(outputs)],
    );
    for (const n of present) {
      const [ih, iw] = json[n] as [number, number];
      const src = n === 'rnd' ? rnd : files[n]?.data; // the real image is read on the Python side
      assert.ok(src);
      const p: Plane = { width: iw, height: ih, data: src };
      for (const s of SCALES) {
        const d: Plane = { width: iw - (iw % s), height: ih - (ih % s), data: new Float64Array(0) };
        d.data = new Float64Array(d.width * d.height);
        for (let y = 0; y < d.height; y++) d.data.set(src.subarray(y * iw, y * iw + d.width), y * d.width);
        const torch = downsample(d, s, { degradation: 'torch' });
        assert.ok(maxDiff(torch.data, files[`${n}_down_${s}`]!.data) < 1e-5, `${n} torch x${s} down`);
        const mat = downsample(d, s, { degradation: 'matlab' });
        assert.ok(maxDiff(mat.data, files[`${n}_mdown_${s}`]!.data) < 1e-5, `${n} matlab x${s} down`);
        for (const m of Object.keys(PIL_NAMES) as BaselineMethod[]) {
          const up = upsample(p, s, m, 'pil');
          const diff = maxDiff(up.data, files[`${n}_up_${PIL_NAMES[m]}_${s}`]!.data);
          assert.ok(diff < 1e-5, `${n} ${m} x${s} up: max diff ${diff}`);
          if (m === 'nearest') continue; // MATLAB's box is [-0.5, 0.5), Pillow's (-0.5, 0.5]: no ties here, but not the same rule
          const mu = upsample(p, s, m, 'matlab');
          const md = maxDiff(mu.data, files[`${n}_mup_${PIL_NAMES[m]}_${s}`]!.data);
          assert.ok(md < 1e-5, `${n} ${m} x${s} matlab up: max diff ${md}`);
        }
      }
    }
  },
);

test('MATLAB and Pillow conventions differ only near the borders', () => {
  const w = 64;
  const h = 48;
  const p: Plane = { width: w, height: h, data: randomImage(w, h, 9, 0.5) };
  const a = downsample(p, 4, { degradation: 'torch' });
  const b = downsample(p, 4, { degradation: 'matlab' });
  let inner = 0;
  let border = 0;
  for (let y = 0; y < a.height; y++)
    for (let x = 0; x < a.width; x++) {
      const d = Math.abs((a.data[y * a.width + x] as number) - (b.data[y * a.width + x] as number));
      if (x >= 2 && y >= 2 && x < a.width - 2 && y < a.height - 2) inner = Math.max(inner, d);
      else border = Math.max(border, d);
    }
  assert.ok(inner < 1e-12, `interior differs by ${inner}`);
  assert.ok(border > 1e-6, `borders should differ (mirror vs renormalize), max ${border}`);
});

test('a constant image stays constant under every resampling (weights sum to 1)', () => {
  const p: Plane = { width: 37, height: 23, data: new Float64Array(37 * 23).fill(0.625) };
  for (const conv of ['pil', 'matlab'] as const)
    for (const m of ['nearest', 'bilinear', 'bicubic', 'lanczos3'] as const) {
      const u = upsample(p, 3, m, conv);
      assert.ok(maxDiff(u.data, new Float64Array(u.data.length).fill(0.625)) < 1e-12, `${conv} ${m}`);
    }
});
