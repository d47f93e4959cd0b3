/**
 * The shared resampler's own invariants (the Pillow/scikit-image oracle comparisons run through
 * validation/, in validation/resample.oracle.test.ts, on these same kernels).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TilesrError } from './errors.ts';
import { resize, ResampleError, taps, upsample, type FilterName, type Plane } from './resample.ts';

const FILTERS: FilterName[] = ['nearest', 'box', 'bilinear', 'bicubic', 'lanczos3'];

function ramp(width: number, height: number): Plane {
  const data = new Float64Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[y * width + x] = 3 * x + 2 * y;
  return { width, height, data };
}

test('weights of every tap row sum to 1 in both conventions, up and down', () => {
  for (const convention of ['pil', 'matlab'] as const)
    for (const filter of FILTERS)
      for (const [inSize, outSize] of [
        [10, 20],
        [10, 40],
        [30, 10],
        [7, 7],
      ] as const) {
        const t = taps(inSize, outSize, filter, convention);
        for (let o = 0; o < outSize; o++) {
          let sum = 0;
          for (let j = 0; j < (t.count[o] as number); j++) sum += t.weight[o * t.ksize + j] as number;
          assert.ok(Math.abs(sum - 1) < 1e-12, `${convention} ${filter} ${inSize}->${outSize}: ${sum}`);
          for (let j = 0; j < (t.count[o] as number); j++) {
            const i = t.index[o * t.ksize + j] as number;
            assert.ok(i >= 0 && i < inSize);
          }
        }
      }
});

test('bicubic x2 (Keys a = -0.5) reproduces a linear ramp away from the borders', () => {
  const p = ramp(12, 9);
  const up = upsample(p, 2, 'bicubic');
  assert.equal(up.width, 24);
  assert.equal(up.height, 18);
  // output centre (x + 0.5) / 2 - 0.5 in input pixels; the 4 taps lie inside for 4 <= x < 20
  for (let y = 4; y < 14; y++)
    for (let x = 4; x < 20; x++) {
      const expected = 3 * ((x + 0.5) / 2 - 0.5) + 2 * ((y + 0.5) / 2 - 0.5);
      assert.ok(Math.abs((up.data[y * 24 + x] as number) - expected) < 1e-9, `${x},${y}`);
    }
});

test('a constant stays constant under every filter and convention', () => {
  const p: Plane = { width: 9, height: 6, data: new Float32Array(54).fill(0.25) };
  for (const convention of ['pil', 'matlab'] as const)
    for (const filter of FILTERS) {
      const out = resize(p, 20, 4, filter, convention);
      for (const v of out.data) assert.ok(Math.abs(v - 0.25) < 1e-12, `${convention} ${filter}`);
    }
});

test('bad sizes and scales are INVALID_ARGUMENT ResampleErrors', () => {
  const p = ramp(4, 4);
  const isInvalid = (e: unknown) =>
    e instanceof ResampleError && e instanceof TilesrError && e.code === 'INVALID_ARGUMENT';
  assert.throws(() => upsample(p, 1.5, 'bicubic'), isInvalid);
  assert.throws(() => upsample(p, 0, 'bicubic'), isInvalid);
  assert.throws(() => resize(p, 0, 4, 'bilinear', 'pil'), isInvalid);
  assert.throws(() => taps(4, 2.5, 'nearest', 'matlab'), isInvalid);
});
