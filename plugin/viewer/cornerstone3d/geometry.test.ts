/** The image->canvas affine behind tile placement: inverse, zoom and visible region (pure maths). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { affineFrom, apply, invert, visibleRegion, zoomOf } from './geometry.ts';

test('a 90 degree rotation with a horizontal flip, zoom 4 and a pan round-trips and keeps its zoom', () => {
  // image x -> canvas +y, image y -> canvas +x (rotate + flip), 4 canvas px per image px
  const m = affineFrom({ x: 10, y: -20 }, { x: 10, y: -16 }, { x: 14, y: -20 });
  assert.deepEqual(apply(m, { x: 3, y: 5 }), { x: 30, y: -8 });
  const back = apply(invert(m), { x: 30, y: -8 });
  assert.ok(Math.abs(back.x - 3) < 1e-12 && Math.abs(back.y - 5) < 1e-12);
  assert.equal(zoomOf(m), 4);
});

test('the visible region covers every image pixel touching the canvas, clamped to the image', () => {
  const m = affineFrom({ x: -100.5, y: -40 }, { x: -98.5, y: -40 }, { x: -100.5, y: -38 }); // zoom 2
  // canvas 0..256 -> image x 50.25..178.25, y 20..148
  assert.deepEqual(visibleRegion(m, { width: 256, height: 256 }, { width: 512, height: 512 }), {
    x: 50,
    y: 20,
    width: 129,
    height: 128,
  });
  assert.deepEqual(visibleRegion(m, { width: 256, height: 256 }, { width: 100, height: 100 }), {
    x: 50,
    y: 20,
    width: 50,
    height: 80,
  });
  // a split at canvas x 128 leaves out the image left of x 114.25
  assert.equal(visibleRegion(m, { width: 256, height: 256, x0: 128 }, { width: 512, height: 512 }).x, 114);
  // off-screen: empty
  const away = affineFrom({ x: 5000, y: 0 }, { x: 5001, y: 0 }, { x: 5000, y: 1 });
  assert.equal(visibleRegion(away, { width: 256, height: 256 }, { width: 512, height: 512 }).width, 0);
});

test('a degenerate map is refused', () => {
  assert.throws(() => invert(affineFrom({ x: 0, y: 0 }, { x: 0, y: 0 }, { x: 0, y: 1 })), RangeError);
});
