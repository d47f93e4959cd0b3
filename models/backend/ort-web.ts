/**
 * onnxruntime-web on WebAssembly (SIMD; threads when the page is cross-origin isolated). The .wasm
 * files are served by the app itself (`wasmPaths`), never fetched from a CDN.
 */
import * as ort from 'onnxruntime-web/wasm';
import { asModelError, throwIfAborted } from '../errors.ts';
import { configureOrtWasm, type OrtWebOptions } from './ort-web-session.ts';
import { OrtSession } from './ort-session.ts';
import type { BackendFactory } from './types.ts';

export type { OrtWebOptions } from './ort-web-session.ts';

/** onnxruntime-web's WASM backend (main thread or a worker). */
export function createWasmBackend(options: OrtWebOptions = {}): BackendFactory {
  return {
    id: 'wasm',
    async available() {
      return typeof WebAssembly === 'object';
    },
    async createSession(model, signal) {
      throwIfAborted(signal);
      configureOrtWasm(ort.env, options, 'ort-wasm-simd-threaded.wasm');
      try {
        // the proxy worker takes ownership of (detaches) what it is given: hand it a copy
        const session = await ort.InferenceSession.create(model.bytes.slice(), {
          executionProviders: ['wasm'],
          graphOptimizationLevel: options.graphOptimizationLevel ?? 'all',
          ...(options.enableMemPattern === undefined ? {} : { enableMemPattern: options.enableMemPattern }),
          ...(options.enableCpuMemArena === undefined
            ? {}
            : { enableCpuMemArena: options.enableCpuMemArena }),
        });
        throwIfAborted(signal);
        const makeInput = (d: Float32Array, dims: number[]) => new ort.Tensor('float32', d, dims);
        // inputs are copied only where the proxy worker will detach them
        return new OrtSession('wasm', model.id, model.scale, session, makeInput, ort.env.wasm.proxy === true);
      } catch (err) {
        throw asModelError(err, 'SESSION_FAILED', `creating ${model.id} on wasm`);
      }
    },
  };
}
