/**
 * enhanceRaster on real fixtures with the real models (onnxruntime-node): bands, ranges, spacing,
 * provenance, progress, abort, cache and reported backend fallback.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { openRaster, type Raster } from '../../formats/index.ts';
import { floatPlane } from '../../formats/testing/float-plane.ts';
import { createNodeCpuBackend } from '../../models/backend/ort-node.ts';
import type { FallbackRecord, InferenceSession } from '../../models/backend/types.ts';
import { getModel, loadModel } from '../../models/registry.ts';
import { TileCache } from './cache.ts';
import { enhanceRaster } from './enhance.ts';
import { PipelineError } from './errors.ts';
import { TILESR_VERSION } from './provenance.ts';

const isCode = (code: string) => (e: unknown) => (e as { code?: unknown }).code === code;

async function read(file: string, window: { x: number; y: number; width: number; height: number }) {
  const src = await openRaster(file);
  try {
    return await src.read({ window });
  } finally {
    await src.close();
  }
}

describe('satellite-x2 on a 3-band GeoTIFF window', () => {
  let raster: Raster;
  let session: InferenceSession;
  before(async () => {
    raster = await read('fixtures/geotiff/u16_rgb_cog_deflate_ovr.tif', {
      x: 40,
      y: 30,
      width: 40,
      height: 32,
    });
    session = await createNodeCpuBackend().createSession(await loadModel(getModel('satellite-x2')));
  });
  after(() => session.dispose());

  test('every band goes through the model, interleaved; one band alone gives the same channel', async () => {
    const before = raster.data.slice();
    const progress: string[] = [];
    const all = await enhanceRaster(raster, {
      modelId: 'satellite-x2',
      session,
      tile: 24,
      onProgress: (p) => progress.push(`${p.done}/${p.total}@${p.backend}`),
    });
    assert.deepEqual(raster.data, before, 'the input raster is unchanged');
    assert.equal(all.samples, 3);
    assert.equal(all.width, 80);
    assert.equal(all.height, 64);
    assert.equal(all.data.length, 80 * 64 * 3);
    const tiles = all.provenance.tile.count;
    assert.equal(tiles, 4);
    assert.deepEqual(
      progress,
      Array.from({ length: 12 }, (_, i) => `${i + 1}/12@node-cpu`),
    );
    assert.deepEqual(all.provenance.backends, { 'node-cpu': 12 });

    // each band keeps its own whole-raster range; values beyond it are kept, not clipped (range rule)
    const norm = all.provenance.normalization;
    assert.equal(norm.length, 3);
    assert.equal(new Set(norm.map((n) => n.lo)).size, 3, 'three different ranges');
    for (let b = 0; b < 3; b++) {
      const { lo, hi, outside } = norm[b] as { lo: number; hi: number; outside: number };
      let lrMin = Infinity;
      let lrMax = -Infinity;
      for (let i = b; i < raster.data.length; i += 3) {
        lrMin = Math.min(lrMin, raster.data[i] as number);
        lrMax = Math.max(lrMax, raster.data[i] as number);
      }
      let srMin = Infinity;
      let srMax = -Infinity;
      for (let i = b; i < all.data.length; i += 3) {
        srMin = Math.min(srMin, all.data[i] as number);
        srMax = Math.max(srMax, all.data[i] as number);
      }
      assert.ok(outside > 0 && (lrMax > hi || lrMin < lo), `band ${b} has values outside its range`);
      const slack = 0.03 * (lrMax - lrMin);
      assert.ok(Math.abs(srMax - lrMax) <= slack && Math.abs(srMin - lrMin) <= slack, `band ${b} extremes`);
    }

    const one = await enhanceRaster(raster, { modelId: 'satellite-x2', session, tile: 24, band: 1 });
    assert.equal(one.samples, 1);
    let maxDiff = 0;
    for (let i = 0; i < one.data.length; i++)
      maxDiff = Math.max(maxDiff, Math.abs((one.data[i] as number) - (all.data[i * 3 + 1] as number)));
    assert.equal(maxDiff, 0);
  });

  test('spacing: the geotransform is re-anchored at the window and divided by the scale', async () => {
    const r = await enhanceRaster(raster, { modelId: 'satellite-x2', session, band: 0 });
    const src = raster.info.spacing;
    assert.ok(src?.kind === 'geotransform' && r.spacing?.kind === 'geotransform');
    const [ox, pw, , oy, , ph] = src.geotransform;
    const [nx, npw, , ny, , nph] = r.spacing.geotransform;
    assert.equal(npw, pw / 2);
    assert.equal(nph, ph / 2);
    assert.equal(nx, ox + 40 * pw);
    assert.equal(ny, oy + 30 * ph);
    assert.deepEqual(r.provenance.source.window, { x: 40, y: 30, width: 40, height: 32 });
  });

  test('abort: rejects with ABORTED, and no tile completes after the abort', async () => {
    const controller = new AbortController();
    let after = 0;
    let done = 0;
    const run = enhanceRaster(raster, {
      modelId: 'satellite-x2',
      session,
      tile: 8,
      signal: controller.signal,
      onProgress: () => {
        if (controller.signal.aborted) after++;
        if (++done === 2) controller.abort();
      },
    });
    await assert.rejects(run, isCode('ABORTED'));
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(done, 2);
    assert.equal(after, 0);
  });

  test('cache: a second request with the same image id runs no tile', async () => {
    const cache = new TileCache(64 * 1024 * 1024);
    const first = await enhanceRaster(raster, {
      modelId: 'satellite-x2',
      session,
      tile: 24,
      cache,
      imageId: 'cog',
    });
    assert.ok(cache.size === first.provenance.tile.count * 3);
    const second = await enhanceRaster(raster, {
      modelId: 'satellite-x2',
      session,
      tile: 24,
      cache,
      imageId: 'cog',
    });
    assert.deepEqual(second.provenance.backends, { cache: 12 });
    assert.deepEqual(second.data, first.data);
    const other = await enhanceRaster(raster, {
      modelId: 'satellite-x2',
      session,
      tile: 24,
      cache,
      imageId: 'other',
    });
    assert.deepEqual(other.provenance.backends, { 'node-cpu': 12 });
  });

  test('bad requests: unknown model, band or frame', async () => {
    await assert.rejects(enhanceRaster(raster, { modelId: 'nope', session }), isCode('UNKNOWN_MODEL'));
    await assert.rejects(
      enhanceRaster(raster, { modelId: 'satellite-x2', session, band: 3 }),
      (e: unknown) => e instanceof PipelineError && e.code === 'INVALID_REQUEST',
    );
    await assert.rejects(
      enhanceRaster(raster, { modelId: 'satellite-x2', session, frame: 2 }),
      isCode('INVALID_REQUEST'),
    );
  });
});

describe('backends and provenance', () => {
  test('node-webgpu either runs or falls back to node-cpu, reported in events and provenance', async () => {
    const raster = await read('fixtures/dicom/mr64_implicit_le.dcm', { x: 0, y: 0, width: 64, height: 64 });
    const events: FallbackRecord[] = [];
    const r = await enhanceRaster(raster, {
      modelId: 'medical-x2',
      backend: 'node-webgpu',
      tile: 32,
      onFallback: (f) => events.push(f),
    });
    const p = r.provenance;
    assert.deepEqual(p.fallbacks, events);
    const used = p.tileBackends.flat();
    assert.equal(used.length, 4);
    if (events.length === 0) {
      assert.deepEqual(new Set(used), new Set(['node-webgpu']));
    } else {
      assert.equal(events[0]?.from, 'node-webgpu');
      assert.equal(events[0]?.to, 'node-cpu');
      assert.ok((events[0]?.reason.length ?? 0) > 0);
      assert.equal(used[used.length - 1], 'node-cpu');
    }
  });

  test('perceptual output is flagged and names its own weights; version matches package.json', async () => {
    const raster = await read('fixtures/dicom/mr64_implicit_le.dcm', { x: 0, y: 0, width: 64, height: 64 });
    const r = await enhanceRaster(raster, { modelId: 'medical-x2', variant: 'perceptual' });
    // DICOM pixel spacing is divided by the scale
    assert.ok(raster.info.spacing?.kind === 'PixelSpacing' && r.spacing?.kind === 'PixelSpacing');
    assert.equal(r.spacing.rowMm, raster.info.spacing.rowMm / 2);
    assert.equal(r.spacing.columnMm, raster.info.spacing.columnMm / 2);
    const p = r.provenance;
    assert.equal(p.aiEnhanced, true);
    assert.equal(p.perceptual, true);
    assert.equal(p.variant, 'perceptual');
    assert.equal(p.sha256, getModel('medical-x2', 'perceptual').sha256);
    assert.notEqual(p.sha256, getModel('medical-x2').sha256);
    assert.match(p.modelVersion, /^medical_x2-perceptual-it\d+$/);
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    assert.equal(p.tilesrVersion, pkg.version);
    assert.equal(TILESR_VERSION, pkg.version);
    assert.ok(!Number.isNaN(Date.parse(p.createdAt)));
    assert.ok(p.timings.totalMs >= p.timings.inferenceMs && p.timings.inferenceMs > 0);
  });

  test('NaN (nodata) source pixels stay NaN in exactly their SR pixels and are left out of the range', async () => {
    const mr = await read('fixtures/dicom/mr64_implicit_le.dcm', { x: 0, y: 0, width: 64, height: 64 });
    const data = Float32Array.from(mr.data, Number);
    for (let y = 20; y < 24; y++) for (let x = 30; x < 34; x++) data[y * 64 + x] = NaN;
    const raster = floatPlane(mr, data, { valueMapping: mr.info.valueMapping });
    const r = await enhanceRaster(raster, { modelId: 'medical-x2', tile: 32 });
    assert.equal(r.provenance.normalization[0]?.count, 64 * 64 - 16);
    for (let y = 0; y < 128; y++)
      for (let x = 0; x < 128; x++) {
        const hole = y >= 40 && y < 48 && x >= 60 && x < 68;
        assert.equal(Number.isNaN(r.data[y * 128 + x]), hole, `pixel ${x},${y}`);
      }
  });
});
