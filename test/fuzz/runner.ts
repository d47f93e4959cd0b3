/**
 * Runs a seeded corpus through the real decoders in a pool of worker threads, one case at a time
 * per worker, with a per-case time limit: a worker that does not answer in time is terminated
 * (a hang), one that dies (out of memory, uncaught exception) is a crash; both are replaced.
 * The process's peak RSS is sampled throughout (it covers every worker).
 */
import { Worker } from 'node:worker_threads';
import { DEFAULT_LIMITS, type DecodeLimits } from '../../formats/index.ts';
import { Corpus, type FuzzCase } from './corpus.ts';
import type { CaseReply, CaseRequest } from './worker.ts';

/** Every way a case can end. 'untyped', 'hang' and 'crash' are bugs. */
export type Outcome = 'ok' | 'typed' | 'untyped' | 'hang' | 'crash';

/** One case's result (bytes dropped). */
export interface CaseResult {
  index: number;
  format: FuzzCase['format'];
  seedFile: string;
  kind: string;
  detail: string;
  size: number;
  outcome: Outcome;
  code?: string;
  cause?: string;
  message?: string;
  ms: number;
}

/** Options of runFuzz. */
export interface FuzzOptions {
  cases: number;
  seed: number;
  /** Worker threads (default 2). */
  concurrency?: number;
  /** A case running longer is a hang (default 10 s). */
  timeoutMs?: number;
  /** Decoder limits (default: DEFAULT_LIMITS with 2^26 samples: 512 MiB of float64 at most). */
  limits?: DecodeLimits;
  /** Old-generation heap cap per worker in MiB: beyond it the worker dies (a crash). */
  maxHeapMb?: number;
  onProgress?: (done: number, total: number) => void;
  /** Run only these case indices (e.g. to re-check failures one at a time); default 0..cases-1. */
  indices?: number[];
}

/** The results plus run-level facts. */
export interface FuzzRun {
  results: CaseResult[];
  peakRssBytes: number;
  wallMs: number;
  seed: number;
  limits: DecodeLimits;
  timeoutMs: number;
}

/** Limits the fuzz runs under: checked by the decoders before they allocate. */
export const FUZZ_LIMITS: DecodeLimits = { ...DEFAULT_LIMITS, maxSamples: 2 ** 26 };

const WORKER_URL = new URL('./worker-boot.mjs', import.meta.url);

/** Runs cases 0..cases-1 of seed `seed`. */
export async function runFuzz(opts: FuzzOptions): Promise<FuzzRun> {
  const corpus = new Corpus(opts.seed);
  const limits = opts.limits ?? FUZZ_LIMITS;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const concurrency = opts.concurrency ?? 2;
  const order = opts.indices ?? Array.from({ length: opts.cases }, (_, i) => i);
  const results: CaseResult[] = new Array<CaseResult>(order.length);
  let next = 0;
  let done = 0;
  let peakRss = process.memoryUsage.rss();
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
  }, 20);
  const t0 = performance.now();

  /** A worker that has loaded the decoders' entry (its boot time is no case's time). */
  const spawn = async (): Promise<Worker> => {
    const w = new Worker(WORKER_URL, {
      execArgv: process.execArgv,
      // geotiff.js's web-worker dependency reads workerData.mod in any worker thread
      workerData: {},
      resourceLimits: { maxOldGenerationSizeMb: opts.maxHeapMb ?? 2048 },
    });
    await new Promise<void>((resolve, reject) => {
      w.once('message', () => resolve());
      w.once('error', reject);
    });
    return w;
  };

  /** One lane: a worker taking cases until none are left (replaced after a hang or a crash). */
  async function lane(): Promise<void> {
    let worker = await spawn();
    try {
      for (;;) {
        const slot = next++;
        if (slot >= order.length) return;
        const i = order[slot] as number;
        const c = corpus.case(i);
        const base = {
          index: i,
          format: c.format,
          seedFile: c.seedFile,
          kind: c.kind,
          detail: c.detail,
          size: c.bytes.length,
        };
        const started = performance.now();
        const ended = await new Promise<
          { reply: CaseReply } | { outcome: 'hang' | 'crash'; message: string }
        >((resolve) => {
          const timer = setTimeout(
            () => resolve({ outcome: 'hang', message: `no answer in ${timeoutMs} ms` }),
            timeoutMs,
          );
          const cleanup = () => {
            clearTimeout(timer);
            worker.off('message', onMessage);
            worker.off('error', onError);
            worker.off('exit', onExit);
          };
          const onMessage = (reply: CaseReply) => {
            cleanup();
            resolve({ reply });
          };
          const onError = (err: Error) => {
            cleanup();
            resolve({ outcome: 'crash', message: `${err.name}: ${err.message}`.slice(0, 600) });
          };
          const onExit = (code: number) => {
            cleanup();
            resolve({ outcome: 'crash', message: `worker exited with code ${code}` });
          };
          worker.on('message', onMessage);
          worker.on('error', onError);
          worker.on('exit', onExit);
          const req: CaseRequest = { id: i, bytes: c.bytes, limits };
          worker.postMessage(req, [c.bytes.buffer as ArrayBuffer]);
        });
        if ('reply' in ended) {
          const { reply } = ended;
          results[slot] = {
            ...base,
            outcome: reply.outcome,
            ms: reply.ms,
            ...(reply.code ? { code: reply.code } : {}),
            ...(reply.cause ? { cause: reply.cause } : {}),
            ...(reply.message && reply.outcome === 'untyped' ? { message: reply.message } : {}),
          };
        } else {
          results[slot] = {
            ...base,
            outcome: ended.outcome,
            message: ended.message,
            ms: performance.now() - started,
          };
          await worker.terminate();
          worker = await spawn();
        }
        done++;
        opts.onProgress?.(done, order.length);
      }
    } finally {
      await worker.terminate();
    }
  }

  try {
    await Promise.all(Array.from({ length: concurrency }, () => lane()));
  } finally {
    clearInterval(sampler);
  }
  return {
    results,
    peakRssBytes: peakRss,
    wallMs: performance.now() - t0,
    seed: opts.seed,
    limits,
    timeoutMs,
  };
}

/** p-th percentile (0..100) of the values, nearest rank. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] as number;
}

/** Cases whose outcome is a bug: an untyped error, a hang or a crash. */
export function failures(run: FuzzRun): CaseResult[] {
  return run.results.filter((r) => r.outcome === 'untyped' || r.outcome === 'hang' || r.outcome === 'crash');
}
