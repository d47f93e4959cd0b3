/**
 * The per-tile entry point on a real 3-band GeoTIFF window with the real satellite-x2
 * (onnxruntime-node): a tile equals the same window of whole-image enhanceRaster (interior and at
 * the image edge, where the halo is clamped), the halo rule is the one enhanceRaster records, a
 * second request is served by the cache without a model run, and bad input or an abort give typed
 * errors.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { openRaster, toModalityValues, type Raster } from '../../formats/index.ts';
import { createNodeCpuBackend } from '../../models/backend/ort-node.ts';
import type { InferenceSession } from '../../models/backend/types.ts';
import { getModel, loadModel } from '../../models/registry.ts';
import { TileCache } from './cache.ts';
import { enhanceRaster, type EnhanceResult } from './enhance.ts';
import { bindTileEnhancer, DEFAULT_HALO_MARGIN, haloFor, type TileEnhancer } from './tile.ts';
import type { Rect } from './tiler.ts';

const isCode = (code: string) => (e: unknown) => (e as { code?: unknown }).code === code;

describe('bindTileEnhancer / enhanceTile (satellite-x2, 3 bands)', () => {
  let raster: Raster;
  let session: InferenceSession;
  let whole: EnhanceResult;
  let enhancer: TileEnhancer;
  let cache: TileCache;

  before(async () => {
    const src = await openRaster('fixtures/geotiff/u16_rgb_cog_deflate_ovr.tif');
    try {
      raster = await src.read({ window: { x: 40, y: 30, width: 64, height: 56 } });
    } finally {
      await src.close();
    }
    session = await createNodeCpuBackend().createSession(await loadModel(getModel('satellite-x2')));
    // one tile for the whole raster: the reference every window is compared with
    whole = await enhanceRaster(raster, { modelId: 'satellite-x2', session, tile: 4096 });
    cache = new TileCache(16 * 1024 * 1024);
    enhancer = bindTileEnhancer({
      values: toModalityValues(raster),
      width: raster.width,
      height: raster.height,
      samples: raster.samples,
      imageId: 'fixture',
      modelId: 'satellite-x2',
      bands: [0, 1, 2],
      session,
      cache,
    });
  });
  after(() => session.dispose());

  /** Max |tile - same window of whole| on the normalized scale of each band. */
  function diff(rect: Rect, data: Float32Array): number {
    const s = whole.scale;
    let worst = 0;
    for (let y = 0; y < rect.height * s; y++)
      for (let x = 0; x < rect.width * s; x++)
        for (let b = 0; b < 3; b++) {
          const n = whole.provenance.normalization[b];
          assert.ok(n);
          const w = whole.data[((rect.y * s + y) * whole.width + rect.x * s + x) * 3 + b] as number;
          const t = data[(y * rect.width * s + x) * 3 + b] as number;
          worst = Math.max(worst, Math.abs(w - t) / (n.hi - n.lo));
        }
    return worst;
  }

  test('the halo is the one rule enhanceRaster records; the ranges are the whole image’s', () => {
    const entry = getModel('satellite-x2');
    assert.equal(enhancer.halo, entry.receptiveFieldLrPx + DEFAULT_HALO_MARGIN);
    assert.equal(enhancer.halo, haloFor(entry));
    assert.equal(whole.provenance.tile.halo, enhancer.halo);
    enhancer.ranges.forEach((r, b) => {
      assert.equal(r.lo, whole.provenance.normalization[b]?.lo);
      assert.equal(r.hi, whole.provenance.normalization[b]?.hi);
    });
  });

  test('an interior tile and an edge tile equal the same windows of the whole image', async () => {
    for (const rect of [
      { x: 20, y: 18, width: 24, height: 20 },
      { x: 0, y: 40, width: 30, height: 16 },
    ]) {
      const t = await enhancer.enhanceTile(rect);
      assert.equal(t.width, rect.width * 2);
      assert.equal(t.samples, 3);
      assert.equal(t.inferences, 3);
      const d = diff(rect, t.data);
      assert.ok(d <= 1e-5, `tile ${JSON.stringify(rect)} vs whole: ${d}`);
    }
  });

  test('a second request is served by the cache: no model run, same pixels', async () => {
    const rect = { x: 20, y: 18, width: 24, height: 20 };
    const a = await enhancer.enhanceTile(rect);
    const b = await enhancer.enhanceTile(rect);
    assert.equal(b.inferences, 0);
    assert.deepEqual(b.backends, ['cache', 'cache', 'cache']);
    assert.deepEqual(b.data, a.data);
  });

  test('a rect outside the image, bad bands and an abort give typed errors', async () => {
    await assert.rejects(
      enhancer.enhanceTile({ x: 50, y: 0, width: 20, height: 8 }),
      isCode('INVALID_REQUEST'),
    );
    assert.throws(
      () =>
        bindTileEnhancer({
          values: toModalityValues(raster),
          width: raster.width,
          height: raster.height,
          samples: raster.samples,
          imageId: 'x',
          modelId: 'satellite-x2',
          bands: [3],
          session,
        }),
      isCode('INVALID_REQUEST'),
    );
    const controller = new AbortController();
    const run = enhancer.enhanceTile({ x: 8, y: 8, width: 16, height: 16 }, { signal: controller.signal });
    controller.abort();
    await assert.rejects(run, isCode('ABORTED'));
  });
});
