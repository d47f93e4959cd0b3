/** What bench/browser-inference.ts asks the bench page for, and what the page answers. */
import type { OrtWebOptions } from '../../models/backend/ort-web-session.ts';

/** A model not in the registry (the untrained `fast` speed probe), passed as base64 ONNX bytes. */
export interface ExtraModel {
  id: string;
  scale: number;
  base64: string;
}

/** One tile size to time: a warm-up run, then `runs` timed runs. */
export interface BrowserJob {
  model: string;
  size: number;
  runs: number;
}

/** One bench page run: a backend (WASM with a thread count, or WebGPU) and its jobs. */
export interface BrowserBenchRequest {
  backend: 'wasm' | 'webgpu';
  /** WASM threads (global per page, so each thread count gets its own page load). */
  threads?: number;
  /** onnxruntime-web knobs for WASM (proxy, optimization level, memory pattern, arena). */
  knobs?: Omit<OrtWebOptions, 'wasmPaths' | 'numThreads'>;
  /** Models served from these bytes instead of the registry. */
  extraModels?: ExtraModel[];
  /** Fixture path relative to the server root. */
  fixture: string;
  jobs: BrowserJob[];
  /** Jobs not yet started are skipped once this much time has been spent (ms). */
  budgetMs: number;
}

/** Timings of one job: every timed run in ms (warm-up excluded), or why it was skipped. */
export interface BrowserJobResult extends BrowserJob {
  times: number[];
  warmupMs?: number;
  skipped?: string;
}

/** The page's answer. */
export interface BrowserBenchResult {
  userAgent: string;
  crossOriginIsolated: boolean;
  hardwareConcurrency: number;
  /** WebGPU adapter description (vendor/architecture/device/description) when asked for WebGPU. */
  adapter?: string;
  results: BrowserJobResult[];
}

/** The function the page installs on `window`. */
export type BrowserBenchFn = (req: BrowserBenchRequest) => Promise<BrowserBenchResult>;
