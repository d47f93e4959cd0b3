/**
 * The WebGPU backend's page side: feature detection and a session proxy that talks to a module
 * worker (webgpu.worker.ts) running onnxruntime-web's WebGPU EP. Imports no onnxruntime itself.
 */
import { ModelError, throwIfAborted } from '../errors.ts';
import { detectWebGpu } from './gpu-types.ts';
import { defaultWasmPaths } from './ort-web-session.ts';
import { assertTile } from './tile.ts';
import type { BackendFactory, InferenceSession, TileTensor } from './types.ts';
import type { FromWorker, ToWorker } from './webgpu-protocol.ts';

/** Options for the WebGPU backend. */
export interface WebGpuOptions {
  /** Directory URL of onnxruntime-web's dist files (self-hosted); see OrtWebOptions.wasmPaths. */
  wasmPaths?: string;
  /** URL of the worker module; default webgpu.worker.ts next to this file (bundlers rewrite it). */
  workerUrl?: string | URL;
}

interface Pending {
  resolve: (t: TileTensor) => void;
  reject: (e: unknown) => void;
}

/** A WebGPU session living in its own worker. */
export class WebGpuSession implements InferenceSession {
  readonly backend = 'webgpu' as const;
  private readonly pending = new Map<number, Pending>();
  private nextReq = 1;
  private lostError: ModelError | undefined;
  private onDestroyed: (() => void) | undefined;

  constructor(
    readonly modelId: string,
    readonly scale: number,
    private readonly worker: Worker,
  ) {
    worker.addEventListener('message', (ev: MessageEvent<FromWorker>) => this.onMessage(ev.data));
    worker.addEventListener('error', (ev) =>
      this.failAll(new ModelError('SESSION_FAILED', `worker: ${ev.message}`)),
    );
  }

  /** Set once the GPU device is lost; every later run rejects with it (DEVICE_LOST). */
  get deviceLost(): ModelError | undefined {
    return this.lostError;
  }

  private onMessage(msg: FromWorker): void {
    switch (msg.op) {
      case 'result': {
        const p = this.pending.get(msg.req);
        this.pending.delete(msg.req);
        p?.resolve({ data: msg.data, width: msg.width, height: msg.height, backend: 'webgpu' });
        break;
      }
      case 'error': {
        if (msg.req === undefined) break;
        const p = this.pending.get(msg.req);
        this.pending.delete(msg.req);
        p?.reject(new ModelError(msg.code, msg.message));
        break;
      }
      case 'device-lost':
        this.lostError = new ModelError('DEVICE_LOST', `WebGPU device lost (${msg.reason}): ${msg.message}`);
        this.failAll(this.lostError);
        break;
      case 'device-destroyed':
        this.onDestroyed?.();
        break;
      default:
        break;
    }
  }

  private failAll(err: ModelError): void {
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }

  private post(msg: ToWorker, transfer: Transferable[] = []): void {
    this.worker.postMessage(msg, transfer);
  }

  async run(tile: TileTensor, signal?: AbortSignal): Promise<TileTensor> {
    assertTile(tile);
    throwIfAborted(signal);
    if (this.lostError) throw this.lostError;
    const req = this.nextReq++;
    return new Promise<TileTensor>((resolve, reject) => {
      const onAbort = (): void => {
        // the worker still finishes the tile; its result is dropped
        this.pending.delete(req);
        reject(new ModelError('ABORTED', 'aborted', { cause: signal?.reason }));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const done = (): void => signal?.removeEventListener('abort', onAbort);
      this.pending.set(req, {
        resolve: (t) => {
          done();
          resolve(t);
        },
        reject: (e) => {
          done();
          reject(e);
        },
      });
      // copy: the caller keeps its tile
      this.post({ op: 'run', req, data: tile.data.slice(), width: tile.width, height: tile.height });
    });
  }

  /** Test hook: destroys the GPUDevice onnxruntime-web uses (`ort.env.webgpu.device`) and waits for the loss. */
  destroyDeviceForTesting(): Promise<void> {
    return new Promise((resolve) => {
      this.onDestroyed = resolve;
      this.post({ op: 'destroy-device' });
    });
  }

  async dispose(): Promise<void> {
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, 2000);
      this.worker.addEventListener('message', (ev: MessageEvent<FromWorker>) => {
        if (ev.data.op !== 'disposed') return;
        clearTimeout(t);
        resolve();
      });
      this.post({ op: 'dispose' });
    });
    this.worker.terminate();
    this.failAll(new ModelError('ABORTED', 'session disposed'));
  }
}

/** onnxruntime-web's WebGPU EP in a module worker; `available()` asks navigator.gpu for an adapter. */
export function createWebGpuBackend(options: WebGpuOptions = {}): BackendFactory {
  return {
    id: 'webgpu',
    async available() {
      return (await detectWebGpu()).ok;
    },
    async createSession(model, signal) {
      throwIfAborted(signal);
      const detected = await detectWebGpu();
      if (!detected.ok) throw new ModelError('BACKEND_UNAVAILABLE', detected.reason);
      const url = options.workerUrl ?? new URL('./webgpu.worker.ts', import.meta.url);
      const worker = new Worker(url, { type: 'module' });
      try {
        await new Promise<void>((resolve, reject) => {
          const onMsg = (ev: MessageEvent<FromWorker>): void => {
            if (ev.data.op === 'created') resolve();
            else if (ev.data.op === 'error') reject(new ModelError(ev.data.code, ev.data.message));
          };
          worker.addEventListener('message', onMsg);
          worker.addEventListener('error', (ev) =>
            reject(new ModelError('SESSION_FAILED', `WebGPU worker failed to load: ${ev.message}`)),
          );
          signal?.addEventListener('abort', () => reject(new ModelError('ABORTED', 'aborted')), {
            once: true,
          });
          const bytes = model.bytes.slice();
          worker.postMessage(
            {
              op: 'create',
              id: model.id,
              scale: model.scale,
              bytes,
              wasmPaths: options.wasmPaths ?? defaultWasmPaths(),
            },
            [bytes.buffer],
          );
        });
      } catch (err) {
        worker.terminate();
        throw err;
      }
      return new WebGpuSession(model.id, model.scale, worker);
    },
  };
}
