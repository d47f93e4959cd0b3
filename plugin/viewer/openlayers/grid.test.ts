/** The map geometry against the real fixtures' headers (GDAL's gdalinfo numbers). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { openRaster } from '../../../formats/index.ts';
import type { ImageInfo } from '../../../formats/raster.ts';
import {
  baseTileWindow,
  buildPyramid,
  enhancedTileCell,
  enhancedTilesFor,
  extentToImage,
  imageToMap,
  PIXEL_CRS,
  placeImage,
} from './grid.ts';

async function infoOf(path: string): Promise<ImageInfo> {
  const src = await openRaster(path);
  await src.close();
  return src.info;
}

describe('OpenLayers grid', () => {
  test('the COG sample is placed in UTM 20N at its geotransform (gdalinfo: origin 637575,1343505; 60 m)', async () => {
    const info = await infoOf('fixtures/geotiff/u16_rgb_cog_deflate_ovr.tif');
    const p = placeImage(info);
    assert.equal(p.crs, 'EPSG:32620');
    assert.equal(p.units, 'm');
    assert.deepEqual(p.extent, [637575, 1335825, 645255, 1343505]);
    assert.equal(p.resolution, 60);
    assert.deepEqual(imageToMap(p, { x: 128, y: 128 }), [645255, 1335825]);
    assert.deepEqual(extentToImage(p, [637575 + 600, 1343505 - 1200, 637575 + 1200, 1343505 - 600]), {
      x: 10,
      y: 10,
      width: 10,
      height: 10,
    });
  });

  test('no geotransform -> pixel CRS, with the reason', () => {
    const info = { width: 300, height: 200, spacing: undefined } as unknown as ImageInfo;
    const p = placeImage(info);
    assert.equal(p.crs, PIXEL_CRS);
    assert.equal(p.fallback, 'no geotransform');
    assert.deepEqual(p.extent, [0, 0, 300, 200]);
  });

  test('pyramid: powers of two to native, then native / scale; tiles map to image px', () => {
    const info = { width: 2048, height: 1500, spacing: undefined } as unknown as ImageInfo;
    const p = placeImage(info);
    const x2 = buildPyramid(info, p, 2);
    assert.deepEqual(x2.factors, [8, 4, 2, 1]);
    assert.deepEqual(x2.resolutions, [8, 4, 2, 1, 0.5]);
    assert.equal(x2.enhancedZ, 4);
    assert.deepEqual(baseTileWindow(x2, info, 0, 0, 0), { x: 0, y: 0, width: 2048, height: 1500 });
    assert.deepEqual(baseTileWindow(x2, info, 3, 7, 5), { x: 1792, y: 1280, width: 256, height: 220 });
    assert.deepEqual(enhancedTileCell(x2, info, 15, 11), { x: 1920, y: 1408, width: 128, height: 92 });
    const x4 = buildPyramid(info, p, 4);
    assert.deepEqual(enhancedTileCell(x4, info, 1, 1), { x: 64, y: 64, width: 64, height: 64 });
    assert.deepEqual(enhancedTilesFor(x2, info, { x: 100, y: 120, width: 60, height: 20 }), [
      [0, 0],
      [1, 0],
      [0, 1],
      [1, 1],
    ]);
    assert.deepEqual(enhancedTilesFor(x2, info, { x: -50, y: -50, width: 10, height: 10 }), []);
    assert.throws(() => buildPyramid(info, p, 3), RangeError);
  });
});
