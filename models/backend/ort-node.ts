/**
 * onnxruntime-node backends for the CLI and Node tests: `node-cpu` (always) and `node-webgpu`
 * (onnxruntime-node's WebGPU EP, Dawn on Vulkan; optional, only where a Vulkan driver exists).
 */
import * as ort from 'onnxruntime-node';
import { asModelError, throwIfAborted } from '../errors.ts';
import { assertTile, srTileFromOutput, SerialQueue } from './tile.ts';
import type { BackendFactory, BackendId, InferenceSession, TileTensor } from './types.ts';

/** Options for the Node backends. */
export interface OrtNodeOptions {
  /** Intra-op threads; onnxruntime's default (all cores) when undefined. */
  threads?: number;
}

class OrtNodeSession implements InferenceSession {
  private readonly queue = new SerialQueue();

  constructor(
    readonly backend: BackendId,
    readonly modelId: string,
    readonly scale: number,
    private readonly session: ort.InferenceSession,
  ) {}

  async run(tile: TileTensor, signal?: AbortSignal): Promise<TileTensor> {
    assertTile(tile);
    return this.queue.run(async () => {
      throwIfAborted(signal);
      const input = new ort.Tensor('float32', tile.data, [1, 1, tile.height, tile.width]);
      let out: ort.InferenceSession.ReturnType;
      try {
        out = await this.session.run({ [this.session.inputNames[0] ?? 'lr']: input });
      } catch (err) {
        throw asModelError(err, 'SESSION_FAILED', `${this.modelId} on ${this.backend}`);
      } finally {
        input.dispose();
      }
      const result = srTileFromOutput(
        out[this.session.outputNames[0] ?? 'sr'],
        tile,
        this.scale,
        this.modelId,
        this.backend,
      );
      throwIfAborted(signal);
      return result;
    });
  }

  async dispose(): Promise<void> {
    await this.queue.run(() => this.session.release());
  }
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
          graphOptimizationLevel: 'all',
          ...(options.threads ? { intraOpNumThreads: options.threads } : {}),
        });
        throwIfAborted(signal);
        return new OrtNodeSession(id, model.id, model.scale, session);
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
