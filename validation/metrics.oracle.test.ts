/**
 * Metrics against scikit-image (PSNR, SSIM), a NumPy port of pytorch_msssim (MS-SSIM), on random
 * 8/12/16-bit and float pairs and on real DICOM/GeoTIFF pixels (pydicom, GDAL) against a blurred,
 * noised copy made by the oracle itself.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { msSsim, psnr, ssim } from './metrics/index.ts';
import type { Plane } from './image.ts';
import { pythonHas, runPython, type PyArray } from './testing/python.ts';
import { randomImage, rng } from './testing/random.ts';

const fixtures = fileURLToPath(new URL('../fixtures/', import.meta.url));
const hasSkimage = pythonHas('numpy', 'scipy', 'skimage');
const skip = hasSkimage
  ? false
  : '/usr/bin/python3 lacks numpy/scipy/skimage (apt-get install python3-skimage)';

interface Case {
  name: string;
  w: number;
  h: number;
  a: Float64Array;
  b: Float64Array;
  R: number;
  shave?: number;
  mask?: Uint8Array;
}

/** Random pairs: quantized to 8/12/16 bits, and float with an arbitrary offset/range. */
function randomCases(): Case[] {
  const out: Case[] = [];
  const specs: [string, number, number, number, number | null][] = [
    ['u8', 97, 83, 255, 1],
    ['u12', 128, 131, 4095, 1],
    ['u16', 175, 190, 65535, 1],
    ['float', 203, 167, 7.5, null],
  ];
  specs.forEach(([name, w, h, R, step], k) => {
    const r = rng(100 + k);
    const base = randomImage(w, h, 10 + k);
    const a = new Float64Array(w * h);
    const b = new Float64Array(w * h);
    for (let i = 0; i < a.length; i++) {
      const v = (base[i] as number) * R;
      const u = v + (r() - 0.5) * 0.1 * R;
      a[i] = step ? Math.round(v) : v - 3.25;
      b[i] = step ? Math.min(R, Math.max(0, Math.round(u))) : u - 3.25;
    }
    out.push({ name: `random ${name}`, w, h, a, b, R });
  });
  return out;
}

const arr = (c: Case, d: Float64Array): PyArray => ({ shape: [c.h, c.w], data: d });
const plane = (c: Case, d: Float64Array): Plane => ({ width: c.w, height: c.h, data: d });

/** The oracle: skimage PSNR/SSIM (+ masked SSIM from skimage's own map) and pytorch_msssim in NumPy. */
const ORACLE = `
import json, numpy as np, os
from scipy.ndimage import correlate1d, minimum_filter
from skimage.metrics import structural_similarity as S, peak_signal_noise_ratio as P
def g1d():
    x = np.arange(11) - 5; g = np.exp(-(x**2) / (2 * 1.5**2)); return g / g.sum()
def filt(x):  # 'valid' separable gaussian as torch conv2d without padding
    g = g1d(); y = correlate1d(x, g, axis=0)[5:-5, :]; return correlate1d(y, g, axis=1)[:, 5:-5]
def ssim_cs(X, Y, R):
    C1 = (0.01 * R) ** 2; C2 = (0.03 * R) ** 2
    mu1, mu2 = filt(X), filt(Y)
    s11 = filt(X * X) - mu1**2; s22 = filt(Y * Y) - mu2**2; s12 = filt(X * Y) - mu1 * mu2
    cs = (2 * s12 + C2) / (s11 + s22 + C2); ss = (2 * mu1 * mu2 + C1) / (mu1**2 + mu2**2 + C1) * cs
    return ss.mean(), cs.mean()
def pool(X):
    py, px = X.shape[0] % 2, X.shape[1] % 2
    X = np.pad(X, ((py, py), (px, px)))
    h, w = X.shape[0] // 2, X.shape[1] // 2
    return X[: 2 * h, : 2 * w].reshape(h, 2, w, 2).mean(axis=(1, 3))
def ms_ssim(X, Y, R):
    W = [0.0448, 0.2856, 0.3001, 0.2363, 0.1333]; v = 1.0
    for i in range(5):
        s, c = ssim_cs(X, Y, R)
        if i < 4: v *= max(c, 0) ** W[i]; X, Y = pool(X), pool(Y)
        else: v *= max(s, 0) ** W[i]
    return v
out = {}
for name in sorted(set(f.split('__')[0] for f in os.listdir('.') if f.endswith('__a.npy'))):
    a = np.load(name + '__a.npy'); b = np.load(name + '__b.npy'); R = float(np.load(name + '__R.npy')[0])
    sh = int(np.load(name + '__shave.npy')[0])
    if sh: a, b = a[sh:-sh, sh:-sh], b[sh:-sh, sh:-sh]
    ss, smap = S(a, b, gaussian_weights=True, sigma=1.5, use_sample_covariance=False, data_range=R, full=True)
    r = {'psnr': P(a, b, data_range=R), 'ssim': ss}
    if os.path.exists(name + '__m.npy'):
        m = np.load(name + '__m.npy')
        if sh: m = m[sh:-sh, sh:-sh]
        ok = minimum_filter(m, size=11, mode='constant', cval=0)[5:-5, 5:-5] > 0
        r['ssim_masked'] = float(smap[5:-5, 5:-5][ok].mean())
    r['ms_ssim'] = ms_ssim(a, b, R) if min(a.shape) > 160 else None
    out[name] = r
print(json.dumps(out))
`;

function caseArrays(cases: Case[]): Record<string, PyArray> {
  const files: Record<string, PyArray> = {};
  cases.forEach((c, i) => {
    const id = `c${i}`;
    files[`${id}__a`] = arr(c, c.a);
    files[`${id}__b`] = arr(c, c.b);
    files[`${id}__R`] = { shape: [1], data: Float64Array.of(c.R) };
    files[`${id}__shave`] = { shape: [1], data: Float64Array.of(c.shave ?? 0) };
    if (c.mask) files[`${id}__m`] = arr(c, Float64Array.from(c.mask));
  });
  return files;
}

type OracleOut = Record<string, { psnr: number; ssim: number; ssim_masked?: number; ms_ssim: number | null }>;

function checkCases(cases: Case[]): void {
  const { json } = runPython<OracleOut>(ORACLE, caseArrays(cases));
  cases.forEach((c, i) => {
    const o = json[`c${i}`];
    assert.ok(o, `oracle answered for ${c.name}`);
    const opts = { dataRange: c.R, shave: c.shave ?? 0 };
    const A = plane(c, c.a);
    const B = plane(c, c.b);
    const p = psnr(A, B, opts);
    const s = ssim(A, B, opts);
    assert.ok(Math.abs(p - o.psnr) < 1e-4, `${c.name}: PSNR ${p} vs skimage ${o.psnr}`);
    assert.ok(Math.abs(s - o.ssim) < 1e-5, `${c.name}: SSIM ${s} vs skimage ${o.ssim}`);
    if (o.ms_ssim !== null) {
      const m = msSsim(A, B, opts);
      assert.ok(
        Math.abs(m - o.ms_ssim) < 1e-5,
        `${c.name}: MS-SSIM ${m} vs NumPy pytorch_msssim ${o.ms_ssim}`,
      );
    } else {
      assert.throws(() => msSsim(A, B, opts), { code: 'IMAGE_TOO_SMALL' });
    }
    if (c.mask && o.ssim_masked !== undefined) {
      const sm = ssim(A, B, { ...opts, mask: c.mask });
      assert.ok(Math.abs(sm - o.ssim_masked) < 1e-5, `${c.name}: masked SSIM ${sm} vs ${o.ssim_masked}`);
    }
  });
}

test(
  'PSNR, SSIM, MS-SSIM agree with scikit-image / pytorch_msssim on random 8/12/16-bit and float pairs',
  { skip },
  () => {
    const cases = randomCases();
    // shave and a mask with a hole and a ragged edge (nodata / outside field of view)
    const c = cases[2] as Case;
    const mask = new Uint8Array(c.w * c.h).fill(1);
    for (let y = 0; y < c.h; y++)
      for (let x = 0; x < c.w; x++)
        if ((x - 60) ** 2 + (y - 70) ** 2 < 400 || x > 150 + (y % 7)) mask[y * c.w + x] = 0;
    cases.push({ ...c, name: 'u16 masked', mask }, { ...(cases[0] as Case), name: 'u8 shave 4', shave: 4 });
    checkCases(cases);
  },
);

/** Loads real pixels with the reference readers and makes a blurred + noised copy there. */
const REAL = `
import json, numpy as np
from scipy.ndimage import gaussian_filter
rng = np.random.default_rng(7)
def deg(a, sd, lo, hi, integer):
    b = gaussian_filter(a, 1.0) + rng.normal(0, sd, a.shape)
    b = np.clip(b, lo, hi)
    return np.round(b) if integer else b
res = {}
try:
    import pydicom
    a = pydicom.dcmread('${fixtures}dicom/mr384_12bit_explicit_le.dcm').pixel_array.astype(np.float64)
    np.save('mr12.npy', a); np.save('mr12d.npy', deg(a, 20, 0, 4095, True)); res['mr12'] = 4095
except ImportError: pass
try:
    from osgeo import gdal
    for key, f, R, integer in [('u8', 'u8_rgbn_none_striped.tif', 255, True), ('u16', 'u16_rgb_none_striped.tif', 65535, True), ('f32', 'f32_dsm_none.tif', None, False)]:
        ds = gdal.Open('${fixtures}geotiff/' + f)  # keep the dataset alive: GDAL segfaults otherwise
        a = ds.GetRasterBand(1).ReadAsArray().astype(np.float64)
        lo, hi = (0, R) if R else (a.min() - 10, a.max() + 10)
        np.save(key + '.npy', a); np.save(key + 'd.npy', deg(a, 0.02 * (hi - lo), lo, hi, integer))
        res[key] = R if R else float(a.max() - a.min())
except ImportError: pass
print(json.dumps(res))
`;

test(
  'PSNR, SSIM, MS-SSIM agree with scikit-image on real DICOM (12-bit) and GeoTIFF (8/16-bit, float) pixels',
  { skip },
  (t) => {
    if (!existsSync(`${fixtures}dicom/mr384_12bit_explicit_le.dcm`)) return t.skip('fixtures missing');
    const keys = ['mr12', 'u8', 'u16', 'f32'];
    const { json: ranges, files } = (() => {
      const first = runPython<Record<string, number>>(REAL);
      const present = keys.filter((k) => k in first.json);
      return runPython<Record<string, number>>(
        REAL,
        {},
        present.flatMap((k) => [k, `${k}d`]),
      );
    })();
    const present = keys.filter((k) => k in ranges);
    if (present.length === 0) return t.skip('neither pydicom nor GDAL Python bindings are installed');
    if (!present.includes('mr12')) t.diagnostic('pydicom missing: DICOM case skipped');
    if (!present.includes('u16')) t.diagnostic('GDAL Python bindings missing: GeoTIFF cases skipped');
    const cases: Case[] = present.map((k) => {
      const a = files[k];
      const b = files[`${k}d`];
      assert.ok(a && b);
      return {
        name: `real ${k}`,
        w: a.shape[1] as number,
        h: a.shape[0] as number,
        a: a.data,
        b: b.data,
        R: ranges[k] as number,
      };
    });
    checkCases(cases);
  },
);
