/**
 * The window side of DICOM decoding in a worker: one module worker per open file, reads queued and
 * sent one at a time. Aborting a read that is running terminates the worker (the only way to stop a
 * synchronous wasm decode) and a fresh one is started, from the kept bytes, for the reads after it.
 */
import { FormatError } from '../errors.ts';
import type { DecodeLimits, ImageInfo, Raster, RasterSource, ReadOptions } from '../raster.ts';
import type { WorkerRequest, WorkerRequestBody, WorkerResponse } from './worker-protocol.ts';

type Reply = { resolve: (r: WorkerResponse) => void; reject: (e: unknown) => void };

interface Job {
  request: Extract<WorkerRequestBody, { type: 'read' }>;
  resolve: (r: Raster) => void;
  reject: (e: unknown) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

const aborted = () => new FormatError('ABORTED', 'decoding was aborted');

/** A RasterSource whose decoding runs in a module worker. */
export class WorkerDicomSource implements RasterSource {
  info!: ImageInfo;
  private worker: Worker | undefined;
  private replies = new Map<number, Reply>();
  private nextId = 1;
  private queue: Job[] = [];
  private current: Job | undefined;
  private closed = false;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly limits: DecodeLimits,
  ) {}

  /** Starts a worker and sends it the file; resolves with the header (or the open error). */
  start(): Promise<ImageInfo> {
    const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
    this.worker = worker;
    worker.onmessage = (e: MessageEvent<WorkerResponse>) => {
      const reply = this.replies.get(e.data.id);
      this.replies.delete(e.data.id);
      reply?.resolve(e.data);
    };
    worker.onerror = (e: ErrorEvent) => {
      e.preventDefault();
      this.fail(new FormatError('IO_ERROR', `DICOM worker failed: ${e.message || 'could not load'}`));
    };
    // structured clone copies the bytes: this side keeps them to restart a worker after an abort
    return this.call({ type: 'open', bytes: this.bytes, limits: this.limits }).then((r) => {
      if ('info' in r) return r.info;
      throw new FormatError('CORRUPT_DATA', 'DICOM worker answered open without a header');
    });
  }

  private call(req: WorkerRequestBody): Promise<WorkerResponse & { ok: true }> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      // the worker was terminated (abort, close) between scheduling and sending: never wait forever
      if (!this.worker)
        return reject(this.closed ? new FormatError('ABORTED', 'DICOM source is closed') : aborted());
      this.replies.set(id, {
        resolve: (r) => (r.ok ? resolve(r) : reject(new FormatError(r.code, r.message))),
        reject,
      });
      const msg: WorkerRequest = { ...req, id };
      this.worker.postMessage(msg);
    });
  }

  /** Rejects everything in flight and drops the worker. */
  private fail(err: unknown): void {
    this.worker?.terminate();
    this.worker = undefined;
    const replies = [...this.replies.values()];
    this.replies.clear();
    for (const r of replies) r.reject(err);
  }

  read(options: ReadOptions = {}): Promise<Raster> {
    if (this.closed) return Promise.reject(new FormatError('ABORTED', 'DICOM source is closed'));
    if (options.signal?.aborted) return Promise.reject(aborted());
    return new Promise<Raster>((resolve, reject) => {
      const job: Job = {
        request: {
          type: 'read',
          frame: options.frame ?? 0,
          ...(options.window ? { window: options.window } : {}),
        },
        resolve,
        reject,
        ...(options.signal ? { signal: options.signal } : {}),
      };
      job.onAbort = () => this.abort(job);
      job.signal?.addEventListener('abort', job.onAbort, { once: true });
      this.queue.push(job);
      this.pump();
    });
  }

  private abort(job: Job): void {
    if (job === this.current) {
      this.current = undefined;
      this.fail(aborted()); // terminates the running decode; the reply handler rejects the job
    } else {
      this.queue = this.queue.filter((j) => j !== job);
      job.reject(aborted());
    }
    this.pump();
  }

  private pump(): void {
    if (this.current || this.closed) return;
    const job = this.queue.shift();
    if (!job) return;
    this.current = job;
    const settle = (fn: () => void) => {
      job.signal?.removeEventListener('abort', job.onAbort as () => void);
      if (this.current === job) this.current = undefined;
      fn();
      this.pump();
    };
    const restart = this.worker ? Promise.resolve() : this.start().then(() => undefined);
    restart
      .then(() => this.call(job.request))
      .then(
        (r) => settle(() => ('raster' in r ? job.resolve(r.raster) : job.reject(new Error('no raster')))),
        (err: unknown) => settle(() => job.reject(err)),
      );
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const j of this.queue) j.reject(new FormatError('ABORTED', 'DICOM source is closed'));
    this.queue = [];
    this.fail(new FormatError('ABORTED', 'DICOM source is closed'));
  }
}

/** Opens a DICOM file in a new module worker; the signal cancels the opening. */
export async function openDicomInWorker(
  bytes: Uint8Array,
  limits: DecodeLimits,
  signal?: AbortSignal,
): Promise<RasterSource> {
  if (signal?.aborted) throw aborted();
  const source = new WorkerDicomSource(bytes, limits);
  const onAbort = () => void source.close();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    source.info = await source.start();
    return source;
  } catch (err) {
    await source.close();
    throw signal?.aborted ? aborted() : err;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}
