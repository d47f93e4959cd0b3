/**
 * Consistency and hallucination maps against oracles: Pillow (re-degradation) + scikit-image (PSNR,
 * the SSIM map averaged per tile in NumPy); Y conversion against skimage.color.rgb2ycbcr; data-range
 * rules against numpy.iinfo.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { upsample } from './baselines.ts';
import { rgbToY } from './color.ts';
import { consistency } from './consistency.ts';
import { dataRangeFromBits, dataRangeFromDtype, dataRangeFromSpan, explicitDataRange } from './datarange.ts';
import { downsample } from './degrade.ts';
import { hallucination } from './hallucination.ts';
import type { Plane } from './image.ts';
import { pythonHas, runPython } from './testing/python.ts';
import { randomImage, rng } from './testing/random.ts';

const skip = pythonHas('numpy', 'PIL', 'skimage') ? false : '/usr/bin/python3 lacks numpy/PIL/skimage';

function noisy(p: Plane, sd: number, seed: number): Plane {
  const r = rng(seed);
  return { ...p, data: p.data.map((v) => v + (r() - 0.5) * 2 * sd) };
}

test('consistency PSNR and its per-tile map agree with Pillow + scikit-image', { skip }, () => {
  const w = 150;
  const h = 130; // HR; x2 -> 75x65 LR, 32-px LR tiles -> 3x3 with partial edge tiles
  const gt: Plane = { width: w, height: h, data: randomImage(w, h, 21, 0.3) };
  const lr = downsample(gt, 2, { degradation: 'torch' });
  // an "SR" that is bicubic plus a bright blob: consistency must drop where the blob is
  const sr = upsample(lr, 2, 'bicubic');
  for (let y = 90; y < 120; y++)
    for (let x = 20; x < 60; x++) sr.data[y * w + x] = (sr.data[y * w + x] as number) + 0.3;
  const c = consistency(lr, sr, {
    scale: 2,
    degradation: 'torch',
    dataRange: 1,
    tileSize: 32,
    thresholdDb: 30,
  });
  const { json } = runPython<{ psnr: number; tiles: number[][] }>(
    `import json, numpy as np
from PIL import Image
from skimage.metrics import peak_signal_noise_ratio as P
lr = np.load('lr.npy'); sr = np.load('sr.npy')
back = np.asarray(Image.fromarray(sr.astype(np.float32), 'F').resize((lr.shape[1], lr.shape[0]), Image.BICUBIC)).astype(np.float64)
t = [[P(lr[y:y+32, x:x+32], back[y:y+32, x:x+32], data_range=1.0) for x in range(0, lr.shape[1], 32)] for y in range(0, lr.shape[0], 32)]
print(json.dumps({'psnr': P(lr, back, data_range=1.0), 'tiles': t}))`,
    { lr: { shape: [lr.height, lr.width], data: lr.data }, sr: { shape: [h, w], data: sr.data } },
  );
  assert.ok(Math.abs(c.psnr - json.psnr) < 1e-3, `consistency ${c.psnr} vs ${json.psnr}`);
  const flat = json.tiles.flat();
  assert.equal(c.map.values.length, flat.length);
  flat.forEach((v, i) =>
    assert.ok(Math.abs((c.map.values[i] as number) - v) < 1e-3, `tile ${i}: ${c.map.values[i]} vs ${v}`),
  );
  const expectFlag = flat.map((v, i) => (v < 30 ? i : -1)).filter((i) => i >= 0);
  assert.deepEqual(c.flagged, expectFlag);
  assert.ok(c.flagged.length > 0 && c.flagged.length < flat.length, 'the blob is flagged, not everything');
});

test(
  'hallucination tiles: per-tile SSIM of scikit-image map, RMSE, and worse-than-bicubic share',
  { skip },
  () => {
    const w = 200;
    const h = 170;
    const gt: Plane = { width: w, height: h, data: randomImage(w, h, 31, 0.2) };
    const lr = downsample(gt, 2, { degradation: 'torch' });
    const bic = upsample(lr, 2, 'bicubic');
    // a "model" better than bicubic on the left half (closer to truth), worse on the right (noise)
    const model = noisy(bic, 0.08, 4);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w / 2; x++)
        model.data[y * w + x] = 0.5 * (bic.data[y * w + x] as number) + 0.5 * (gt.data[y * w + x] as number);
    const res = hallucination(gt, model, bic, { dataRange: 1, tileSize: 50 });
    const { json } = runPython<{ sm: number[]; sb: number[]; rm: number[]; rb: number[] }>(
      `import json, numpy as np
from skimage.metrics import structural_similarity as S
gt, m, b = np.load('gt.npy'), np.load('m.npy'), np.load('b.npy')
def tiles(x):
    _, s = S(gt, x, gaussian_weights=True, sigma=1.5, use_sample_covariance=False, data_range=1.0, full=True)
    valid = np.zeros_like(s, bool); valid[5:-5, 5:-5] = True
    out = []
    for y in range(0, gt.shape[0], 50):
        for xx in range(0, gt.shape[1], 50):
            v = valid[y:y+50, xx:xx+50]; out.append(float(s[y:y+50, xx:xx+50][v].mean()))
    return out
def rmse(x): return [float(np.sqrt(((x - gt)[y:y+50, xx:xx+50] ** 2).mean())) for y in range(0, gt.shape[0], 50) for xx in range(0, gt.shape[1], 50)]
print(json.dumps({'sm': tiles(m), 'sb': tiles(b), 'rm': rmse(m), 'rb': rmse(b)}))`,
      {
        gt: { shape: [h, w], data: gt.data },
        m: { shape: [h, w], data: model.data },
        b: { shape: [h, w], data: bic.data },
      },
    );
    const close = (a: Float64Array, b: number[], tol: number, what: string) =>
      b.forEach((v, i) =>
        assert.ok(Math.abs((a[i] as number) - v) < tol, `${what} tile ${i}: ${a[i]} vs ${v}`),
      );
    close(res.ssimModel.values, json.sm, 1e-5, 'SSIM model');
    close(res.ssimBicubic.values, json.sb, 1e-5, 'SSIM bicubic');
    close(res.rmseModel.values, json.rm, 1e-9, 'RMSE model');
    close(res.rmseBicubic.values, json.rb, 1e-9, 'RMSE bicubic');
    const worse = json.sm.filter((v, i) => v < (json.sb[i] as number)).length;
    assert.equal(res.worseSsim, worse);
    assert.equal(res.worseShare, worse / json.sm.length);
    assert.ok(res.worseSsim > 0 && res.worseSsim < res.tiles, 'mixed: better left, worse right');
  },
);

test('rgbToY equals skimage.color.rgb2ycbcr Y (MATLAB rgb2ycbcr, BT.601) on 8-bit RGB', { skip }, () => {
  const n = 64 * 48;
  const r = rng(8);
  const rgb = Array.from({ length: 3 }, () => Float64Array.from({ length: n }, () => Math.floor(r() * 256)));
  const planes = rgb.map((d) => ({ width: 64, height: 48, data: d })) as [Plane, Plane, Plane];
  const inter = new Float64Array(n * 3);
  for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) inter[i * 3 + c] = rgb[c]?.[i] as number;
  const { files } = runPython(
    `import numpy as np\nfrom skimage.color import rgb2ycbcr\nnp.save('y.npy', rgb2ycbcr(np.load('rgb.npy').astype(np.uint8))[..., 0].astype(np.float64))\nprint(1)`,
    { rgb: { shape: [48, 64, 3], data: inter } },
    ['y'],
  );
  const y = rgbToY(...planes);
  const want = files.y?.data;
  assert.ok(want);
  let md = 0;
  for (let i = 0; i < n; i++) md = Math.max(md, Math.abs((y.data[i] as number) - (want[i] as number)));
  assert.ok(md < 1e-9, `max diff ${md}`);
});

test(
  'data-range rules: dtype spans equal numpy.iinfo, bits-stored and span rules are recorded',
  { skip },
  () => {
    const dtypes = ['uint8', 'int8', 'uint16', 'int16', 'uint32', 'int32'];
    const { json } = runPython<number[]>(
      `import json, numpy as np\nprint(json.dumps([int(np.iinfo(t).max) - int(np.iinfo(t).min) for t in ${JSON.stringify(dtypes)}]))`,
    );
    dtypes.forEach((t, i) => {
      const r = dataRangeFromDtype(t);
      assert.equal(r.value, json[i]);
      assert.equal(r.rule, 'dtype');
    });
    assert.throws(() => dataRangeFromDtype('float32'), { code: 'INVALID_DATA_RANGE' });
    const b = dataRangeFromBits(12, -0.5);
    assert.equal(b.value, (2 ** 12 - 1) * 0.5);
    assert.equal(b.rule, 'bits-stored');
    const p: Plane = { width: 3, height: 1, data: Float64Array.of(-2.5, NaN, 7) };
    assert.equal(dataRangeFromSpan(p).value, 9.5);
    assert.throws(() => explicitDataRange(0), { code: 'INVALID_DATA_RANGE' });
  },
);
