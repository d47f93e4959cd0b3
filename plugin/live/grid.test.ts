// The enhancement grid and the per-tile consistency check, without a browser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { downsample } from '../../validation/degrade.ts';
import { cellRect, gridCells, regionOf } from './grid.ts';
import { tileConsistencyPsnr } from '../pipeline/tile-check.ts';

test('cells are aligned to the image and cut at its edge', () => {
  assert.deepEqual(cellRect(0, 0, 64, 100, 90), { x: 0, y: 0, width: 64, height: 64 });
  assert.deepEqual(cellRect(1, 1, 64, 100, 90), { x: 64, y: 64, width: 36, height: 26 });
});

test('visible region: bounding box of mapped canvas corners, clamped to the image', () => {
  const r = regionOf(
    [
      { x: -3.5, y: 10.2 },
      { x: 40.1, y: 10.2 },
      { x: -3.5, y: 50.7 },
      { x: 40.1, y: 50.7 },
    ],
    32,
    100,
  );
  assert.deepEqual(r, { x: 0, y: 10, width: 32, height: 41 });
  assert.equal(regionOf([{ x: 200, y: 200 }], 100, 100).width, 0);
});

test('grid cells: visible ones nearest the centre first, then the prefetch ring inside the image', () => {
  const { visible, ring } = gridCells({ x: 70, y: 70, width: 20, height: 20 }, 32, 128, 128, 1);
  assert.deepEqual(visible, [[2, 2]]);
  assert.equal(ring.length, 8);
  const corner = gridCells({ x: 0, y: 0, width: 10, height: 10 }, 32, 128, 128, 1);
  assert.deepEqual(corner.visible, [[0, 0]]);
  assert.deepEqual(new Set(corner.ring.map((c) => c.join(','))), new Set(['1,0', '0,1', '1,1']));
  const two = gridCells({ x: 20, y: 0, width: 40, height: 10 }, 32, 128, 128, 0);
  assert.deepEqual(two.visible, [
    [1, 0],
    [0, 0],
  ]); // centre x = 40 is in cell 1
  assert.deepEqual(gridCells({ x: 0, y: 0, width: 0, height: 5 }, 32, 128, 128, 1), {
    visible: [],
    ring: [],
  });
});

test('tile consistency: a tile that downsamples back to its cell scores high, a shifted one low', () => {
  const W = 16;
  const hr = new Float64Array(32 * 32).map((_, i) => Math.sin((i % 32) / 3) * 100 + Math.floor(i / 32) * 4);
  const lr = downsample({ width: 32, height: 32, data: hr }, 2, { degradation: 'torch' });
  const frame = { data: lr.data, width: W, samples: 1 };
  const cell = { x: 0, y: 0, width: 16, height: 16 };
  const range = [{ lo: -100, hi: 224, constant: false, count: 256 }];
  const good = tileConsistencyPsnr(
    frame,
    cell,
    [0],
    { data: hr, width: 32, height: 32, samples: 1, scale: 2 },
    range,
  );
  const shifted = hr.map((v) => v + 30);
  const bad = tileConsistencyPsnr(
    frame,
    cell,
    [0],
    { data: shifted, width: 32, height: 32, samples: 1, scale: 2 },
    range,
  );
  assert.ok(good > 60, `good ${good}`);
  assert.ok(bad < 35, `bad ${bad}`);
});
