import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { before, describe, it } from 'node:test';
import { ModelError } from '../errors.ts';
import { computeRange, normalize } from '../normalize.ts';
import { getModel, loadModel } from '../registry.ts';
import { cropRows } from '../testing/pixels.ts';
import { fixturePixels } from '../testing/fixtures.ts';
import { FallbackSession } from './fallback.ts';
import { createNodeCpuBackend, createNodeWebGpuBackend } from './ort-node.ts';
import { createSession, isNodeRuntime, planBackends } from './select.ts';
import type { FallbackRecord, TileTensor } from './types.ts';

const MR64 = await fixturePixels('fixtures/dicom/mr64_implicit_le.dcm');

type Model = { id: string; scale: number; bytes: Uint8Array };
const SWIFTSHADER = '/usr/lib/chromium/vk_swiftshader_icd.json';
// Dawn reads the Vulkan ICD path once, when onnxruntime-node first initializes WebGPU
if (existsSync(SWIFTSHADER)) process.env['VK_ICD_FILENAMES'] ??= SWIFTSHADER;

describe('backend selection and fallback in Node', () => {
  let model: Model;
  const tiles: TileTensor[] = [];
  before(async () => {
    model = await loadModel(getModel('satellite-x2'));
    const mr = MR64;
    const range = computeRange(mr.data);
    for (const [x, y] of [
      [4, 4],
      [30, 20],
    ] as const)
      tiles.push({ data: normalize(cropRows(mr.data, 64, x, y, 8, 8), range), width: 8, height: 8 });
  });

  it('auto is node-cpu here, with nothing to report', async () => {
    assert.equal(isNodeRuntime(), true);
    const events: FallbackRecord[] = [];
    const s = await createSession(model, { onFallback: (r) => events.push(r) });
    try {
      assert.equal(s.backend, 'node-cpu');
      const out = await s.run(tiles[0]!);
      assert.equal(out.backend, 'node-cpu');
      assert.deepEqual([out.width, out.height], [16, 16]);
      assert.equal(events.length, 0);
    } finally {
      await s.dispose();
    }
  });

  it('browser-only backends are BACKEND_UNAVAILABLE in Node', async () => {
    for (const preference of ['wasm', 'webgpu'] as const)
      await assert.rejects(planBackends({ preference }), (e: unknown) => {
        return e instanceof ModelError && e.code === 'BACKEND_UNAVAILABLE';
      });
  });

  it('a NaN in a real output with no fallback backend is NON_FINITE_OUTPUT, not data', async () => {
    const s = await createSession(model, { poisonOutput: (i) => i === 1 });
    try {
      assert.ok((await s.run(tiles[0]!)).data.every(Number.isFinite));
      await assert.rejects(
        s.run(tiles[1]!),
        (e: unknown) => e instanceof ModelError && e.code === 'NON_FINITE_OUTPUT',
      );
    } finally {
      await s.dispose();
    }
  });

  it('node-webgpu session failure (corrupt bytes) falls back to node-cpu, reported', async () => {
    const gpu = createNodeWebGpuBackend();
    if (!(await gpu.available())) return;
    const events: FallbackRecord[] = [];
    const s = await FallbackSession.create(
      gpu,
      createNodeCpuBackend(),
      { ...model, bytes: model.bytes.slice(0, 1000) },
      {
        onFallback: (r) => events.push(r),
      },
    ).catch((e: unknown) => e);
    // the corrupt bytes reach node-cpu too: creation fails, naming both failures
    assert.ok(s instanceof ModelError && s.code === 'SESSION_FAILED');
    assert.match(s.message, /node-webgpu.*node-cpu/s);
    assert.equal(events.length, 0);
    const ok = await FallbackSession.create(
      { ...gpu, createSession: (m, sig) => gpu.createSession({ ...m, bytes: m.bytes.slice(0, 1000) }, sig) },
      createNodeCpuBackend(),
      model,
      { onFallback: (r) => events.push(r) },
    );
    try {
      assert.equal(events.length, 1);
      assert.equal(events[0]!.from, 'node-webgpu');
      assert.equal(events[0]!.to, 'node-cpu');
      assert.match(events[0]!.reason, /session creation failed: SESSION_FAILED/);
      assert.equal((await ok.run(tiles[0]!)).backend, 'node-cpu');
    } finally {
      await ok.dispose();
    }
  });

  it(
    'node-webgpu (SwiftShader) NaN tile moves to node-cpu and matches it',
    { skip: existsSync(SWIFTSHADER) ? false : 'no SwiftShader Vulkan ICD' },
    async () => {
      const events: FallbackRecord[] = [];
      const s = await FallbackSession.create(createNodeWebGpuBackend(), createNodeCpuBackend(), model, {
        onFallback: (r) => events.push({ ...r }),
        poisonOutput: (i) => i === 0,
      });
      const cpu = await createNodeCpuBackend().createSession(model);
      try {
        assert.equal(s.backend, 'node-webgpu', JSON.stringify(events));
        const results = [await s.run(tiles[0]!), await s.run(tiles[1]!)];
        assert.deepEqual(
          results.map((r) => r.backend),
          ['node-cpu', 'node-cpu'],
        );
        assert.equal(events.length, 1);
        assert.equal(events[0]!.atTile, 0);
        assert.match(events[0]!.reason, /non-finite output .* tile 0 from node-webgpu/);
        for (let i = 0; i < 2; i++) assert.deepEqual(results[i]!.data, (await cpu.run(tiles[i]!)).data);
      } finally {
        await s.dispose();
        await cpu.dispose();
      }
    },
  );
});
