// Pure parts of the viewer: cornerstone's VOI formula, the display model, pixel spacing, crops.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ImageInfo, Raster } from '../../formats/raster.ts';
import { cropRaster, growRect } from './crop.ts';
import { displayModelFor, rangeToByte, voiToByte } from './display.ts';
import { pixelSpacingOf } from './image.ts';
import { watermarkLabel } from '../watermark/viewport.ts';

const info = (over: Partial<ImageInfo> = {}): ImageInfo => ({
  format: 'dicom',
  width: 4,
  height: 2,
  frames: 1,
  samples: 1,
  dtype: 'uint16',
  bitsStored: 12,
  signed: false,
  photometricStored: 'MONOCHROME2',
  photometric: 'MONOCHROME2',
  valueMapping: { slope: 1, intercept: 0 },
  windows: [],
  lossy: false,
  metadata: {},
  ...over,
});

test('voiToByte is cornerstone linear VOI: centre -> 127.5, +-width/2 -> 0/255, inverted for MONOCHROME1', () => {
  assert.equal(voiToByte(100, 100, 200, false), 128);
  assert.equal(voiToByte(0, 100, 200, false), 0);
  assert.equal(voiToByte(200, 100, 200, false), 255);
  assert.equal(voiToByte(-1e9, 100, 200, false), 0);
  assert.equal(voiToByte(0, 100, 200, true), 255);
  // the color identity window leaves 8-bit values unchanged
  for (const v of [0, 1, 17, 128, 254, 255]) assert.equal(voiToByte(v, 127.5, 255, false), v);
  assert.equal(rangeToByte(50, 0, 100), 128);
  assert.equal(rangeToByte(NaN, 0, 100), 0);
});

test('display model: first preset, else 2-98 % stretch; MONOCHROME1 inverts; 3+ bands are RGB', () => {
  const data = new Uint16Array([0, 10, 20, 30, 40, 50, 60, 1000]);
  const r: Raster = {
    info: info({ windows: [{ center: 40, width: 80 }], photometric: 'MONOCHROME1' }),
    frame: 0,
    window: { x: 0, y: 0, width: 4, height: 2 },
    width: 4,
    height: 2,
    samples: 1,
    dtype: 'uint16',
    data,
  };
  const m = Float64Array.from(data);
  assert.deepEqual(displayModelFor(r, m), {
    kind: 'gray',
    band: 0,
    invert: true,
    voi: { windowCenter: 40, windowWidth: 80, source: 'preset' },
  });
  const noPreset = displayModelFor({ ...r, info: info() }, m);
  assert.equal(noPreset.kind, 'gray');
  if (noPreset.kind === 'gray') assert.equal(noPreset.voi.source, 'percentile-2-98');
  const rgbn = new Uint16Array(2 * 4 * 4).map((_, i) => i * 100);
  const color = displayModelFor(
    { ...r, info: info({ samples: 4, photometric: 'MULTIBAND' }), samples: 4, data: rgbn },
    Float64Array.from(rgbn),
  );
  assert.equal(color.kind, 'color');
  if (color.kind === 'color') {
    assert.deepEqual(color.bands, [0, 1, 2]);
    assert.equal(color.source, 'percentile-2-98');
  }
});

test('pixel spacing: DICOM mm, projected GeoTIFF m, geographic deg, none px', () => {
  assert.deepEqual(pixelSpacingOf({ kind: 'PixelSpacing', rowMm: 0.5, columnMm: 0.7 }), {
    row: 0.5,
    column: 0.7,
    unit: 'mm',
    source: 'PixelSpacing',
  });
  assert.deepEqual(
    pixelSpacingOf({ kind: 'geotransform', geotransform: [0, 10, 0, 0, 0, -10], epsg: 32633 }),
    {
      row: 10,
      column: 10,
      unit: 'm',
      source: 'geotransform',
    },
  );
  assert.equal(
    pixelSpacingOf({ kind: 'geotransform', geotransform: [0, 1e-4, 0, 0, 0, -1e-4], epsg: 4326 }).unit,
    'deg',
  );
  assert.equal(pixelSpacingOf(undefined).unit, 'px');
});

test('cropRaster copies the chosen bands of a rect (the source is untouched); growRect clamps', () => {
  const data = new Uint8Array(4 * 3 * 2).map((_, i) => i);
  const r: Raster = {
    info: info({ samples: 2, width: 4, height: 3 }),
    frame: 0,
    window: { x: 0, y: 0, width: 4, height: 3 },
    width: 4,
    height: 3,
    samples: 2,
    dtype: 'uint8',
    data,
  };
  const before = data.slice();
  const c = cropRaster(r, { x: 1, y: 1, width: 2, height: 2 }, [1]);
  assert.deepEqual(c.window, { x: 1, y: 1, width: 2, height: 2 });
  assert.deepEqual([...c.data], [11, 13, 19, 21]);
  assert.deepEqual(data, before);
  assert.deepEqual(growRect({ x: 1, y: 1, width: 2, height: 2 }, 5, 4, 3), {
    x: 0,
    y: 0,
    width: 4,
    height: 3,
  });
});

test('watermark label names model and scale, and says perceptual for GAN weights', () => {
  assert.equal(watermarkLabel('medical-x2', 2, false), 'AI-enhanced · medical-x2 · x2');
  assert.equal(watermarkLabel('satellite-x4', 4, true), 'AI-enhanced · satellite-x4 · x4 · perceptual');
});
