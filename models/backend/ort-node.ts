/**
 * onnxruntime-node backends for the CLI and Node tests: `node-cpu` (always) and `node-webgpu`
 * (onnxruntime-node's WebGPU EP, Dawn on Vulkan; optional, only where a Vulkan driver exists).
 */
import * as ort from 'onnxruntime-node';
import { asModelError, throwIfAborted } from '../errors.ts';
import { OrtSession } from './ort-session.ts';
import type { BackendFactory } from './types.ts';

/** Options for the Node backends. */
export interface OrtNodeOptions {
  /** Intra-op threads; onnxruntime's default (all cores) when undefined. */
  threads?: number;
  /** Graph optimization level; default `all` (benchmarks compare the others). */
  graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
}

function makeFactory(id: 'node-cpu' | 'node-webgpu', options: OrtNodeOptions): BackendFactory {
  const providers = id === 'node-cpu' ? ['cpu'] : ['webgpu'];
  return {
    id,
    async available() {
      if (id === 'node-cpu') return true;
      // The binary lists what it was built with; Dawn still needs a Vulkan driver at session time.
      return ort.listSupportedBackends().some((b) => b.name === 'webgpu');
    },
    async createSession(model, signal) {
      throwIfAborted(signal);
      try {
        const session = await ort.InferenceSession.create(model.bytes, {
          executionProviders: providers,
          graphOptimizationLevel: options.graphOptimizationLevel ?? 'all',
          ...(options.threads ? { intraOpNumThreads: options.threads } : {}),
        });
        throwIfAborted(signal);
        // in-process: the tile's buffer can be read in place, no copy
        const makeInput = (d: Float32Array, dims: number[]) => new ort.Tensor('float32', d, dims);
        return new OrtSession(id, model.id, model.scale, session, makeInput, false);
      } catch (err) {
        throw asModelError(err, 'SESSION_FAILED', `creating ${model.id} on ${id}`);
      }
    },
  };
}

/** onnxruntime-node on the CPU. */
export function createNodeCpuBackend(options: OrtNodeOptions = {}): BackendFactory {
  return makeFactory('node-cpu', options);
}

/** onnxruntime-node's WebGPU EP (needs a Vulkan driver, e.g. SwiftShader via VK_ICD_FILENAMES). */
export function createNodeWebGpuBackend(options: OrtNodeOptions = {}): BackendFactory {
  return makeFactory('node-webgpu', options);
}
