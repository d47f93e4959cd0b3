/**
 * Fuzz worker thread: decodes one case per message through the public entry (openRaster -> read
 * up to two frames and a window), and reports how it ended. Runs in a worker so that the runner can
 * kill a hang (a synchronous endless loop cannot be interrupted from inside its own thread).
 */
import { parentPort } from 'node:worker_threads';
import { FormatError, openRaster, type DecodeLimits } from '../../formats/index.ts';

/** A case sent to the worker. */
export interface CaseRequest {
  id: number;
  bytes: Uint8Array;
  limits: DecodeLimits;
}

/** How a case ended inside the worker ('hang' and 'crash' are decided by the runner). */
export interface CaseReply {
  id: number;
  outcome: 'ok' | 'typed' | 'untyped';
  code?: string;
  /** For typed errors: the constructor name of a wrapped non-FormatError cause (e.g. 'TypeError'). */
  cause?: string;
  message?: string;
  ms: number;
  heapUsed: number;
  arrayBuffers: number;
}

async function decode(bytes: Uint8Array, limits: DecodeLimits): Promise<void> {
  const src = await openRaster(bytes, { limits });
  try {
    const { width, height, frames } = src.info;
    for (let f = 0; f < Math.min(frames, 2); f++) await src.read({ frame: f });
    if (width > 2 && height > 2)
      await src.read({ window: { x: 1, y: 1, width: Math.ceil(width / 2), height: Math.ceil(height / 2) } });
  } finally {
    await src.close();
  }
}

parentPort?.on('message', (req: CaseRequest) => {
  const t0 = performance.now();
  const done = (r: Omit<CaseReply, 'id' | 'ms' | 'heapUsed' | 'arrayBuffers'>) => {
    const m = process.memoryUsage();
    const reply: CaseReply = {
      id: req.id,
      ms: performance.now() - t0,
      heapUsed: m.heapUsed,
      arrayBuffers: m.arrayBuffers,
      ...r,
    };
    parentPort?.postMessage(reply);
  };
  decode(req.bytes, req.limits).then(
    () => done({ outcome: 'ok' }),
    (err: unknown) => {
      if (err instanceof FormatError) {
        const cause = err.cause;
        const internal =
          cause instanceof Error && !(cause instanceof FormatError) ? cause.constructor.name : undefined;
        done({
          outcome: 'typed',
          code: err.code,
          message: err.message.slice(0, 300),
          ...(internal ? { cause: internal } : {}),
        });
      } else {
        const e = err instanceof Error ? err : new Error(String(err));
        done({
          outcome: 'untyped',
          message: `${e.name}: ${e.message}\n${(e.stack ?? '').split('\n').slice(1, 6).join('\n')}`.slice(
            0,
            1200,
          ),
        });
      }
    },
  );
});

// boot (tsx compile, module loading) is not part of any case's time
parentPort?.postMessage({ ready: true });
