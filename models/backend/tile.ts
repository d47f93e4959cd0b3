/**
 * Checks shared by every backend: tile shape before inference, finiteness after. No onnxruntime here,
 * so the fallback wrapper and tests can use it anywhere.
 */
import { ModelError } from '../errors.ts';
import type { BackendId, TileTensor } from './types.ts';

/** Throws INVALID_INPUT unless the tile is a positive-size single-channel W x H float32 array. */
export function assertTile(tile: TileTensor): void {
  const { width, height, data } = tile;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1)
    throw new ModelError('INVALID_INPUT', `tile size ${width}x${height} is not a positive integer size`);
  if (!(data instanceof Float32Array) || data.length !== width * height)
    throw new ModelError('INVALID_INPUT', `tile data has ${data.length} values, expected ${width}x${height}`);
}

/** The shape of an onnxruntime output tensor we read (node and web share it; no import needed). */
export interface OrtOutput {
  readonly dims: readonly number[];
  readonly type: string;
  readonly data: unknown;
  dispose(): void;
}

/**
 * Turns a model output into the SR tile for `tile`: checks it is float32 [1,1,H*s,W*s], copies the
 * data (onnxruntime may reuse the tensor's buffer) and releases the tensor.
 */
export function srTileFromOutput(
  sr: OrtOutput | undefined,
  tile: TileTensor,
  scale: number,
  modelId: string,
  backend: BackendId,
): TileTensor {
  if (!sr) throw new ModelError('SESSION_FAILED', `${modelId}: no output tensor`);
  const [, , h, w] = sr.dims;
  const data = sr.data;
  if (!(data instanceof Float32Array) || h !== tile.height * scale || w !== tile.width * scale)
    throw new ModelError('SESSION_FAILED', `${modelId}: unexpected output ${sr.type} [${sr.dims.join(',')}]`);
  const result: TileTensor = { data: data.slice(), width: w, height: h, backend };
  sr.dispose();
  return result;
}

/** Index of the first NaN/Inf in `data`, or -1. */
export function firstNonFinite(data: Float32Array): number {
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) return i;
  return -1;
}

/**
 * Runs `task` after every earlier task of the same queue has settled: one inference at a time per
 * session, because concurrent runs on a 2-core machine only add memory pressure.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  /** Queues `task`; its result or error is returned, and never blocks later tasks. */
  run<T>(task: () => Promise<T>): Promise<T> {
    const next = this.tail.then(task, task);
    this.tail = next.catch(() => undefined);
    return next;
  }
}
