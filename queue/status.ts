/** A batch's progress read back from BullMQ (job states, attempts, typed failure reasons). */
import { FlowProducer, Job, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { QueueError } from './errors.ts';
import {
  batchInfoKey,
  batchJobsKey,
  jobOptions,
  type ValidateMergeData,
  type ValidatePartData,
} from './jobs.ts';

/** One job that failed for good. */
export interface Failure {
  job: string;
  input: string;
  code: string;
  message: string;
  attempts: number;
}

/** `tilesr queue status --json`. */
export interface BatchStatus {
  batch: string;
  kind: string;
  total: number;
  waiting: number;
  active: number;
  done: number;
  failed: number;
  /** Jobs that needed more than one attempt (a failure retried, or a dead worker's job taken back). */
  retried: number;
  failures: Failure[];
}

/** The input a job is about, as the user gave it. */
function inputOf(job: Job): string {
  const d = job.data as { source?: { label?: string }; file?: string; out?: { json?: string } };
  return (
    d.source?.label ??
    d.file ??
    (job.name === 'validate-merge' ? `report ${d.out?.json ?? ''}` : String(job.id))
  );
}

/** Splits BullMQ's stored reason `CODE: message` (see typedReason). */
export function parseReason(reason: string): { code: string; message: string } {
  const m = /^([A-Z][A-Z0-9_]*): ([\s\S]*)$/.exec(reason);
  return m ? { code: m[1] as string, message: m[2] as string } : { code: 'INTERNAL', message: reason };
}

async function jobsOf(redis: Redis, queue: string, batch: string): Promise<{ kind: string; ids: string[] }> {
  const [info, ids] = await Promise.all([
    redis.hgetall(batchInfoKey(queue, batch)),
    redis.lrange(batchJobsKey(queue, batch), 0, -1),
  ]);
  if (ids.length === 0) throw new QueueError('UNKNOWN_BATCH', `no batch ${batch} on queue ${queue}`);
  return { kind: info.kind ?? 'enhance', ids };
}

/** Reads every job of the batch (in chunks, so big batches do not flood Redis). */
export async function batchStatus(redis: Redis, queue: string, batch: string): Promise<BatchStatus> {
  const { kind, ids } = await jobsOf(redis, queue, batch);
  const q = new Queue(queue, { connection: redis });
  const s: BatchStatus = {
    batch,
    kind,
    total: ids.length,
    waiting: 0,
    active: 0,
    done: 0,
    failed: 0,
    retried: 0,
    failures: [],
  };
  try {
    for (let i = 0; i < ids.length; i += 200) {
      const chunk = ids.slice(i, i + 200);
      const jobs = await Promise.all(chunk.map((id) => Job.fromId(q, id)));
      const states = await Promise.all(chunk.map((id) => q.getJobState(id)));
      jobs.forEach((job, k) => {
        const state = states[k];
        if (state === 'completed') s.done++;
        else if (state === 'failed') s.failed++;
        else if (state === 'active') s.active++;
        else s.waiting++;
        if (!job) return;
        if ((job.attemptsStarted ?? 0) > 1 || job.stalledCounter > 0) s.retried++;
        if (state === 'failed')
          s.failures.push({
            job: String(job.id),
            input: inputOf(job),
            ...parseReason(job.failedReason ?? ''),
            attempts: job.attemptsMade,
          });
      });
    }
  } finally {
    await q.close();
  }
  return s;
}

/** Polls until nothing of the batch waits or runs; QueueError TIMEOUT after `timeoutS`. */
export async function waitBatch(
  redis: Redis,
  queue: string,
  batch: string,
  timeoutS: number | undefined,
  onStatus?: (s: BatchStatus) => void,
): Promise<BatchStatus> {
  const until = timeoutS === undefined ? Infinity : Date.now() + timeoutS * 1000;
  for (;;) {
    const s = await batchStatus(redis, queue, batch);
    onStatus?.(s);
    if (s.waiting + s.active === 0) return s;
    if (Date.now() >= until)
      throw new QueueError(
        'TIMEOUT',
        `batch ${batch}: ${s.done}/${s.total} done, ${s.failed} failed after ${timeoutS} s`,
      );
    await new Promise((r) => setTimeout(r, 500));
  }
}

/**
 * Puts the batch's failed jobs back in the queue (attempts start over); returns how many. A validate
 * batch whose merge already ran gets a new merge over the retried parts (the report is rewritten).
 */
export async function retryFailed(redis: Redis, queue: string, batch: string): Promise<number> {
  const { kind, ids } = await jobsOf(redis, queue, batch);
  const q = new Queue(queue, { connection: redis });
  let n = 0;
  try {
    if (kind === 'validate') {
      const again = await remerge(redis, q, ids);
      if (again !== undefined) return again;
    }
    for (const id of ids) {
      if ((await q.getJobState(id)) !== 'failed') continue;
      await (await Job.fromId(q, id))?.retry('failed');
      n++;
    }
  } finally {
    await q.close();
  }
  return n;
}

/**
 * The failed parts of a validate batch whose merge finished (completed or failed): they and the merge
 * are removed and added again as a flow with the same ids and data, so the merge runs once the parts
 * are done (it reads the untouched parts' results from their jobs). Undefined: nothing of that kind.
 */
async function remerge(redis: Redis, q: Queue, ids: string[]): Promise<number | undefined> {
  const mergeId = ids[ids.length - 1] as string;
  const merge = await Job.fromId<ValidateMergeData>(q, mergeId);
  const mergeState = await q.getJobState(mergeId);
  if (!merge || (mergeState !== 'completed' && mergeState !== 'failed')) return undefined;
  const parts: Job<ValidatePartData>[] = [];
  for (const id of ids.slice(0, -1))
    if ((await q.getJobState(id)) === 'failed') {
      const job = await Job.fromId<ValidatePartData>(q, id);
      if (job) parts.push(job);
    }
  if (parts.length === 0) return undefined;
  const attempts = merge.opts.attempts ?? 1;
  for (const p of parts) await p.remove();
  await merge.remove({ removeChildren: false });
  const flow = new FlowProducer({ connection: redis });
  try {
    await flow.add({
      name: 'validate-merge',
      queueName: q.name,
      data: merge.data,
      opts: { ...jobOptions(attempts), jobId: mergeId },
      children: parts.map((p) => ({
        name: 'validate-part',
        queueName: q.name,
        data: p.data,
        opts: { ...jobOptions(attempts), jobId: String(p.id), ignoreDependencyOnFailure: true },
      })),
    });
  } finally {
    await flow.close();
  }
  return parts.length + 1;
}
