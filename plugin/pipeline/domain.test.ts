/**
 * The domain rule (domain.ts) where it is enforced headless: assertDomain itself, enhanceRaster and
 * enhanceInBlocks refuse a model of another domain with DOMAIN_MISMATCH naming the models that fit,
 * the override runs and is recorded in provenance, and `tilesr enhance` exits 1 with the code.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { errorCode } from '../../core/errors.ts';
import { openRaster } from '../../formats/index.ts';
import { getModel } from '../../models/registry.ts';
import { assertDomain, modelsFor } from './domain.ts';
import { enhanceRaster } from './enhance.ts';
import { enhanceInBlocks } from './stream.ts';
import { mrCrop } from './testing/rasters.ts';

const CT = 'fixtures/dicom/ct128_signed16_explicit_le.dcm';
const COG = 'fixtures/geotiff/u16_rgb_cog_deflate_ovr.tif';
const tmp = mkdtempSync(join(tmpdir(), 'tilesr-domain-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const cli = (...args: string[]) =>
  spawnSync(process.execPath, ['bin/tilesr.mjs', ...args], { encoding: 'utf8', timeout: 120_000 });
const mismatch = (e: unknown) => errorCode(e) === 'DOMAIN_MISMATCH';

describe('assertDomain', () => {
  test('DICOM takes medical models, GeoTIFF satellite ones; the message says which fit', () => {
    assert.equal(assertDomain({ format: 'dicom' }, getModel('medical-x4')), undefined);
    assert.equal(assertDomain({ format: 'geotiff' }, getModel('satellite-x2', 'perceptual')), undefined);
    assert.deepEqual(modelsFor('medical'), ['medical-x2', 'medical-x4']);
    assert.throws(
      () => assertDomain({ format: 'dicom' }, getModel('satellite-x2')),
      (e: Error) =>
        mismatch(e) && /satellite-x2 is a satellite model.*DICOM.*medical-x2 or medical-x4/.test(e.message),
    );
    assert.throws(
      () => assertDomain({ format: 'geotiff' }, getModel('medical-x2')),
      (e: Error) => mismatch(e) && /satellite-x2 or satellite-x4/.test(e.message),
    );
    assert.deepEqual(assertDomain({ format: 'dicom' }, getModel('satellite-x2'), { allowMismatch: true }), {
      imageFormat: 'dicom',
      imageDomain: 'medical',
      modelDomain: 'satellite',
    });
  });
});

describe('enhanceRaster / enhanceInBlocks', () => {
  test('refused before any inference; the override runs and provenance records it', async () => {
    const raster = mrCrop(100, 100, 12, 12);
    await assert.rejects(enhanceRaster(raster, { modelId: 'satellite-x2', backend: 'node-cpu' }), mismatch);
    const r = await enhanceRaster(raster, {
      modelId: 'satellite-x2',
      backend: 'node-cpu',
      allowDomainMismatch: true,
    });
    assert.equal(r.width, 24);
    assert.deepEqual(r.provenance.domainOverride, {
      imageFormat: 'dicom',
      imageDomain: 'medical',
      modelDomain: 'satellite',
    });
    const ok = await enhanceRaster(raster, { modelId: 'medical-x2', backend: 'node-cpu' });
    assert.equal(ok.provenance.domainOverride, undefined);
  });

  test('the streamed path refuses before reading a block', async () => {
    const src = await openRaster(COG);
    try {
      let blocks = 0;
      await assert.rejects(
        enhanceInBlocks(src, { modelId: 'medical-x2', backend: 'node-cpu' }, { block: () => void blocks++ }),
        mismatch,
      );
      assert.equal(blocks, 0);
    } finally {
      await src.close();
    }
  });
});

describe('tilesr enhance', () => {
  test('a CT with satellite-x2: exit 1, error DOMAIN_MISMATCH naming the medical models, nothing written', () => {
    const out = join(tmp, 'ct.npy');
    const r = cli('enhance', CT, '--model', 'satellite-x2', '--window', '0,0,16,16', '--out', out);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /^error DOMAIN_MISMATCH: .*medical-x2 or medical-x4/m);
    assert.equal(existsSync(out), false);
  });

  test('--allow-domain-mismatch runs it and the provenance says so', () => {
    const out = join(tmp, 'ct-override.npy');
    const r = cli(
      'enhance',
      CT,
      '--model',
      'satellite-x2',
      '--window',
      '0,0,16,16',
      '--allow-domain-mismatch',
      '--json',
      '--out',
      out,
    );
    assert.equal(r.status, 0, r.stderr);
    const { provenance } = JSON.parse(r.stdout.trim().split('\n').at(-1) as string) as {
      provenance: { domainOverride?: unknown };
    };
    assert.deepEqual(provenance.domainOverride, {
      imageFormat: 'dicom',
      imageDomain: 'medical',
      modelDomain: 'satellite',
    });
    assert.ok(readFileSync(out).length > 32 * 32 * 4);
  });
});
