/**
 * `tilesr metrics` against scikit-image on files: 8-bit RGB PNG (benchmark image when present, else a
 * Pillow-made one), a 12-bit DICOM fixture vs a noised .npy copy, and the data-range rule printed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pythonHas, runPython } from '../../validation/testing/python.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const skip = pythonHas('numpy', 'scipy', 'skimage', 'PIL', 'pydicom')
  ? false
  : '/usr/bin/python3 lacks numpy/scipy/skimage/PIL/pydicom';

interface Out {
  psnr: number;
  ssim: number;
  mse: number;
  mae: number;
  ms_ssim: number | null;
  data_range: number;
  data_range_rule: string;
  bands: number;
}

function metrics(...args: string[]): Out {
  const r = spawnSync(process.execPath, [join(root, 'bin/tilesr.mjs'), 'metrics', ...args], {
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as Out;
}

test('metrics on PNG, DICOM and .npy files agree with scikit-image', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'tilesr-metrics-'));
  try {
    const set5 = join(root, '../shared/data/benchmarks/Set5/img_002_SRF_4_HR.png');
    const dcm = join(root, 'fixtures/dicom/mr384_12bit_explicit_le.dcm');
    type M = { psnr: number; ssim: number; mse: number; mae: number };
    const { json: o } = runPython<{ png: M; dcm: M; bits: M; shave: M; span: number }>(
      `import json, os, numpy as np, pydicom
from PIL import Image
from scipy.ndimage import gaussian_filter
from skimage.metrics import structural_similarity as S, peak_signal_noise_ratio as P
rng = np.random.default_rng(11)
src = '${set5}'
if os.path.exists(src): a = np.asarray(Image.open(src).convert('RGB'))
else:
    y, x = np.mgrid[0:200, 0:210]; a = np.stack([(x + y) % 256, (x * 3) % 256, (y * 2) % 256], 2).astype(np.uint8)
b = np.clip(gaussian_filter(a.astype(float), (1, 1, 0)) + rng.normal(0, 4, a.shape), 0, 255).round().astype(np.uint8)
Image.fromarray(a).save('${dir}/a.png'); Image.fromarray(b).save('${dir}/b.png')
c = pydicom.dcmread('${dcm}').pixel_array.astype(np.float64)
d = np.clip(c + rng.normal(0, 30, c.shape), 0, 4095).astype(np.float32)
np.save('${dir}/d.npy', d)
def m(a, b, R, **k):
    a = a.astype(np.float64); b = b.astype(np.float64)
    return {'psnr': P(a, b, data_range=R), 'ssim': S(a, b, gaussian_weights=True, sigma=1.5, use_sample_covariance=False, data_range=R, **k),
            'mse': float(((a - b) ** 2).mean()), 'mae': float(np.abs(a - b).mean())}
print(json.dumps({'png': m(a, b, 255, channel_axis=2), 'dcm': m(c, d.astype(np.float64), float(c.max() - c.min())),
                  'bits': m(c, d.astype(np.float64), 4095), 'span': float(c.max() - c.min()),
                  'shave': m(c[3:-3, 3:-3], d.astype(np.float64)[3:-3, 3:-3], 1000)}))`,
    );
    const png = metrics(join(dir, 'a.png'), join(dir, 'b.png'));
    assert.equal(png.bands, 3);
    assert.equal(png.data_range, 255);
    assert.equal(png.data_range_rule, 'dtype');
    // DICOM default: the ground truth's own span (what a QA engineer can read), bits stored on request
    const dc = metrics(dcm, join(dir, 'd.npy'));
    assert.equal(dc.data_range_rule, 'ground-truth-span');
    assert.equal(dc.data_range, o.span);
    assert.ok(dc.data_range < 4095);
    const bits = metrics(dcm, join(dir, 'd.npy'), '--data-range-rule', 'bits-stored');
    assert.equal(bits.data_range_rule, 'bits-stored');
    assert.equal(bits.data_range, 4095);
    const sh = metrics(dcm, join(dir, 'd.npy'), '--data-range', '1000', '--shave', '3');
    assert.equal(sh.data_range_rule, 'explicit');
    for (const [name, mine, ref] of [
      ['png', png, o.png],
      ['dicom', dc, o.dcm],
      ['bits', bits, o.bits],
      ['shave', sh, o.shave],
    ] as const) {
      assert.ok(ref);
      assert.ok(Math.abs(mine.psnr - ref.psnr) < 1e-4, `${name} PSNR ${mine.psnr} vs ${ref.psnr}`);
      assert.ok(Math.abs(mine.ssim - ref.ssim) < 1e-5, `${name} SSIM ${mine.ssim} vs ${ref.ssim}`);
      assert.ok(Math.abs(mine.mse - ref.mse) < 1e-9 * Math.max(1, ref.mse), `${name} MSE`);
      assert.ok(Math.abs(mine.mae - ref.mae) < 1e-9 * Math.max(1, ref.mae), `${name} MAE`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('metrics refuses images of different sizes with SIZE_MISMATCH', () => {
  const a = join(root, 'fixtures/dicom/mr384_12bit_explicit_le.dcm');
  const b = join(root, 'fixtures/dicom/ct128_signed16_explicit_le.dcm');
  if (!existsSync(a) || !existsSync(b)) return;
  const r = spawnSync(process.execPath, [join(root, 'bin/tilesr.mjs'), 'metrics', a, b], {
    encoding: 'utf8',
  });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^error SIZE_MISMATCH: /);
});
