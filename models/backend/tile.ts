/**
 * Checks shared by every backend: tile shape before inference, finiteness after. No onnxruntime here,
 * so the fallback wrapper and tests can use it anywhere.
 */
import { ModelError } from '../errors.ts';
import type { TileTensor } from './types.ts';

/** Throws INVALID_INPUT unless the tile is a positive-size single-channel W x H float32 array. */
export function assertTile(tile: TileTensor): void {
  const { width, height, data } = tile;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1)
    throw new ModelError('INVALID_INPUT', `tile size ${width}x${height} is not a positive integer size`);
  if (!(data instanceof Float32Array) || data.length !== width * height)
    throw new ModelError('INVALID_INPUT', `tile data has ${data.length} values, expected ${width}x${height}`);
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
