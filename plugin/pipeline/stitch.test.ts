import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cropPlane, planTiles, type Rect } from './tiler.ts';
import { Stitcher } from './stitch.ts';

// A smooth, non-periodic test image: every pixel differs, so misplaced copies are caught.
function plane(width: number, height: number): Float32Array {
  const p = new Float32Array(width * height);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) p[y * width + x] = Math.sin(x * 0.37 + y * 0.11) + 0.01 * x * y;
  return p;
}

// Stand-in for a model that is exactly local: nearest-neighbour upsampling by `s`.
function nearest(src: Float32Array, w: number, h: number, s: number) {
  const out = new Float32Array(w * s * h * s);
  for (let y = 0; y < h * s; y++)
    for (let x = 0; x < w * s; x++)
      out[y * w * s + x] = src[Math.floor(y / s) * w + Math.floor(x / s)] as number;
  return { data: out, width: w * s, height: h * s };
}

const image = { width: 57, height: 41 };
const full = plane(image.width, image.height);

for (const feather of [0, 3]) {
  test(`stitching local tiles reproduces the whole-image result (feather ${feather})`, () => {
    const region: Rect = { x: 5, y: 3, width: 47, height: 33 };
    for (const s of [2, 4]) {
      const plan = planTiles(image, region, { scale: s, halo: 6, tile: 14 });
      const st = new Stitcher(plan, { feather });
      for (const t of plan.tiles)
        st.place(t, nearest(cropPlane(full, image.width, t.input), t.input.width, t.input.height, s));
      const got = st.finish();
      const want = nearest(cropPlane(full, image.width, region), region.width, region.height, s).data;
      let max = 0;
      for (let i = 0; i < want.length; i++)
        max = Math.max(max, Math.abs((got[i] as number) - (want[i] as number)));
      assert.ok(max < 1e-5, `x${s}: max diff ${max}`);
    }
  });
}

test('feathering blends inconsistent tiles smoothly; hard crop keeps a step', () => {
  const region: Rect = { x: 0, y: 0, width: 40, height: 8 };
  const plan = planTiles({ width: 40, height: 8 }, region, { scale: 2, halo: 4, tile: 20 });
  assert.equal(plan.tiles.length, 2);
  const render = (feather: number) => {
    const st = new Stitcher(plan, { feather });
    for (const t of plan.tiles) {
      const n = t.input.width * 2 * t.input.height * 2;
      st.place(t, {
        data: new Float32Array(n).fill(t.index),
        width: t.input.width * 2,
        height: t.input.height * 2,
      });
    }
    return st.finish();
  };
  const hard = render(0);
  const soft = render(4);
  const row = (p: Float32Array) => Array.from(p.subarray(0, 80));
  const steps = (r: number[]) => r.slice(1).map((v, i) => Math.abs(v - (r[i] as number)));
  assert.equal(Math.max(...steps(row(hard))), 1, 'hard crop: a unit step at the seam');
  assert.ok(Math.max(...steps(row(soft))) < 0.1, 'feathered: no step above 0.1');
  assert.equal(row(soft)[0], 0);
  assert.equal(row(soft)[79], 1);
  assert.throws(() => new Stitcher(plan, { feather: 5 }), /feather/);
});

test('a tile of the wrong size is rejected with TILE_FAILED', () => {
  const plan = planTiles(image, { x: 0, y: 0, ...image }, { scale: 2, halo: 4, tile: 32 });
  const st = new Stitcher(plan);
  const t = plan.tiles[0]!;
  assert.throws(
    () => st.place(t, { data: new Float32Array(4), width: 2, height: 2 }),
    (e: unknown) => (e as { code?: string }).code === 'TILE_FAILED',
  );
});
