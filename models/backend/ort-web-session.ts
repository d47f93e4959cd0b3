/**
 * What the WASM and WebGPU backends share: env settings (the session wrapper is ort-session.ts,
 * shared with onnxruntime-node). It imports only
 * onnxruntime-web's types, because each entry point (`/wasm`, `/webgpu`) loads its own 14-28 MB
 * .wasm: ort-web.ts picks `/wasm`, the WebGPU worker `/webgpu`, and both pass their module in.
 */
import type * as ort from 'onnxruntime-web';

/** Where onnxruntime-web's files are served from, and how many threads to use. */
export interface OrtWebOptions {
  /** Directory URL holding ort-wasm-simd-threaded*.wasm/.mjs; default `/node_modules/onnxruntime-web/dist/`. */
  wasmPaths?: string;
  /** WASM threads; default: all cores when crossOriginIsolated (ORT alone would pick half), else 1. */
  numThreads?: number;
  /**
   * Run WASM inference in onnxruntime's proxy worker; default true on a page (tiles never block the
   * main thread), false in workers. bench/browser-inference.ts measures what it costs.
   */
  proxy?: boolean;
  /** Session graph optimization level; default `all` (the benchmark compares the others). */
  graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
  /** onnxruntime's memory-pattern planning; default onnxruntime's (on). */
  enableMemPattern?: boolean;
  /** onnxruntime's CPU memory arena; default onnxruntime's (on). */
  enableCpuMemArena?: boolean;
}

/** The default self-hosted location of onnxruntime-web's dist files (the dev server serves the repo root). */
export function defaultWasmPaths(): string {
  const origin = globalThis.location?.origin ?? 'http://localhost';
  return new URL('/node_modules/onnxruntime-web/dist/', origin).href;
}

/** Thread count we ask for: ORT would use ceil(cores/2) and 1 on 2 cores; threads need isolation. */
export function defaultThreads(): number {
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
  const cores = globalThis.navigator?.hardwareConcurrency ?? 1;
  return isolated ? Math.max(1, Math.min(cores, 8)) : 1;
}

/**
 * Applies wasm settings to an onnxruntime-web `env` (shared by the WASM backend and the WebGPU
 * worker). They are global and only take effect before the first session, so first call wins.
 * Only the .wasm binary is pointed at `wasmPaths` (`wasmFile` names the one this entry point
 * loads): the JS glue stays the copy embedded in the bundle, so dev servers never transform it.
 */
export function configureOrtWasm(env: ort.Env, options: OrtWebOptions, wasmFile: string): void {
  if (configured.has(env)) return;
  configured.add(env);
  env.wasm.wasmPaths = { wasm: new URL(wasmFile, options.wasmPaths ?? defaultWasmPaths()).href };
  env.wasm.numThreads = options.numThreads ?? defaultThreads();
  env.wasm.simd = true;
  // on a page, run WASM inference in onnxruntime's proxy worker so tiles never block the main thread
  env.wasm.proxy = options.proxy ?? typeof document !== 'undefined';
}
const configured = new WeakSet<object>();
