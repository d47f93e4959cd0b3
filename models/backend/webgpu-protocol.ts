/** Messages between the WebGPU client (webgpu.ts) and its module worker (webgpu.worker.ts). */
import type { ModelErrorCode } from '../errors.ts';

/** Client -> worker. */
export type ToWorker =
  | { op: 'create'; id: string; scale: number; bytes: Uint8Array; wasmPaths?: string }
  | { op: 'run'; req: number; data: Float32Array; width: number; height: number }
  /** Test hook: destroy the GPUDevice onnxruntime-web uses, as a driver reset would. */
  | { op: 'destroy-device' }
  | { op: 'dispose' };

/** Worker -> client. */
export type FromWorker =
  | { op: 'created' }
  | { op: 'result'; req: number; data: Float32Array; width: number; height: number }
  | { op: 'error'; req?: number; code: ModelErrorCode; message: string }
  | { op: 'device-lost'; reason: string; message: string }
  | { op: 'device-destroyed' }
  | { op: 'disposed' };
