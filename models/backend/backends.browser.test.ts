import { expect } from '@esm-bundle/chai';
import { executeServerCommand } from '@web/test-runner-commands';
import { computeRange, normalize } from '../normalize.ts';
import { getModel, loadModel } from '../registry.ts';
import { cropRows, readPixels } from '../testing/pixels.ts';
import { FallbackSession } from './fallback.ts';
import { createWasmBackend } from './ort-web.ts';
import { defaultThreads } from './ort-web-session.ts';
import { createSession, planBackends } from './select.ts';
import type { BackendFactory, FallbackRecord, InferenceSession, TileTensor } from './types.ts';
import { createWebGpuBackend, type WebGpuSession } from './webgpu.ts';

type Model = { id: string; scale: number; bytes: Uint8Array };

const maxAbsDiff = (a: Float32Array, b: Float32Array): number => {
  expect(a.length).to.equal(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] ?? NaN) - (b[i] ?? NaN)));
  return m;
};

describe('onnxruntime-web backends (WASM, WebGPU on SwiftShader) and fallback', function () {
  this.timeout(300_000);
  let model: Model;
  /** Real MR tiles normalized with the whole image's range; 16x16 keeps SwiftShader WebGPU affordable. */
  const tiles: TileTensor[] = [];
  let wasmRef: TileTensor[] = [];
  const wasm = createWasmBackend();
  const webgpu = createWebGpuBackend();
  let wasmSession: InferenceSession;

  before(async () => {
    model = await loadModel(getModel('medical-x2'));
    const mr = await readPixels(new URL('/fixtures/dicom/mr64_implicit_le.dcm', location.href));
    const range = computeRange(mr.data);
    for (const [x, y] of [
      [20, 20],
      [8, 30],
      [36, 4],
    ] as const)
      tiles.push({
        data: normalize(cropRows(mr.data, mr.width, x, y, 16, 16), range),
        width: 16,
        height: 16,
      });
    wasmSession = await wasm.createSession(model);
    wasmRef = [];
    for (const t of tiles) wasmRef.push(await wasmSession.run(t));
  });
  after(async () => {
    await wasmSession?.dispose();
  });

  it('WASM runs with threads on this cross-origin isolated page and handles any tile size', async () => {
    expect(globalThis.crossOriginIsolated).to.equal(true);
    // we ask for every core (ORT alone would take 1 of 2)
    expect(defaultThreads()).to.equal(Math.min(navigator.hardwareConcurrency, 8));
    for (const r of wasmRef) {
      expect(r.backend).to.equal('wasm');
      expect([r.width, r.height]).to.deep.equal([32, 32]);
      expect(r.data.every(Number.isFinite)).to.equal(true);
    }
    const big = { data: new Float32Array(40 * 24).fill(0.25), width: 40, height: 24 };
    const t0 = performance.now();
    const out = await wasmSession.run(big);
    console.log(`wasm 40x24 x2: ${(performance.now() - t0).toFixed(0)} ms`);
    expect([out.width, out.height]).to.deep.equal([80, 48]);
  });

  it('WASM inference runs off the main thread (the page keeps ticking during a tile)', async () => {
    const t = tiles[0]!;
    // a 96x96 tile takes hundreds of ms: on the main thread it would stall every timer for that long
    const big = {
      data: new Float32Array(96 * 96).map((_, i) => t.data[i % t.data.length]!),
      width: 96,
      height: 96,
    };
    let last = performance.now();
    let maxGap = 0;
    const timer = setInterval(() => {
      const now = performance.now();
      maxGap = Math.max(maxGap, now - last);
      last = now;
    }, 10);
    const t0 = performance.now();
    await wasmSession.run(big);
    const runMs = performance.now() - t0;
    clearInterval(timer);
    // a blocked main thread fires no timer during the run: the gap since the last tick shows it
    maxGap = Math.max(maxGap, performance.now() - last);
    console.log(
      `wasm 96x96 tile ${runMs.toFixed(0)} ms; longest main-thread timer gap ${maxGap.toFixed(0)} ms`,
    );
    expect(runMs).to.be.greaterThan(150);
    expect(maxGap).to.be.lessThan(runMs / 2);
  });

  it('WebGPU agrees with WASM within 1e-4 on real tiles', async () => {
    expect(await webgpu.available()).to.equal(true);
    const s = await webgpu.createSession(model);
    try {
      for (let i = 0; i < 2; i++) {
        const t0 = performance.now();
        const out = await s.run(tiles[i]!);
        console.log(`webgpu 16x16 x2 tile ${i}: ${(performance.now() - t0).toFixed(0)} ms`);
        expect(out.backend).to.equal('webgpu');
        const d = maxAbsDiff(out.data, wasmRef[i]!.data);
        console.log(`webgpu vs wasm max |diff| ${d.toExponential(2)}`);
        expect(d).to.be.at.most(1e-4);
      }
    } finally {
      await s.dispose();
    }
  });
  it('WASM agrees with onnxruntime-node on the same tiles (node-infer server command)', async function () {
    type NodeOut = { data: number[]; width: number; height: number; backend: string };
    type Payload = { model: string; data: number[]; width: number; height: number };
    for (let i = 0; i < tiles.length; i++) {
      const t = tiles[i]!;
      // node-infer is registered in web-test-runner.config.mjs (models/testing/node-infer.plugin.mjs)
      const node = await executeServerCommand<NodeOut, Payload>('node-infer', {
        model: 'medical-x2',
        data: Array.from(t.data),
        width: t.width,
        height: t.height,
      });
      expect(node.backend).to.equal('node-cpu');
      expect([node.width, node.height]).to.deep.equal([32, 32]);
      const d = maxAbsDiff(Float32Array.from(node.data), wasmRef[i]!.data);
      console.log(`wasm vs node-cpu tile ${i}: max |diff| ${d.toExponential(2)}`);
      expect(d).to.be.at.most(1e-4);
    }
  });

  /** Runs every tile once through `s`, sequentially, with `between(i)` before tile i; checks completion. */
  async function runAll(
    s: InferenceSession,
    between: (i: number) => Promise<void> = async () => undefined,
  ): Promise<TileTensor[]> {
    const results: TileTensor[] = [];
    for (let i = 0; i < tiles.length; i++) {
      await between(i);
      results.push(await s.run(tiles[i]!));
    }
    expect(results.length).to.equal(tiles.length);
    return results;
  }

  /** The fallback tiles must equal a direct WASM run bit for bit: they really ran on WASM. */
  function expectWasmFrom(results: TileTensor[], first: number): void {
    results.forEach((r, i) => {
      expect(r.backend, `tile ${i}`).to.equal(i >= first ? 'wasm' : 'webgpu');
      if (i >= first) expect(maxAbsDiff(r.data, wasmRef[i]!.data), `tile ${i}`).to.equal(0);
      else expect(maxAbsDiff(r.data, wasmRef[i]!.data), `tile ${i}`).to.be.at.most(1e-4);
    });
  }

  it('auto without WebGPU (navigator.gpu hidden) picks WASM and reports why', async () => {
    const desc = Object.getOwnPropertyDescriptor(navigator, 'gpu');
    Object.defineProperty(navigator, 'gpu', { value: undefined, configurable: true });
    const events: FallbackRecord[] = [];
    let s: FallbackSession | undefined;
    try {
      expect(await webgpu.available()).to.equal(false);
      s = await createSession(model, { preference: 'auto', onFallback: (r) => events.push(r) });
    } finally {
      if (desc) Object.defineProperty(navigator, 'gpu', desc);
      else delete (navigator as { gpu?: unknown }).gpu;
    }
    try {
      expect(s.backend).to.equal('wasm');
      expect(events).to.have.length(1);
      expect(events[0]).to.include({ from: 'webgpu', to: 'wasm' });
      expect(events[0]!.reason).to.match(/navigator\.gpu/);
      expect(events[0]!.atTile).to.equal(undefined);
      expect(s.records).to.deep.equal(events);
      expectWasmFrom(await runAll(s), 0);
    } finally {
      await s.dispose();
    }
    expect(await webgpu.available()).to.equal(true);
  });

  it('auto on the software adapter (SwiftShader, the only one here) picks WASM and says why', async () => {
    const events: FallbackRecord[] = [];
    const s = await createSession(model, { preference: 'auto', onFallback: (r) => events.push(r) });
    try {
      expect(s.backend).to.equal('wasm');
      expect(events).to.have.length(1);
      expect(events[0]).to.include({ from: 'webgpu', to: 'wasm' });
      expect(events[0]!.reason).to.match(/software adapter/);
      expect(events[0]!.reason).to.match(/swiftshader/i);
    } finally {
      await s.dispose();
    }
    // an explicit webgpu preference still gets the software adapter
    expect((await planBackends({ preference: 'webgpu' })).primary.id).to.equal('webgpu');
  });

  it('WebGPU session creation failure (corrupt bytes to WebGPU only) falls back to WASM', async () => {
    const bad = model.bytes.slice(0, model.bytes.length >> 1);
    const corruptGpu: BackendFactory = {
      id: webgpu.id,
      available: () => webgpu.available(),
      createSession: (m, sig) => webgpu.createSession({ ...m, bytes: bad }, sig),
    };
    const events: FallbackRecord[] = [];
    const s = await FallbackSession.create(corruptGpu, wasm, model, { onFallback: (r) => events.push(r) });
    try {
      expect(s.primary).to.equal(undefined);
      expect(events).to.have.length(1);
      expect(events[0]).to.include({ from: 'webgpu', to: 'wasm' });
      expect(events[0]!.reason).to.match(/session creation failed: SESSION_FAILED/);
      expectWasmFrom(await runAll(s), 0);
    } finally {
      await s.dispose();
    }
  });

  it('a NaN in a real WebGPU output tile sends that tile and later ones to WASM', async () => {
    const events: FallbackRecord[] = [];
    const s = await FallbackSession.create(webgpu, wasm, model, {
      onFallback: (r) => events.push({ ...r }),
      poisonOutput: (i) => i === 1,
    });
    try {
      expect(s.backend).to.equal('webgpu');
      const results = await runAll(s, async (i) => {
        // the event must exist before the poisoned tile's result and not before
        expect(events.length, `events before tile ${i}`).to.equal(i <= 1 ? 0 : 1);
      });
      expectWasmFrom(results, 1);
      expect(events).to.have.length(1);
      expect(events[0]).to.include({ from: 'webgpu', to: 'wasm', atTile: 1, tiles: 1 });
      expect(events[0]!.reason).to.match(/non-finite output .* tile 1 from webgpu/);
      expect(s.backend).to.equal('wasm');
    } finally {
      await s.dispose();
    }
  });

  it('destroying the GPUDevice ORT uses between tiles moves the rest to WASM', async () => {
    const events: FallbackRecord[] = [];
    const s = await FallbackSession.create(webgpu, wasm, model, { onFallback: (r) => events.push({ ...r }) });
    try {
      const gpu = s.primary as WebGpuSession;
      const results = await runAll(s, async (i) => {
        if (i === 1) {
          await gpu.destroyDeviceForTesting();
          expect(gpu.deviceLost?.code).to.equal('DEVICE_LOST');
        }
      });
      expectWasmFrom(results, 1);
      expect(events).to.have.length(1);
      expect(events[0]).to.include({ from: 'webgpu', to: 'wasm', atTile: 1 });
      expect(events[0]!.reason).to.match(/DEVICE_LOST: WebGPU device lost \(destroyed\)/);
    } finally {
      await s.dispose();
    }
  });
  it('concurrent tiles after a device loss: each completes once on WASM, one record counts them', async () => {
    const events: FallbackRecord[] = [];
    const s = await FallbackSession.create(webgpu, wasm, model, { onFallback: (r) => events.push({ ...r }) });
    try {
      await (s.primary as WebGpuSession).destroyDeviceForTesting();
      const results = await Promise.all(tiles.map((t) => s.run(t)));
      expectWasmFrom(results, 0);
      expect(events).to.have.length(1);
      expect(events[0]).to.include({ from: 'webgpu', to: 'wasm', atTile: 0, tiles: 1 });
      // the listener saw the first tile; the session's record counts all three re-run tiles
      expect(s.records[0]!.tiles).to.equal(tiles.length);
    } finally {
      await s.dispose();
    }
  });
});
