/** Stable error codes of validation/ on bad input. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { downsample } from './degrade.ts';
import type { Plane } from './image.ts';
import { msSsim, psnr, ssim } from './metrics/index.ts';

const plane = (w: number, h: number, v = 0.5): Plane => ({
  width: w,
  height: h,
  data: new Float64Array(w * h).fill(v),
});

test('size, range, mask and size-limit errors carry stable codes', () => {
  assert.throws(() => psnr(plane(10, 10), plane(10, 11), { dataRange: 1 }), { code: 'SIZE_MISMATCH' });
  assert.throws(() => psnr(plane(10, 10), plane(10, 10, 0.4), { dataRange: 0 }), {
    code: 'INVALID_DATA_RANGE',
  });
  assert.throws(() => ssim(plane(20, 20), plane(20, 20), { dataRange: NaN }), { code: 'INVALID_DATA_RANGE' });
  assert.throws(() => psnr(plane(10, 10), plane(10, 10), { dataRange: 1, mask: new Uint8Array(100) }), {
    code: 'EMPTY_MASK',
  });
  // a mask leaving valid pixels but no whole 11x11 window
  const m = new Uint8Array(400).fill(1);
  for (let i = 0; i < 400; i += 7) m[i] = 0;
  assert.throws(() => ssim(plane(20, 20), plane(20, 20), { dataRange: 1, mask: m }), { code: 'EMPTY_MASK' });
  assert.throws(() => ssim(plane(10, 30), plane(10, 30), { dataRange: 1 }), { code: 'IMAGE_TOO_SMALL' });
  assert.throws(() => msSsim(plane(160, 300), plane(160, 300), { dataRange: 1 }), {
    code: 'IMAGE_TOO_SMALL',
  });
  assert.throws(() => ssim(plane(30, 30), plane(30, 30), { dataRange: 1, shave: 15 }), {
    code: 'INVALID_ARGUMENT',
  });
  assert.throws(() => downsample(plane(30, 30), 4, { degradation: 'torch' }), { code: 'INVALID_ARGUMENT' });
});

test('NaN samples (nodata) are excluded like masked pixels', () => {
  const a = plane(40, 40);
  const b = { ...plane(40, 40), data: plane(40, 40).data.map((_, i) => 0.5 + (i % 3) * 0.01) };
  const withNan = { ...b, data: Float64Array.from(b.data) };
  const mask = new Uint8Array(1600).fill(1);
  for (let i = 0; i < 40; i++) {
    withNan.data[i * 40] = NaN;
    mask[i * 40] = 0;
  }
  assert.equal(psnr(a, withNan, { dataRange: 1 }), psnr(a, b, { dataRange: 1, mask }));
  assert.equal(ssim(a, withNan, { dataRange: 1 }), ssim(a, b, { dataRange: 1, mask }));
});
