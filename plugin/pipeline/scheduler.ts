/**
 * Runs tile tasks with bounded concurrency in priority order (visible > prefetch > validation).
 * A task with a key already queued or running is joined, not re-run, so each tile runs once.
 * Every waiter has its own AbortSignal: aborting rejects that waiter at once; when no waiter is
 * left, a queued task is dropped and a running one has its signal fired (its result is discarded).
 */
import { PipelineError } from './errors.ts';

/** Why a tile is wanted; lower rank runs first. */
export type Priority = 'visible' | 'prefetch' | 'validation';

const RANK: Record<Priority, number> = { visible: 0, prefetch: 1, validation: 2 };

/** The work of one tile; it should stop early when `signal` fires. */
export type TaskRun<T> = (signal: AbortSignal) => Promise<T>;

/** Options of one submission. */
export interface SubmitOptions {
  priority?: Priority;
  signal?: AbortSignal;
}

/** Progress of a batch: tiles finished so far, out of how many. */
export interface BatchProgress {
  done: number;
  total: number;
  key: string;
}

interface Waiter {
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

interface Task {
  key: string;
  run: TaskRun<unknown>;
  rank: number;
  seq: number;
  state: 'queued' | 'running';
  controller: AbortController;
  waiters: Set<Waiter>;
}

const aborted = (signal: AbortSignal) =>
  new PipelineError('ABORTED', 'enhancement was aborted', { cause: signal.reason });

/** A priority queue of tile tasks with at most `concurrency` running at once. */
export class TileScheduler {
  readonly concurrency: number;
  private readonly tasks = new Map<string, Task>();
  private active = 0;
  private seq = 0;
  /** Keys in the order they started running, the latest 1024 (diagnostics and tests). */
  readonly started: string[] = [];

  constructor(options: { concurrency?: number } = {}) {
    this.concurrency = options.concurrency ?? 1;
    if (!Number.isInteger(this.concurrency) || this.concurrency < 1) {
      throw new PipelineError('INVALID_REQUEST', `concurrency must be a positive integer`);
    }
  }

  /** Tasks running now. */
  get running(): number {
    return this.active;
  }

  /** Tasks waiting for a slot. */
  get queued(): number {
    let n = 0;
    for (const t of this.tasks.values()) if (t.state === 'queued') n++;
    return n;
  }

  /** Queues (or joins) the task `key`; resolves with its result or rejects (ABORTED, or its error). */
  submit<T>(key: string, run: TaskRun<T>, options: SubmitOptions = {}): Promise<T> {
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(aborted(signal));
    const { promise, leave } = this.join(key, run, RANK[options.priority ?? 'visible']);
    if (!signal) return promise;
    const onAbort = () => leave(aborted(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    // the listener must not outlive the task on a long-lived signal
    const cleanup = () => signal.removeEventListener('abort', onAbort);
    promise.then(cleanup, cleanup);
    return promise;
  }

  /**
   * Runs a batch of tasks at one priority and resolves with their results in order. The first
   * failure aborts the rest; `onProgress` is never called after the batch was aborted or failed.
   */
  async runAll<T>(
    tasks: Array<{ key: string; run: TaskRun<T> }>,
    options: SubmitOptions & {
      onProgress?: (p: BatchProgress) => void;
      /** Called with each result as it arrives (before onProgress), e.g. to stitch it at once. */
      onResult?: (value: T, index: number) => void;
    } = {},
  ): Promise<T[]> {
    const { signal } = options;
    if (signal?.aborted) throw aborted(signal);
    const rank = RANK[options.priority ?? 'visible'];
    const joined = tasks.map((t) => this.join(t.key, t.run, rank));
    let stopped = false;
    // one listener for the whole batch (not one per tile)
    const stop = (reason: unknown) => {
      if (stopped) return;
      stopped = true;
      for (const j of joined) j.leave(reason);
    };
    const onAbort = () => stop(aborted(signal as AbortSignal));
    signal?.addEventListener('abort', onAbort, { once: true });
    let done = 0;
    try {
      return await Promise.all(
        joined.map((j, i) =>
          j.promise.then((v) => {
            if (stopped) return v;
            options.onResult?.(v, i);
            options.onProgress?.({
              done: ++done,
              total: tasks.length,
              key: (tasks[i] as { key: string }).key,
            });
            return v;
          }),
        ),
      );
    } catch (err) {
      stop(err);
      throw err;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Adds a waiter to task `key` (creating it); `leave` rejects that waiter and drops unwanted tasks. */
  private join<T>(
    key: string,
    run: TaskRun<T>,
    rank: number,
  ): { promise: Promise<T>; leave: (reason: unknown) => void } {
    let task = this.tasks.get(key);
    if (!task) {
      task = {
        key,
        run: run as TaskRun<unknown>,
        rank,
        seq: this.seq++,
        state: 'queued',
        controller: new AbortController(),
        waiters: new Set(),
      };
      this.tasks.set(key, task);
    } else if (rank < task.rank) {
      task.rank = rank; // a more urgent request for the same tile promotes it
    }
    const t = task;
    let waiter!: Waiter;
    const promise = new Promise<T>((resolve, reject) => {
      waiter = { resolve: resolve as (v: unknown) => void, reject };
      t.waiters.add(waiter);
    });
    queueMicrotask(() => this.pump());
    const leave = (reason: unknown) => {
      if (!t.waiters.delete(waiter)) return;
      waiter.reject(reason);
      if (t.waiters.size === 0) this.cancel(t);
    };
    return { promise, leave };
  }

  private cancel(task: Task): void {
    if (this.tasks.get(task.key) === task) this.tasks.delete(task.key);
    task.controller.abort(new PipelineError('ABORTED', `tile ${task.key} is no longer wanted`));
  }

  private next(): Task | undefined {
    let best: Task | undefined;
    for (const t of this.tasks.values()) {
      if (t.state !== 'queued') continue;
      if (!best || t.rank < best.rank || (t.rank === best.rank && t.seq < best.seq)) best = t;
    }
    return best;
  }

  private pump(): void {
    while (this.active < this.concurrency) {
      const task = this.next();
      if (!task) return;
      task.state = 'running';
      this.active++;
      this.started.push(task.key);
      // diagnostics only: keep the most recent keys so a long-lived viewer does not grow without bound
      if (this.started.length > 1024) this.started.splice(0, this.started.length - 1024);
      const settle = (ok: boolean, value: unknown) => {
        this.active--;
        if (this.tasks.get(task.key) === task) this.tasks.delete(task.key);
        // a cancelled task has no waiters left: its late result goes nowhere
        for (const w of task.waiters) (ok ? w.resolve : w.reject)(value);
        task.waiters.clear();
        this.pump();
      };
      Promise.resolve()
        .then(() => task.run(task.controller.signal))
        .then(
          (v) => settle(true, v),
          (e) => settle(false, e),
        );
    }
  }
}
