/**
 * Backend selection by feature detection. `auto`: in browsers WebGPU on a hardware adapter, else
 * WASM; in Node onnxruntime-node on the CPU. Every session comes wrapped in a FallbackSession, so a
 * WebGPU failure moves work to WASM (node-webgpu to node-cpu) with a FallbackRecord, never silently.
 * Backend modules are imported lazily: a browser never loads onnxruntime-node, Node never loads
 * onnxruntime-web, and each onnxruntime-web entry (its own large .wasm) loads only when chosen.
 */
import { isNodeRuntime } from '../../formats/load.ts';
import { ModelError, throwIfAborted } from '../errors.ts';
import { FallbackSession, type FallbackOptions } from './fallback.ts';
import { detectWebGpu } from './gpu-types.ts';
import type { OrtWebOptions } from './ort-web-session.ts';
import type { BackendFactory, BackendPreference, FallbackRecord } from './types.ts';
import type { WebGpuOptions } from './webgpu.ts';

/** Everything `createSession` accepts. */
export interface SelectOptions extends FallbackOptions, OrtWebOptions, WebGpuOptions {
  /** Which backend to use; default `auto`. */
  preference?: BackendPreference;
  /** Node only: intra-op threads for onnxruntime-node. */
  nodeThreads?: number;
}

/** The backends chosen for a preference, plus what feature detection ruled out (to be reported). */
export interface BackendPlan {
  primary: BackendFactory;
  fallback?: BackendFactory;
  skipped: FallbackRecord[];
}

/** True in Node (including tsx), false in browsers and workers: the one check, from formats/. */
export { isNodeRuntime };

async function wasm(o: SelectOptions): Promise<BackendFactory> {
  return (await import('./ort-web.ts')).createWasmBackend(o);
}
async function webgpu(o: SelectOptions): Promise<BackendFactory> {
  return (await import('./webgpu.ts')).createWebGpuBackend(o);
}
async function nodeCpu(o: SelectOptions): Promise<BackendFactory> {
  return (await import('./ort-node.ts')).createNodeCpuBackend({ threads: o.nodeThreads });
}
async function nodeWebGpu(o: SelectOptions): Promise<BackendFactory> {
  return (await import('./ort-node.ts')).createNodeWebGpuBackend({ threads: o.nodeThreads });
}

/** Resolves a preference to primary (+ fallback) backends by feature detection. */
export async function planBackends(options: SelectOptions = {}): Promise<BackendPlan> {
  const pref = options.preference ?? 'auto';
  if (isNodeRuntime()) {
    if (pref === 'auto' || pref === 'node-cpu') return { primary: await nodeCpu(options), skipped: [] };
    if (pref === 'node-webgpu') {
      const primary = await nodeWebGpu(options);
      const fallback = await nodeCpu(options);
      if (await primary.available()) return { primary, fallback, skipped: [] };
      const reason = 'this onnxruntime-node build has no WebGPU EP';
      return { primary: fallback, skipped: [{ from: 'node-webgpu', to: 'node-cpu', reason }] };
    }
    throw new ModelError('BACKEND_UNAVAILABLE', `backend ${pref} runs in browsers only`);
  }
  if (pref === 'node-cpu' || pref === 'node-webgpu')
    throw new ModelError('BACKEND_UNAVAILABLE', `backend ${pref} runs in Node only`);
  if (pref === 'wasm') return { primary: await wasm(options), skipped: [] };
  // auto skips software adapters (SwiftShader: slower than WASM); an explicit webgpu still uses them
  const gpu = await detectWebGpu(pref === 'auto');
  if (gpu.ok) return { primary: await webgpu(options), fallback: await wasm(options), skipped: [] };
  return { primary: await wasm(options), skipped: [{ from: 'webgpu', to: 'wasm', reason: gpu.reason }] };
}

/**
 * Creates a session for verified model bytes (see registry `loadModel`) on the preferred backend,
 * wrapped for reported fallback. `session.backend` and each result's `backend` say where tiles ran;
 * `session.records` and `onFallback` say why anything moved.
 */
export async function createSession(
  model: { id: string; scale: number; bytes: Uint8Array },
  options: SelectOptions = {},
  signal?: AbortSignal,
): Promise<FallbackSession> {
  throwIfAborted(signal);
  const plan = await planBackends(options);
  return FallbackSession.create(plan.primary, plan.fallback, model, options, signal, plan.skipped);
}
