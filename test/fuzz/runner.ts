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
  /** Extra cases (PNG, .npy, model; `Corpus.extraCase`), run after the DICOM/TIFF ones (default 0). */
  extra?: number;
  /** Run only these extra indices (with `indices`, for re-checks); default 0..extra-1. */
  extraIndices?: number[];
}

/** True for formats numbered by `Corpus.extraCase`. */
export function isExtra(format: FuzzCase['format']): boolean {
  return format === 'png' || format === 'npy' || format === 'model';
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

/**
 * The loader flags of this process (tsx's --import/--require/--loader, --conditions) for the workers:
 * under node's test runner on Node 24 process.execArgv also holds process-wide flags (--secure-heap,
 * --v8-pool-size, ...) that `new Worker` refuses with ERR_WORKER_INVALID_EXEC_ARGV.
 */
function loaderArgs(argv: readonly string[]): string[] {
  const out: string[] = [];
  const keep = /^--(import|require|loader|experimental-loader|conditions)(=|$)/;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (!keep.test(a)) continue;
    out.push(a);
    if (!a.includes('=') && i + 1 < argv.length) out.push(argv[++i] as string);
  }
  return out;
}

/** Runs cases 0..cases-1 of seed `seed`. */
export async function runFuzz(opts: FuzzOptions): Promise<FuzzRun> {
  const corpus = new Corpus(opts.seed);
  const limits = opts.limits ?? FUZZ_LIMITS;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const concurrency = opts.concurrency ?? 2;
  const order: { i: number; extra: boolean }[] = [
    ...(opts.indices ?? Array.from({ length: opts.cases }, (_, i) => i)).map((i) => ({ i, extra: false })),
    ...(opts.extraIndices ?? Array.from({ length: opts.extra ?? 0 }, (_, i) => i)).map((i) => ({
      i,
      extra: true,
    })),
  ];
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
      execArgv: loaderArgs(process.execArgv),
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
        const job = order[slot] as { i: number; extra: boolean };
        const i = job.i;
        const c = job.extra ? corpus.extraCase(i) : corpus.case(i);
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
          // The limit is the worker's time, not the main thread's: while another lane builds a case
          // (a 256 MiB bomb takes seconds) this thread's timers and messages wait. A timer that
          // fires more than a second late re-arms once, and a reply already queued when the timer
          // fires still wins (setImmediate runs after the poll phase that delivers it).
          let rearmed = false;
          const arm = (ms: number): ReturnType<typeof setTimeout> => {
            const due = performance.now() + ms;
            return setTimeout(() => {
              const late = performance.now() - due;
              if (late > 1000 && !rearmed) {
                rearmed = true;
                timer = arm(Math.min(ms, Math.max(2000, late)));
                return;
              }
              setImmediate(() => resolve({ outcome: 'hang', message: `no answer in ${timeoutMs} ms` }));
            }, ms);
          };
          let timer = arm(timeoutMs);
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
          const req: CaseRequest = {
            id: i,
            format: c.format,
            bytes: c.bytes,
            ...(c.onnx ? { onnx: c.onnx } : {}),
            limits,
          };
          const transfer = [c.bytes.buffer as ArrayBuffer];
          if (c.onnx && c.onnx.buffer !== c.bytes.buffer) transfer.push(c.onnx.buffer as ArrayBuffer);
          worker.postMessage(req, transfer);
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
