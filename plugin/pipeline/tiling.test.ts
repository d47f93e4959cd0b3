/**
 * The tiling contract on real fixture data with the real shipped models (onnxruntime-node CPU):
 * tiled output equals whole-image output to 1e-4 on the normalized scale when the halo covers the
 * receptive field, and visibly does not when it is smaller (so this test can fail).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createNodeCpuBackend } from '../../models/backend/ort-node.ts';
import type { InferenceSession } from '../../models/backend/types.ts';
import { getModel, loadModel } from '../../models/registry.ts';
import type { Raster } from '../../formats/raster.ts';
import { enhanceRaster, type EnhanceResult } from './enhance.ts';
import { mrCrop, geotiffCrop, HAS_GDAL } from './testing/rasters.ts';

/** Max |a-b| over the normalized scale of band 0 (the range of `a`'s provenance). */
function maxNormDiff(a: EnhanceResult, b: EnhanceResult): number {
  const n = a.provenance.normalization[0];
  assert.ok(n);
  assert.equal(a.data.length, b.data.length);
  let m = 0;
  for (let i = 0; i < a.data.length; i++)
    m = Math.max(m, Math.abs((a.data[i] as number) - (b.data[i] as number)));
  return m / (n.hi - n.lo);
}

async function open(id: string): Promise<InferenceSession> {
  return createNodeCpuBackend().createSession(await loadModel(getModel(id)));
}

describe('medical-x2 on a 100x76 MR crop', () => {
  let session: InferenceSession;
  let raster: Raster;
  let whole: EnhanceResult;
  before(async () => {
    session = await open('medical-x2');
    raster = mrCrop(140, 150, 100, 76);
    whole = await enhanceRaster(raster, { modelId: 'medical-x2', session, tile: 4096 });
    assert.equal(whole.provenance.tile.count, 1);
  });
  after(() => session.dispose());

  test('whole-image result has the SR shape and is not just the input', () => {
    assert.equal(whole.width, 200);
    assert.equal(whole.height, 152);
    assert.equal(whole.samples, 1);
    // a nearest-neighbour copy would match the LR pixel at every HR position: SR must differ
    let differs = 0;
    for (let y = 0; y < 152; y++)
      for (let x = 0; x < 200; x++)
        if (
          Math.abs((whole.data[y * 200 + x] as number) - (raster.data[(y >> 1) * 100 + (x >> 1)] as number)) >
          1
        )
          differs++;
    assert.ok(differs > 200 * 152 * 0.5, `only ${differs} pixels differ from the input`);
  });

  for (const tile of [32, 48, 64]) {
    test(`tiles of ${tile} (not dividing 100x76) match the whole image within 1e-4`, async (t) => {
      const tiled = await enhanceRaster(raster, { modelId: 'medical-x2', session, tile });
      assert.ok(tiled.provenance.tile.count > 1);
      assert.ok(tiled.provenance.tile.halo >= getModel('medical-x2').receptiveFieldLrPx);
      const d = maxNormDiff(whole, tiled);
      t.diagnostic(`tile ${tile}: max |diff| ${d.toExponential(2)}`);
      assert.ok(d <= 1e-4, `max |diff| ${d}`);
    });
  }

  test('feather-blending seams keeps the result exact when halo - feather covers the receptive field', async () => {
    const feather = 4;
    const halo = getModel('medical-x2').receptiveFieldLrPx + feather + 2;
    const tiled = await enhanceRaster(raster, { modelId: 'medical-x2', session, tile: 40, halo, feather });
    assert.equal(tiled.provenance.tile.feather, feather);
    const d = maxNormDiff(whole, tiled);
    assert.ok(d <= 1e-4, `max |diff| ${d}`);
  });

  test('a halo smaller than the receptive field leaves a measurable seam', async (t) => {
    const rf = getModel('medical-x2').receptiveFieldLrPx;
    const halo = Math.floor(rf / 4);
    const tiled = await enhanceRaster(raster, { modelId: 'medical-x2', session, tile: 32, halo });
    const d = maxNormDiff(whole, tiled);
    t.diagnostic(`halo ${halo}: max |diff| ${d.toExponential(2)}`);
    assert.ok(d > 1e-4, `halo ${halo} < receptive field ${rf} should differ by > 1e-4, got ${d}`);
  });

  test('a window is enhanced with its real neighbours: it equals the same crop of the whole result', async () => {
    const r = raster.window;
    const win = { x: r.x + 30, y: r.y + 20, width: 37, height: 29 };
    const part = await enhanceRaster(raster, { modelId: 'medical-x2', session, tile: 24, window: win });
    assert.equal(part.width, 74);
    assert.equal(part.height, 58);
    const n = whole.provenance.normalization[0] as { lo: number; hi: number };
    let m = 0;
    for (let y = 0; y < part.height; y++)
      for (let x = 0; x < part.width; x++) {
        const w = whole.data[(40 + y) * whole.width + 60 + x] as number;
        m = Math.max(m, Math.abs(w - (part.data[y * part.width + x] as number)));
      }
    assert.ok(m / (n.hi - n.lo) <= 1e-4, `window differs by ${m / (n.hi - n.lo)}`);
  });
});

describe('x4 fidelity models', () => {
  test('medical-x4 on a 60x44 MR crop: tiles of 16 and 28 match the whole image', async () => {
    const session = await open('medical-x4');
    try {
      const raster = mrCrop(170, 120, 60, 44);
      const whole = await enhanceRaster(raster, { modelId: 'medical-x4', session, tile: 4096 });
      assert.equal(whole.width, 240);
      for (const tile of [16, 28]) {
        const tiled = await enhanceRaster(raster, { modelId: 'medical-x4', session, tile });
        const d = maxNormDiff(whole, tiled);
        assert.ok(d <= 1e-4, `tile ${tile}: max |diff| ${d}`);
      }
      const seam = await enhanceRaster(raster, { modelId: 'medical-x4', session, tile: 16, halo: 2 });
      assert.ok(maxNormDiff(whole, seam) > 1e-4, 'halo 2 must show a seam at x4');
    } finally {
      await session.dispose();
    }
  });

  test(
    'satellite-x4 on a GeoTIFF band crop: tiles of 20 match the whole image',
    { skip: !HAS_GDAL && 'gdal_translate not installed' },
    async () => {
      const session = await open('satellite-x4');
      try {
        const raster = geotiffCrop('u16_rgb_deflate_tiled_planar.tif', 1, 10, 10, 48, 40);
        const whole = await enhanceRaster(raster, { modelId: 'satellite-x4', session, tile: 4096 });
        const tiled = await enhanceRaster(raster, { modelId: 'satellite-x4', session, tile: 20 });
        assert.ok(tiled.provenance.tile.count >= 4);
        const d = maxNormDiff(whole, tiled);
        assert.ok(d <= 1e-4, `max |diff| ${d}`);
      } finally {
        await session.dispose();
      }
    },
  );
});
