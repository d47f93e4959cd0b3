/**
 * An InferenceSession that lets the page render a frame before each tile. onnxruntime-web's WASM
 * backend keeps the main thread busy during a run, and the scheduler starts the next tile from a
 * microtask, so without a yield cornerstone's requestAnimationFrame loop would starve until the
 * queue is empty: finished tiles would not show and a pan would not be noticed (and its stale tiles
 * not cancelled) until every queued tile had run.
 */
import type { BackendId, InferenceSession, TileTensor } from '../../models/backend/types.ts';
import { PipelineError } from '../pipeline/errors.ts';

/** Resolves after the next animation frame (or 50 ms where frames are throttled, e.g. hidden tabs). */
export function nextFrame(): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 50);
    requestAnimationFrame(() => {
      clearTimeout(timer);
      // after the frame's rendering, not inside the rAF callbacks
      setTimeout(resolve, 0);
    });
  });
}

/** Wraps a session so each `run` first yields a frame and checks its signal again. */
export class YieldingSession implements InferenceSession {
  constructor(readonly inner: InferenceSession) {}

  get backend(): BackendId {
    return this.inner.backend;
  }
  get modelId(): string {
    return this.inner.modelId;
  }
  get scale(): number {
    return this.inner.scale;
  }

  async run(tile: TileTensor, signal?: AbortSignal): Promise<TileTensor> {
    await nextFrame();
    if (signal?.aborted)
      throw new PipelineError('ABORTED', 'tile no longer wanted', { cause: signal.reason });
    return this.inner.run(tile, signal);
  }

  dispose(): Promise<void> {
    return this.inner.dispose();
  }
}
