// Every fixture in fixtures/geotiff decoded by our GeoTIFF reader and by GDAL (scripts/oracles/
// tiff_ref.py): lossless files must match GDAL bit for bit (whole image, a window crossing block
// borders, an overview level); lossy ones (JPEG) stay within the measured tolerances below;
// header facts (size, bands, dtype, geotransform, EPSG, nodata, overviews) equal GDAL's.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { openRaster, type Raster } from '../index.ts';
import type { NdArray } from '../npy.ts';
import { gdalRead, oracleMissing } from './testing/oracle.ts';

const DIR = 'fixtures/geotiff';
const files = readdirSync(DIR)
  .filter((f) => f.endsWith('.tif'))
  .sort();
const skip = oracleMissing();

/**
 * JPEG tolerances against GDAL 3.6/libjpeg-turbo (max |diff| per sample / mean |diff|): JPEG tiles
 * go through libjpeg-turbo WASM (codecs/jpeg.ts), so the integer IDCT, the "fancy" chroma
 * upsampling and the YCbCr -> RGB conversion are libjpeg's; measured 0 / 0 on every fixture (the
 * old geotiff.js decoder: max 10, mean 0.62-0.84 on the YCbCr files). One level of headroom allows
 * another libjpeg-turbo build. Every other file must be bit-exact, LERC with MaxZError 0.01
 * included (both decoders dequantise the same way).
 */
const JPEG_TOLERANCE: Record<string, { max: number; mean: number }> = {
  'u8_rgb_jpeg_tiled.tif': { max: 1, mean: 0.01 }, // measured max 0, mean 0
  'u8_rgb_jpeg_ycbcr_tiled.tif': { max: 1, mean: 0.01 }, // measured max 0, mean 0
  'u8_rgb_cog_jpeg.tif': { max: 1, mean: 0.01 }, // measured max 0, mean 0 (overviews too)
};

function bytesOf(a: { buffer: ArrayBufferLike; byteOffset: number; byteLength: number }): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

function shapeOf(r: Raster): number[] {
  return r.samples === 1 ? [r.height, r.width] : [r.height, r.width, r.samples];
}

/** Max and mean absolute difference (NaN equal to NaN). */
function diffStats(a: Raster['data'], b: NdArray['data']): { max: number; mean: number } {
  assert.equal(a.length, b.length);
  let max = 0;
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    const d = Number.isNaN(x) && Number.isNaN(y) ? 0 : Math.abs(x - y);
    if (!(d <= max)) max = d; // NaN vs number -> NaN -> fails the tolerance below
    sum += d;
  }
  return { max, mean: sum / a.length };
}

function compare(file: string, ours: Raster, ref: NdArray, what: string): void {
  assert.equal(ours.dtype, ref.dtype, `${what}: dtype`);
  assert.deepEqual(shapeOf(ours), ref.shape, `${what}: shape`);
  const tol = JPEG_TOLERANCE[file];
  if (!tol) {
    assert.ok(bytesOf(ours.data).equals(bytesOf(ref.data)), `${what}: pixels differ from GDAL`);
    return;
  }
  const s = diffStats(ours.data, ref.data);
  console.log(`# ${what}: |ours - GDAL| max ${s.max}, mean ${s.mean.toFixed(3)}`);
  assert.ok(s.max <= tol.max, `${what}: max |diff| ${s.max} > ${tol.max}`);
  assert.ok(s.mean <= tol.mean, `${what}: mean |diff| ${s.mean} > ${tol.mean}`);
}

describe('GeoTIFF decoding equals GDAL', { skip: skip ?? false }, () => {
  const sources: Array<{ close(): Promise<void> }> = [];
  after(async () => Promise.all(sources.map((s) => s.close())));

  for (const file of files) {
    const path = `${DIR}/${file}`;
    it(`${file}: header, whole image and a window`, async () => {
      const [full, win] = await Promise.all([gdalRead(path), gdalRead(path, { window: [37, 21, 50, 45] })]);
      const src = await openRaster(path);
      sources.push(src);
      const { info } = src;
      const g = full.info;
      assert.equal(info.width, g.width);
      assert.equal(info.height, g.height);
      assert.equal(info.samples, g.bands);
      assert.equal(info.dtype, g.dtype);
      assert.equal(info.spacing?.kind, 'geotransform');
      if (info.spacing?.kind === 'geotransform') {
        assert.deepEqual(info.spacing.geotransform, g.geotransform);
        assert.equal(info.spacing.epsg ?? null, g.epsg);
      }
      assert.equal(info.valueMapping.nodata ?? null, g.nodata);
      assert.equal(info.valueMapping.slope, g.scale ?? 1);
      assert.equal(info.valueMapping.intercept, g.offset ?? 0);
      const ovr = (info.metadata.overviews as Array<{ width: number; height: number }>).map((o) => [
        o.width,
        o.height,
      ]);
      assert.deepEqual(ovr, g.overviews);
      assert.equal(info.lossy, file in JPEG_TOLERANCE || file.includes('lerc_0.01'), 'lossy flag');
      compare(file, await src.read(), full.array, `${file} whole`);
      const w = await src.read({ window: { x: 37, y: 21, width: 50, height: 45 } });
      assert.deepEqual(w.window, { x: 37, y: 21, width: 50, height: 45 });
      compare(file, w, win.array, `${file} window`);
    });
  }

  for (const [file, target, level] of [
    ['u16_rgb_cog_deflate_ovr.tif', { width: 64, height: 64 }, 0],
    ['u8_rgb_cog_jpeg.tif', { width: 90, height: 50 }, 0],
    ['u8_rgb_cog_jpeg.tif', { width: 40, height: 48 }, 1],
  ] as const) {
    it(`${file}: targetSize ${target.width}x${target.height} reads overview ${level}`, async () => {
      const path = `${DIR}/${file}`;
      const src = await openRaster(path);
      sources.push(src);
      const ref = await gdalRead(path, { overview: level });
      const r = await src.read({ targetSize: target });
      assert.deepEqual(r.window, { x: 0, y: 0, width: src.info.width, height: src.info.height });
      compare(file, r, ref.array, `${file} overview ${level}`);
      // a window in full-resolution pixels maps to the overview's pixels
      const f = src.info.width / r.width;
      const win = { x: 16 * f, y: 8 * f, width: 24 * f, height: 20 * f };
      const refWin = await gdalRead(path, { overview: level, window: [16, 8, 24, 20] });
      const rw = await src.read({ targetSize: target, window: win });
      assert.deepEqual(rw.window, win);
      compare(file, rw, refWin.array, `${file} overview ${level} window`);
    });
  }

  // Variants GDAL writes from a fixture: scale/offset + nodata in GDAL_METADATA/GDAL_NODATA, a
  // rotated geotransform (ModelTransformation), a geographic CRS (GeographicTypeGeoKey), PixelIsPoint.
  const tmp = mkdtempSync(join(tmpdir(), 'tiff-var-'));
  const variants: Array<[string, string[]]> = [
    ['scaled.tif', ['-a_scale', '0.0001', '-a_offset', '-0.1', '-a_nodata', '65535', '-co', 'COMPRESS=LZW']],
    [
      'geographic.tif',
      ['-a_srs', 'EPSG:4326', '-a_ullr', '7.25', '51.5', '7.5', '51.25', '-co', 'TILED=YES'],
    ],
    ['point.tif', ['-mo', 'AREA_OR_POINT=Point']],
  ];
  for (const [name, args] of variants) {
    it(`GDAL-written variant ${name}: header facts and pixels equal GDAL`, async () => {
      const out = join(tmp, name);
      execFileSync('gdal_translate', ['-q', ...args, `${DIR}/u16_rgb_lzw_striped.tif`, out]);
      await checkVariant(out);
    });
  }
  it('GDAL-written variant rotated.tif (ModelTransformation): geotransform equals GDAL', async () => {
    const out = join(tmp, 'rotated.tif');
    const py =
      'import sys\nfrom osgeo import gdal\nsrc=gdal.Open(sys.argv[1])\n' +
      "ds=gdal.GetDriverByName('GTiff').CreateCopy(sys.argv[2], src)\n" +
      'ds.SetGeoTransform([356436.0, 0.8, 0.3, 5699564.0, 0.2, -0.9]); ds=None';
    execFileSync('/usr/bin/python3', ['-c', py, `${DIR}/f32_dsm_none.tif`, out]);
    await checkVariant(out);
  });

  async function checkVariant(path: string): Promise<void> {
    const ref = await gdalRead(path);
    const src = await openRaster(path);
    sources.push(src);
    const g = ref.info;
    const { info } = src;
    assert.equal(info.spacing?.kind, 'geotransform');
    if (info.spacing?.kind === 'geotransform') {
      assert.deepEqual(info.spacing.geotransform, g.geotransform);
      assert.equal(info.spacing.epsg ?? null, g.epsg);
    }
    assert.equal(info.valueMapping.slope, g.scale ?? 1);
    assert.equal(info.valueMapping.intercept, g.offset ?? 0);
    assert.equal(info.valueMapping.nodata ?? null, g.nodata);
    compare('variant', await src.read(), ref.array, `${path} whole`);
  }

  it('LERC with MaxZError 0.01 stays within 0.01 of the lossless original', async () => {
    const lossy = await (await openRaster(`${DIR}/f32_dsm_lerc_0.01.tif`)).read();
    const exact = await (await openRaster(`${DIR}/f32_dsm_none.tif`)).read();
    const s = diffStats(lossy.data, exact.data);
    console.log(`# LERC 0.01 vs uncompressed: max ${s.max}, mean ${s.mean.toFixed(5)}`);
    assert.ok(s.max > 0, 'a lossy file should differ somewhere');
    // 0.01 plus float32 rounding of values near 130 (ulp 1.5e-5); measured 0.0100021
    assert.ok(s.max <= 0.01 + 2e-5, `max |diff| ${s.max}`);
  });
});
