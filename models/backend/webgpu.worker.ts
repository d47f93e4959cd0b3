/**
 * Module worker hosting onnxruntime-web's WebGPU EP, so GPU submission and readback never block the
 * page. One worker = one session. It watches `device.lost` and reports it; after a loss every run
 * fails with DEVICE_LOST so the client's fallback takes over.
 */
import * as ort from 'onnxruntime-web/webgpu';
import { asModelError, ModelError } from '../errors.ts';
import type { GpuDeviceLike } from './gpu-types.ts';
import { configureOrtWasm } from './ort-web-session.ts';
import { OrtSession } from './ort-session.ts';
import type { FromWorker, ToWorker } from './webgpu-protocol.ts';

interface WorkerScope {
  onmessage: ((ev: MessageEvent<ToWorker>) => void) | null;
  postMessage(msg: FromWorker, transfer?: Transferable[]): void;
  close(): void;
}
const scope = globalThis as unknown as WorkerScope;

let session: OrtSession | undefined;
let device: GpuDeviceLike | undefined;
let lost: { reason: string; message: string } | undefined;

const isDeviceLoss = (msg: string): boolean => /device.*(lost|destroyed)|lost.*device/i.test(msg);

async function create(msg: Extract<ToWorker, { op: 'create' }>): Promise<void> {
  // the GPU worker needs no CPU threads of its own: the model's ops all run on the GPU
  // onnxruntime-web/webgpu is built on the asyncify variant of the runtime
  configureOrtWasm(
    ort.env,
    { wasmPaths: msg.wasmPaths, numThreads: 1 },
    'ort-wasm-simd-threaded.asyncify.wasm',
  );
  const s = await ort.InferenceSession.create(msg.bytes, {
    executionProviders: ['webgpu'],
    graphOptimizationLevel: 'all',
  });
  // no input copy: each tile's buffer was transferred to this worker and is used once
  const makeInput = (d: Float32Array, dims: number[]) => new ort.Tensor('float32', d, dims);
  session = new OrtSession('webgpu', msg.id, msg.scale, s, makeInput, false);
  device = (await ort.env.webgpu.device) as unknown as GpuDeviceLike;
  void device.lost.then((info) => {
    lost = { reason: info.reason, message: info.message };
    scope.postMessage({ op: 'device-lost', reason: info.reason, message: info.message });
  });
}

async function run(msg: Extract<ToWorker, { op: 'run' }>): Promise<void> {
  if (lost) throw new ModelError('DEVICE_LOST', `WebGPU device lost (${lost.reason}): ${lost.message}`);
  if (!session) throw new ModelError('SESSION_FAILED', 'no session');
  try {
    const out = await session.run({ data: msg.data, width: msg.width, height: msg.height });
    scope.postMessage({ op: 'result', req: msg.req, data: out.data, width: out.width, height: out.height }, [
      out.data.buffer,
    ]);
  } catch (err) {
    const text = err instanceof Error ? err.message : String(err);
    if (lost || isDeviceLoss(text))
      throw new ModelError('DEVICE_LOST', `WebGPU device lost during run: ${text}`);
    throw err;
  }
}

scope.onmessage = (ev) => {
  const msg = ev.data;
  const fail = (err: unknown, req?: number, code: 'SESSION_FAILED' = 'SESSION_FAILED'): void => {
    const e = asModelError(err, code, msg.op === 'create' ? `creating ${msg.id} on webgpu` : 'webgpu');
    scope.postMessage({ op: 'error', req, code: e.code, message: e.message });
  };
  switch (msg.op) {
    case 'create':
      create(msg).then(
        () => scope.postMessage({ op: 'created' }),
        (err) => fail(err),
      );
      break;
    case 'run':
      run(msg).catch((err) => fail(err, msg.req));
      break;
    case 'destroy-device':
      if (device) {
        device.destroy();
        // reply once the loss is observed, so a test's next tile deterministically meets it
        void device.lost.then(() => scope.postMessage({ op: 'device-destroyed' }));
      } else scope.postMessage({ op: 'device-destroyed' });
      break;
    case 'dispose':
      void (session?.dispose() ?? Promise.resolve()).finally(() => {
        scope.postMessage({ op: 'disposed' });
        scope.close();
      });
      break;
  }
};
