import { test } from 'node:test';
import assert from 'node:assert/strict';
import { activationBytes, maxTileForLimits, planTiles, webGpuTileLimits, type Rect } from './tiler.ts';
import { PipelineError } from './errors.ts';

const inside = (a: Rect, b: Rect) =>
  a.x >= b.x && a.y >= b.y && a.x + a.width <= b.x + b.width && a.y + a.height <= b.y + b.height;

test('cores partition the region exactly, for sizes that do and do not divide it', () => {
  const image = { width: 100, height: 76 };
  for (const region of [
    { x: 0, y: 0, width: 100, height: 76 },
    { x: 13, y: 7, width: 61, height: 50 },
  ]) {
    for (const tile of [16, 32, 48, 64, 100, 500]) {
      const plan = planTiles(image, region, { scale: 2, halo: 12, tile });
      const hits = new Uint8Array(image.width * image.height);
      for (const t of plan.tiles) {
        assert.ok(t.core.width <= tile && t.core.height <= tile, `core fits tile ${tile}`);
        assert.ok(inside(t.core, t.input), 'core inside input');
        assert.ok(inside(t.input, { x: 0, y: 0, ...image }), 'input inside image (never padded)');
        for (let y = t.core.y; y < t.core.y + t.core.height; y++)
          for (let x = t.core.x; x < t.core.x + t.core.width; x++) hits[y * image.width + x]!++;
      }
      for (let y = 0; y < image.height; y++)
        for (let x = 0; x < image.width; x++) {
          const want =
            x >= region.x && x < region.x + region.width && y >= region.y && y < region.y + region.height;
          assert.equal(hits[y * image.width + x], want ? 1 : 0, `pixel ${x},${y} tile ${tile}`);
        }
      assert.equal(plan.tiles.length, plan.columns * plan.rows);
    }
  }
});

test('halo reaches exactly `halo` px past the core except where the image ends', () => {
  const image = { width: 100, height: 76 };
  const halo = 12;
  const plan = planTiles(image, { x: 0, y: 0, ...image }, { scale: 4, halo, tile: 32 });
  for (const t of plan.tiles) {
    assert.equal(t.core.x - t.input.x, Math.min(halo, t.core.x));
    assert.equal(t.core.y - t.input.y, Math.min(halo, t.core.y));
    const right = image.width - (t.core.x + t.core.width);
    assert.equal(t.input.x + t.input.width - (t.core.x + t.core.width), Math.min(halo, right));
    const bottom = image.height - (t.core.y + t.core.height);
    assert.equal(t.input.y + t.input.height - (t.core.y + t.core.height), Math.min(halo, bottom));
  }
});

test('tile size shrinks to fit a buffer limit computed from the widest activation', () => {
  const halo = 13;
  const maxBufferBytes = 128 * 1024 * 1024; // WebGPU default maxStorageBufferBindingSize
  for (const scale of [2, 4]) {
    const fit = maxTileForLimits({ maxBufferBytes }, scale, halo);
    const side = fit + 2 * halo;
    assert.ok(activationBytes(side, side, scale) <= maxBufferBytes * 0.75, 'fits with headroom');
    assert.ok(
      activationBytes(side + 1, side + 1, scale) > maxBufferBytes * 0.75,
      'and is the largest that fits',
    );
    const plan = planTiles(
      { width: 2000, height: 1500 },
      { x: 0, y: 0, width: 2000, height: 1500 },
      {
        scale,
        halo,
        tile: 4096,
        maxBufferBytes,
      },
    );
    for (const t of plan.tiles) {
      assert.ok(activationBytes(t.input.width, t.input.height, scale) <= maxBufferBytes * 0.75);
    }
  }
  const px = maxTileForLimits({ maxTilePixels: 100 * 100 }, 2, 10);
  assert.equal(px, 80);
});

test('bad requests throw INVALID_REQUEST', () => {
  const image = { width: 50, height: 50 };
  const bad = [
    () => planTiles(image, { x: 40, y: 0, width: 20, height: 10 }, { scale: 2, halo: 8 }),
    () => planTiles(image, { x: 0, y: 0, width: 0, height: 10 }, { scale: 2, halo: 8 }),
    () => planTiles(image, { x: 0, y: 0, width: 10, height: 10 }, { scale: 2, halo: 8, tile: 0 }),
    () =>
      planTiles(image, { x: 0, y: 0, width: 10, height: 10 }, { scale: 2, halo: 40, maxTilePixels: 64 * 64 }),
  ];
  for (const f of bad) {
    assert.throws(f, (e: unknown) => e instanceof PipelineError && e.code === 'INVALID_REQUEST');
  }
});

test('WebGPU limits: the smaller of binding and buffer size bounds the tile', () => {
  // WebGPU's spec defaults: 128 MiB binding, 256 MiB buffer
  const limits = webGpuTileLimits({ maxStorageBufferBindingSize: 128 << 20, maxBufferSize: 256 << 20 });
  assert.equal(limits.maxBufferBytes, 128 << 20);
  const x4 = maxTileForLimits(limits, 4, 13);
  const x2 = maxTileForLimits(limits, 2, 13);
  assert.ok(x2 > x4 * 2 - 30, 'x2 tiles may be about twice as wide as x4 ones');
  const side = x4 + 26;
  assert.ok(activationBytes(side, side, 4) <= (128 << 20) * 0.75);
});
