/**
 * Fuzz worker thread: decodes one case per message through the public entry (openRaster -> read
 * up to two frames and a window), and reports how it ended. Runs in a worker so that the runner can
 * kill a hang (a synchronous endless loop cannot be interrupted from inside its own thread).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parentPort } from 'node:worker_threads';
import { UsageError } from '../../cli/errors.ts';
import { deriveDataRange, openImage } from '../../cli/images.ts';
import { FormatError, openRaster, type DecodeLimits } from '../../formats/index.ts';
import { ModelError } from '../../models/errors.ts';
import { loadExternalModel, loadModelBytes } from '../../models/registry.ts';
import { ValidationError } from '../../validation/errors.ts';
import { compare } from '../../validation/metrics/index.ts';
import type { FuzzCase } from './corpus.ts';
import { readSample } from './reads.ts';

/** A case sent to the worker. */
export interface CaseRequest {
  id: number;
  format: FuzzCase['format'];
  bytes: Uint8Array;
  /** Model cases: the weights. */
  onnx?: Uint8Array;
  limits: DecodeLimits;
}

/** The repo's typed errors: each carries a stable `code`. */
function typedError(err: unknown): (Error & { code: string }) | undefined {
  return err instanceof FormatError ||
    err instanceof ModelError ||
    err instanceof ValidationError ||
    err instanceof UsageError
    ? err
    : undefined;
}

/** When the current case's clock started; reset after a case's setup (writing its files). */
let t0 = 0;

let scratch: string | undefined;
function scratchDir(): string {
  scratch ??= mkdtempSync(join(tmpdir(), 'tilesr-fuzz-'));
  return scratch;
}

/** The `metrics` path: openImage (format by magic bytes) -> read -> data range -> compare with itself. */
async function metricsInput(bytes: Uint8Array, ext: string): Promise<void> {
  const file = join(scratchDir(), `input.${ext}`);
  writeFileSync(file, bytes);
  t0 = performance.now();
  const img = await openImage(file);
  try {
    const planes = await img.read(0);
    const first = planes[0];
    if (!first) return;
    const range = deriveDataRange(img, first, 'auto');
    for (const p of planes) compare(p, p, { dataRange: range.value, shave: 0 });
  } finally {
    await img.close();
  }
}

/** The `--model-file` path: loadExternalModel (card) -> loadModelBytes (size + sha256 check). */
async function modelInput(card: Uint8Array, onnx: Uint8Array | undefined): Promise<void> {
  const dir = mkdtempSync(join(scratchDir(), 'm-'));
  try {
    writeFileSync(join(dir, 'card.json'), card);
    writeFileSync(join(dir, 'model.onnx'), onnx ?? new Uint8Array(0));
    t0 = performance.now();
    const entry = await loadExternalModel(pathToFileURL(join(dir, 'card.json')));
    await loadModelBytes(entry);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
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
  await readSample(await openRaster(bytes, { limits }));
}

parentPort?.on('message', (req: CaseRequest) => {
  t0 = performance.now();
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
  const run =
    req.format === 'png' || req.format === 'npy'
      ? metricsInput(req.bytes, req.format)
      : req.format === 'model'
        ? modelInput(req.bytes, req.onnx)
        : decode(req.bytes, req.limits);
  run.then(
    () => done({ outcome: 'ok' }),
    (err: unknown) => {
      const typed = typedError(err);
      if (typed) {
        const cause = typed.cause;
        const internal = cause instanceof Error && !typedError(cause) ? cause.constructor.name : undefined;
        done({
          outcome: 'typed',
          code: typed.code,
          message: typed.message.slice(0, 300),
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
