/**
 * Range-preserving enhancement (./range.ts) on real files with the real models: the enhanced
 * extremes stay at the original's (MR with bright vessels, CT with bone, float elevation), bright
 * regions follow bicubic of the true values with the model's detail on top, tiled == whole, and
 * against ground truth the rule beats both bicubic and the old clipped output where it matters.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openRaster, toModalityValues, type Raster } from '../../formats/index.ts';
import { floatPlane } from '../../formats/testing/float-plane.ts';
import { createNodeCpuBackend } from '../../models/backend/ort-node.ts';
import type { InferenceSession } from '../../models/backend/types.ts';
import { computeRange } from '../../models/normalize.ts';
import { getModel, loadModel } from '../../models/registry.ts';
import { upsample } from '../../validation/baselines.ts';
import { downsample } from '../../validation/degrade.ts';
import { enhanceRaster } from './enhance.ts';
import { excessPlane, restoreRange } from './range.ts';

async function readWhole(path: string): Promise<Raster> {
  const src = await openRaster(path);
  try {
    return await src.read();
  } finally {
    await src.close();
  }
}

function extremes(a: ArrayLike<number>): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < a.length; i++) {
    const v = a[i] as number;
    if (!Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { min, max };
}

describe('the rule itself', () => {
  test('inside the range it is the clamped model output; outside it is up(x) + model - up(clip x)', () => {
    const w = 12;
    const h = 10;
    const x = Float32Array.from(
      { length: w * h },
      (_, i) => Math.sin(i * 0.7) * 0.8 + 0.5 + (i === 37 ? 2 : 0),
    );
    const range = { lo: 0, hi: 1, constant: false, count: w * h };
    const clip = x.map((v) => Math.min(1, Math.max(0, v)));
    const model = upsample({ width: w, height: h, data: clip }, 2, 'nearest').data; // any "model"
    const out = restoreRange(Float32Array.from(model), excessPlane(x, range), w, h, 2);
    const upx = upsample({ width: w, height: h, data: x }, 2, 'bicubic').data;
    const upc = upsample({ width: w, height: h, data: clip }, 2, 'bicubic').data;
    let worst = 0;
    for (let i = 0; i < out.length; i++) {
      const expect = (upx[i] as number) + Math.min(1, Math.max(0, model[i] as number)) - (upc[i] as number);
      worst = Math.max(worst, Math.abs((out[i] as number) - expect));
    }
    assert.ok(worst < 1e-6, `identity off by ${worst}`);
    const inside = Float32Array.from(clip);
    assert.equal(excessPlane(inside, range), undefined, 'nothing outside: no excess plane, no work');
    assert.deepEqual(
      restoreRange(Float32Array.from([1.2, -0.1, 0.5, NaN]), undefined, 1, 1, 2).slice(0, 3),
      Float32Array.from([1, 0, 0.5]),
    );
    assert.ok(Number.isNaN(restoreRange(Float32Array.from([NaN]), undefined, 1, 1, 1)[0]));
  });
});

const CASES = [
  {
    name: 'MR with bright vessels',
    path: 'demo/samples/mr384_12bit_jpeg_lossless_sv1.dcm',
    model: 'medical-x2',
  },
  { name: 'CT with bone', path: 'fixtures/dicom/ct512_j2k_lossy.dcm', model: 'medical-x2' },
  { name: 'float elevation', path: 'fixtures/geotiff/f32_dsm_none.tif', model: 'satellite-x2' },
] as const;

for (const c of CASES) {
  describe(`${c.name} (${c.path.split('/').pop()})`, () => {
    let session: InferenceSession;
    let raster: Raster;
    before(async () => {
      raster = await readWhole(c.path);
      session = await createNodeCpuBackend().createSession(await loadModel(getModel(c.model)));
    });
    after(() => session.dispose());

    test('extremes kept within 3% of the range, bright regions follow bicubic, tiled == whole', async (t) => {
      const values = toModalityValues(raster);
      const orig = extremes(values);
      const span = orig.max - orig.min;
      const whole = await enhanceRaster(raster, { modelId: c.model, session, tile: 1024 });
      const n = whole.provenance.normalization[0];
      assert.ok(
        n && (n.outside ?? 0) > 0,
        'the file has values outside its robust range (the case under test)',
      );
      assert.equal(whole.provenance.rangeRule, 'residual-bicubic-excess/1');
      const enh = extremes(whole.data);
      t.diagnostic(
        `original ${orig.min}..${orig.max}, range ${n.lo}..${n.hi}, enhanced ${enh.min}..${enh.max}`,
      );
      assert.ok(Math.abs(enh.max - orig.max) <= 0.03 * span, `max ${enh.max} vs ${orig.max}`);
      assert.ok(Math.abs(enh.min - orig.min) <= 0.03 * span, `min ${enh.min} vs ${orig.min}`);
      assert.ok(enh.max > n.hi + 0.5 * (orig.max - n.hi), 'the old clip at the 99.9th percentile is gone');

      // where bicubic of the true values lies beyond the robust range, the output follows it
      const up = upsample(
        { width: raster.width, height: raster.height, data: values },
        whole.scale,
        'bicubic',
      ).data;
      let se = 0;
      let count = 0;
      for (let i = 0; i < up.length; i++) {
        const u = up[i] as number;
        if (u <= n.hi && u >= n.lo) continue;
        se += ((whole.data[i] as number) - u) ** 2;
        count++;
      }
      const rms = Math.sqrt(se / count) / span;
      t.diagnostic(
        `${count} px beyond the range: RMS |enhanced - bicubic| = ${(100 * rms).toFixed(2)}% of the range`,
      );
      assert.ok(count > 0 && rms <= 0.05, `RMS deviation from bicubic ${rms}`);

      const tiled = await enhanceRaster(raster, {
        modelId: c.model,
        session,
        tile: raster.width > 256 ? 96 : 48,
      });
      assert.ok(tiled.provenance.tile.count > 4);
      let worst = 0;
      for (let i = 0; i < tiled.data.length; i++)
        worst = Math.max(worst, Math.abs((tiled.data[i] as number) - (whole.data[i] as number)));
      t.diagnostic(`tiled vs whole: ${worst / (n.hi - n.lo)} normalized`);
      assert.ok(worst / (n.hi - n.lo) <= 1e-4, `tiled vs whole ${worst}`);
    });
  });
}

describe('against ground truth: MR with bright vessels, degraded x2', () => {
  test('where the truth is beyond the range, the rule is closer to it than bicubic and than clipping', async (t) => {
    const r = await readWhole('demo/samples/mr384_12bit_jpeg_lossless_sv1.dcm');
    const gt = { width: r.width, height: r.height, data: toModalityValues(r) };
    const lr = downsample(gt, 2, { degradation: 'torch' });
    const lrData = Float32Array.from(lr.data);
    const range = computeRange(lrData);
    const sr = (await enhanceRaster(floatPlane(r, lrData, lr), { modelId: 'medical-x2' })).data;
    const clippedLr = lrData.map((v) => Math.min(range.hi, Math.max(range.lo, v)));
    const old = (
      await enhanceRaster(floatPlane(r, clippedLr, lr), {
        modelId: 'medical-x2',
        ranges: [range],
      })
    ).data;
    const bic = upsample(lr, 2, 'bicubic').data;
    const rmse = (a: ArrayLike<number>) => {
      let se = 0;
      let n = 0;
      for (let i = 0; i < gt.data.length; i++) {
        if ((gt.data[i] as number) <= range.hi) continue;
        se += ((a[i] as number) - (gt.data[i] as number)) ** 2;
        n++;
      }
      return Math.sqrt(se / n);
    };
    const [eRule, eBic, eOld] = [rmse(sr), rmse(bic), rmse(old)];
    t.diagnostic(
      `RMSE where GT > p99.9: rule ${eRule.toFixed(1)}, bicubic ${eBic.toFixed(1)}, clipped ${eOld.toFixed(1)}`,
    );
    assert.ok(eRule < eBic && eRule < eOld);
  });
});
