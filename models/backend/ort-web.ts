/**
 * onnxruntime-web on WebAssembly (SIMD; threads when the page is cross-origin isolated). The .wasm
 * files are served by the app itself (`wasmPaths`), never fetched from a CDN.
 */
import * as ort from 'onnxruntime-web/wasm';
import { asModelError, throwIfAborted } from '../errors.ts';
import { configureOrtWasm, OrtWebSession, type OrtWebOptions } from './ort-web-session.ts';
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
          graphOptimizationLevel: 'all',
        });
        throwIfAborted(signal);
        return new OrtWebSession('wasm', model.id, model.scale, session, ort.Tensor);
      } catch (err) {
        throw asModelError(err, 'SESSION_FAILED', `creating ${model.id} on wasm`);
      }
    },
  };
}
