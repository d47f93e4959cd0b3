import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ModelError } from '../errors.ts';
import { computeRange, denormalize, normalize } from '../normalize.ts';
import { getModel, loadModel } from '../registry.ts';
import { fixturePixels } from '../testing/fixtures.ts';
import { cropRows } from '../testing/pixels.ts';
import { createNodeCpuBackend } from './ort-node.ts';
import type { InferenceSession, TileTensor } from './types.ts';

const MR64 = await fixturePixels('fixtures/dicom/mr64_implicit_le.dcm');

/** Box-average downsampling by `s` (the simplest consistency check: SR must explain its input). */
function boxDown(t: TileTensor, s: number): Float64Array {
  const w = t.width / s;
  const h = t.height / s;
  const out = new Float64Array(w * h);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      let sum = 0;
      for (let dy = 0; dy < s; dy++)
        for (let dx = 0; dx < s; dx++)
          sum += Math.min(1, Math.max(0, t.data[(y * s + dy) * t.width + x * s + dx] ?? NaN));
      out[y * w + x] = sum / (s * s);
    }
  return out;
}

function psnr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let se = 0;
  for (let i = 0; i < a.length; i++) se += ((a[i] as number) - (b[i] as number)) ** 2;
  return 10 * Math.log10(1 / (se / a.length));
}

describe('onnxruntime-node CPU backend on a real MR crop', () => {
  const mr = MR64;
  // one range for the whole image, as the contract requires; the crop is normalized with it
  const range = computeRange(mr.data);
  const lr = normalize(cropRows(mr.data, mr.width, 8, 10, 48, 48), range);
  const sessions: InferenceSession[] = [];
  before(async () => {
    const cpu = createNodeCpuBackend();
    assert.equal(await cpu.available(), true);
    for (const id of ['medical-x2', 'medical-x4'] as const)
      sessions.push(await cpu.createSession(await loadModel(getModel(id))));
  });
  after(async () => {
    for (const s of sessions) await s.dispose();
  });

  it('x2 and x4 fidelity: right shape, finite, and box-downsampled output reproduces the input', async () => {
    for (const s of sessions) {
      const out = await s.run({ data: lr, width: 48, height: 48 });
      assert.equal(out.backend, 'node-cpu');
      assert.equal(out.width, 48 * s.scale);
      assert.equal(out.height, 48 * s.scale);
      assert.equal(out.data.length, out.width * out.height);
      assert.ok(out.data.every(Number.isFinite));
      const consistency = psnr(boxDown(out, s.scale), lr);
      console.log(`${s.modelId}: box-downsampled SR vs input ${consistency.toFixed(2)} dB`);
      assert.ok(consistency > 30, `${s.modelId}: data consistency ${consistency.toFixed(2)} dB`);
      // back in original units, the output spans the input's range (not collapsed, not exploded)
      // (the pipeline clamps the model's own output to [0,1] before restoring extremes: plugin/pipeline/range.ts)
      const real = denormalize(
        out.data.map((t) => Math.min(1, Math.max(0, t))),
        range,
      );
      const lo = Math.min(...real);
      const hi = Math.max(...real);
      assert.ok(lo >= range.lo && hi <= range.hi && hi - lo > 0.5 * (range.hi - range.lo));
    }
  });

  it('accepts different tile sizes on one session (dynamic H/W), including non-square', async () => {
    const s = sessions[0]!;
    for (const [w, h] of [
      [17, 9],
      [32, 40],
    ] as const) {
      const out = await s.run({ data: lr.slice(0, w * h), width: w, height: h });
      assert.equal(out.width, 2 * w);
      assert.equal(out.height, 2 * h);
    }
  });

  it('rejects malformed tiles and honours an aborted signal', async () => {
    const s = sessions[0]!;
    await assert.rejects(s.run({ data: new Float32Array(10), width: 4, height: 4 }), (e: unknown) => {
      return e instanceof ModelError && e.code === 'INVALID_INPUT';
    });
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(s.run({ data: lr, width: 48, height: 48 }, ac.signal), (e: unknown) => {
      return e instanceof ModelError && e.code === 'ABORTED';
    });
  });

  it('bytes that are not a model fail with SESSION_FAILED', async () => {
    await assert.rejects(
      createNodeCpuBackend().createSession({ id: 'junk', scale: 2, bytes: new Uint8Array([1, 2, 3, 4, 5]) }),
      (e: unknown) => e instanceof ModelError && e.code === 'SESSION_FAILED',
    );
  });
});
