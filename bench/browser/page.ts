/**
 * The browser side of bench/browser-inference.ts: installs `window.tilesrBench`, which times
 * onnxruntime-web tiles (WASM with a given thread count, or WebGPU in its worker) on the same real
 * fixture tiles as the Node benchmark, through the models/ backend factories.
 */
import { createWasmBackend } from '../../models/backend/ort-web.ts';
import type { BackendFactory, InferenceSession } from '../../models/backend/types.ts';
import { createWebGpuBackend } from '../../models/backend/webgpu.ts';
import { getModel, loadModel } from '../../models/registry.ts';
import { fixtureTiles } from '../tiles.ts';
import type {
  BrowserBenchFn,
  BrowserBenchRequest,
  BrowserBenchResult,
  BrowserJobResult,
} from './protocol.ts';

interface AdapterInfoLike {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
}

/** Describes the WebGPU adapter (Chromium exposes `adapter.info`), e.g. "google swiftshader". */
async function describeAdapter(): Promise<string> {
  const gpu = (navigator as { gpu?: { requestAdapter(): Promise<{ info?: AdapterInfoLike } | null> } }).gpu;
  if (!gpu) return 'no navigator.gpu';
  const adapter = await gpu.requestAdapter();
  if (!adapter) return 'requestAdapter() returned null';
  const i = adapter.info ?? {};
  return (
    [i.vendor, i.architecture, i.device, i.description].filter((s) => s).join(' / ') || 'unnamed adapter'
  );
}

/** Runs one bench request; each model gets one session, reused across its tile sizes. */
const run: BrowserBenchFn = async (req: BrowserBenchRequest): Promise<BrowserBenchResult> => {
  const start = performance.now();
  const factory: BackendFactory =
    req.backend === 'wasm'
      ? createWasmBackend({ numThreads: req.threads, ...req.knobs })
      : createWebGpuBackend();
  const extra = new Map((req.extraModels ?? []).map((m) => [m.id, m]));
  const modelFor = async (id: string) => {
    const m = extra.get(id);
    if (!m) return loadModel(getModel(id));
    const bytes = Uint8Array.from(atob(m.base64), (c) => c.charCodeAt(0));
    return { id: m.id, scale: m.scale, bytes };
  };
  const tiles = await fixtureTiles(new URL(`/${req.fixture}`, location.href), [
    ...new Set(req.jobs.map((j) => j.size)),
  ]);
  const results: BrowserJobResult[] = [];
  const sessions = new Map<string, InferenceSession>();
  try {
    for (const job of req.jobs) {
      if (performance.now() - start > req.budgetMs) {
        results.push({ ...job, times: [], skipped: 'time budget spent' });
        continue;
      }
      let session = sessions.get(job.model);
      if (!session) {
        session = await factory.createSession(await modelFor(job.model));
        sessions.set(job.model, session);
      }
      const tile = tiles.get(job.size);
      if (!tile) throw new Error(`no ${job.size} px tile`);
      let t0 = performance.now();
      await session.run(tile);
      const warmupMs = performance.now() - t0;
      const times: number[] = [];
      for (let i = 0; i < job.runs; i++) {
        t0 = performance.now();
        const out = await session.run(tile);
        times.push(performance.now() - t0);
        if (out.backend !== req.backend) throw new Error(`tile ran on ${out.backend}, not ${req.backend}`);
      }
      results.push({ ...job, times, warmupMs });
    }
  } finally {
    for (const s of sessions.values()) await s.dispose();
  }
  return {
    userAgent: navigator.userAgent,
    crossOriginIsolated: globalThis.crossOriginIsolated === true,
    hardwareConcurrency: navigator.hardwareConcurrency,
    adapter: req.backend === 'webgpu' ? await describeAdapter() : undefined,
    results,
  };
};

(globalThis as { tilesrBench?: BrowserBenchFn }).tilesrBench = run;
