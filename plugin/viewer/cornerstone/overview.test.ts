// Large GeoTIFFs in the single-image viewer: the open controller reads an overview sized to the
// element instead of full resolution (above FULL_RESOLUTION_DISPLAY_BYTES), the loader scales the
// pixel spacing to the overview and keeps full-resolution windows readable (readWindow), equal to
// a direct full-resolution read; a large file without overviews is sub-sampled while decoding.
// Real files made by GDAL from a fixture: a 4096x4096 COG (one 2048x2048 overview), a tiled GTiff.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { openRaster, toModalityValues } from '../../../formats/index.ts';
import { registerRaster, unregisterRaster } from './loader.ts';
import { displayTarget, FULL_RESOLUTION_DISPLAY_BYTES } from './open-controller.ts';

const tmp = mkdtempSync(join(tmpdir(), 'viewer-ovr-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const element = (w: number, h: number) => ({ clientWidth: w, clientHeight: h }) as HTMLElement;

/** The RGB COG fixture upscaled by GDAL to 4096x4096 (bilinear, DEFLATE) into tmp/`name`, with `options`. */
function upscaled(name: string, options: string[]): string {
  const path = join(tmp, name);
  execFileSync('gdal_translate', [
    '-q',
    ...options,
    '-outsize',
    '4096',
    '4096',
    '-r',
    'bilinear',
    '-co',
    'COMPRESS=DEFLATE',
    'fixtures/geotiff/u16_rgb_cog_deflate_ovr.tif',
    path,
  ]);
  return path;
}

test('small files open at full resolution; a large COG opens on the overview covering the element', async () => {
  const small = await openRaster('fixtures/geotiff/u16_rgb_cog_deflate_ovr.tif');
  assert.equal(displayTarget(small.info, element(64, 64)), undefined);
  await small.close();

  // 4096x4096x3 uint16 = 96 MiB > the 64 MiB threshold; overviews 2048..256
  const path = upscaled('big.tif', ['-of', 'COG', '-co', 'BLOCKSIZE=256', '-co', 'OVERVIEW_COUNT=4']);
  const src = await openRaster(path);
  try {
    assert.ok(4096 * 4096 * 3 * 2 > FULL_RESOLUTION_DISPLAY_BYTES);
    const target = displayTarget(src.info, element(600, 400));
    assert.deepEqual(target, { width: 600, height: 600 });
    const raster = await src.read({ targetSize: target! });
    const levels = (src.info.metadata.overviews as Array<{ width: number }>).map((o) => o.width);
    const expected = Math.min(...levels.filter((w) => w >= 600));
    assert.ok(expected < 4096, `overviews ${levels.join(', ')}`);
    assert.equal(raster.width, expected, 'the smallest overview still >= 600 px');
    const f = 4096 / expected;
    const reads: Array<{ x: number; width: number }> = [];
    const loaded = registerRaster(raster, {
      readWindow: async (window) => {
        reads.push(window);
        const r = await src.read({ window });
        return { raster: r, modality: toModalityValues(r, true) as Float32Array };
      },
    });
    try {
      assert.deepEqual(loaded.overview, { fullWidth: 4096, fullHeight: 4096, scaleX: f, scaleY: f });
      const [, pw] = (src.info.spacing as { geotransform: number[] }).geotransform;
      assert.equal(loaded.spacing.column, Math.abs(pw as number) * f);
      // the overview is registered as a consistent image of its own: size, window, geotransform
      const gt = (src.info.spacing as { geotransform: number[] }).geotransform;
      const shown = loaded.raster;
      assert.equal(shown.info.width, expected);
      assert.deepEqual(shown.window, { x: 0, y: 0, width: expected, height: expected });
      assert.deepEqual((shown.info.spacing as { geotransform: number[] }).geotransform, [
        gt[0],
        (gt[1] as number) * f,
        (gt[2] as number) * f,
        gt[3],
        (gt[4] as number) * f,
        (gt[5] as number) * f,
      ]);
      assert.equal((shown.info.metadata.overviewOf as { imageWidth: number }).imageWidth, 4096);
      assert.equal(src.info.width, 4096, 'the source info is untouched');
      assert.equal(
        loaded.modality.length,
        expected * expected * 3,
        'only the overview is decoded for display',
      );
      const win = { x: 1000, y: 2000, width: 320, height: 320 };
      const w = await loaded.readWindow!(win);
      const direct = await src.read({ window: win });
      assert.deepEqual(w.raster.data, direct.data);
      assert.equal(w.modality.length, 320 * 320 * 3);
      assert.deepEqual(reads, [win]);
    } finally {
      unregisterRaster(loaded.imageId);
    }
  } finally {
    await src.close();
  }
});

test('a large GeoTIFF without overviews opens sub-sampled while decoding, not at full resolution', async () => {
  const path = upscaled('flat.tif', ['-co', 'TILED=YES']);
  const src = await openRaster(path);
  try {
    assert.deepEqual(src.info.metadata.overviews, []);
    const target = displayTarget(src.info, element(600, 400));
    assert.deepEqual(target, { width: 600, height: 600 });
    // what OpenController.show reads: the budget would refuse the full image at this size
    const r = await src.read({ targetSize: target!, decimate: true, memoryBudget: 8 * 2 ** 20 });
    assert.equal(r.width, Math.ceil(4096 / 6)); // every 6th pixel: floor(4096 / 600)
    const full = await src.read({ window: { x: 0, y: 6 * 10, width: 4096, height: 1 } });
    for (let i = 0; i < r.width; i += 97)
      for (let c = 0; c < 3; c++)
        assert.equal(r.data[(10 * r.width + i) * 3 + c], full.data[i * 6 * 3 + c], `pixel ${i}`);
    const loaded = registerRaster(r);
    assert.equal(loaded.modality.length, r.width * r.height * 3);
    assert.ok(loaded.overview);
    unregisterRaster(loaded.imageId);
  } finally {
    await src.close();
  }
});
