/**
 * The one onnxruntime session wrapper, shared by onnxruntime-node (node-cpu, node-webgpu) and
 * onnxruntime-web (WASM, and the WebGPU worker). It sees onnxruntime only through the structural
 * shapes below, so neither runtime's module (each with its own native/.wasm payload) is imported here.
 */
import { asModelError, throwIfAborted } from '../errors.ts';
import { assertTile, srTileFromOutput, SerialQueue, type OrtOutput } from './tile.ts';
import type { BackendId, InferenceSession, TileTensor } from './types.ts';

/** An input tensor as both runtimes build it (`new ort.Tensor('float32', data, dims)`). */
export interface OrtInputLike {
  dispose(): void;
}

/** The part of onnxruntime's InferenceSession (node and web alike) that we call. */
export interface OrtSessionLike {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, OrtInputLike>): Promise<Record<string, OrtOutput | undefined>>;
  release(): Promise<void>;
}

/** How one runtime builds a float32 NCHW input tensor. */
export type MakeInput = (data: Float32Array, dims: number[]) => OrtInputLike;

/** An onnxruntime session on any EP: tile checks, serialized runs, output checks, typed errors. */
export class OrtSession implements InferenceSession {
  private readonly queue = new SerialQueue();

  /**
   * @param copyInput hand the runtime a copy of each tile: onnxruntime-web's proxy worker and the
   *   WebGPU worker transfer (detach) input buffers, which must not empty the caller's tile.
   */
  constructor(
    readonly backend: BackendId,
    readonly modelId: string,
    readonly scale: number,
    private readonly session: OrtSessionLike,
    private readonly makeInput: MakeInput,
    private readonly copyInput: boolean,
  ) {}

  /** Runs one tile; runs on one session are serialized (onnxruntime sessions are not re-entrant on the web). */
  async run(tile: TileTensor, signal?: AbortSignal): Promise<TileTensor> {
    assertTile(tile);
    return this.queue.run(async () => {
      throwIfAborted(signal);
      const data = this.copyInput ? tile.data.slice() : tile.data;
      const input = this.makeInput(data, [1, 1, tile.height, tile.width]);
      let out: Record<string, OrtOutput | undefined>;
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

  /** Releases the session after the runs already queued. */
  async dispose(): Promise<void> {
    await this.queue.run(() => this.session.release());
  }
}
