/**
 * Submitting a batch: one BullMQ job per image/series (ids `<batch>-<index>`, listed under the batch
 * in input order), or for validation a flow whose parent merges the parts into one report.
 */
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { FlowProducer, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { writeJsonAtomic } from './files.ts';
import type { Planned } from './inputs.ts';
import {
  batchInfoKey,
  batchJobsKey,
  jobId,
  jobOptions,
  type EnhanceJobData,
  type SeriesJobData,
  type EnhanceOptions,
  type OutFormat,
  type ValidateMergeData,
  type ValidatePartData,
} from './jobs.ts';
import { batchCollection, type StacAsset } from './stac.ts';

const formatOf = (out: string) => out.slice(out.lastIndexOf('.') + 1) as OutFormat;

/** A submitted batch. */
export interface Submitted {
  batch: string;
  jobs: number;
}

/** A fresh batch id: time-ordered, unguessable enough to not collide across submitters. */
export function newBatchId(): string {
  return `b${Date.now().toString(36)}${randomBytes(4).toString('hex')}`;
}

async function record(redis: Redis, queue: string, batch: string, kind: string, ids: string[]) {
  const ttl = 7 * 86400;
  await redis
    .multi()
    .rpush(batchJobsKey(queue, batch), ...ids)
    .expire(batchJobsKey(queue, batch), ttl)
    .hset(batchInfoKey(queue, batch), { kind, total: ids.length, created: new Date().toISOString() })
    .expire(batchInfoKey(queue, batch), ttl)
    .exec();
}

/** Enqueues one `enhance` job per planned output; writes the STAC Collection when sources are STAC. */
export async function submitEnhance(
  redis: Redis,
  queue: string,
  planned: Planned[],
  options: Omit<EnhanceOptions, 'format'>,
  attempts: number,
  batch = newBatchId(),
  stow?: string,
): Promise<Submitted> {
  const stac = planned.filter((p) => p.source.stac);
  const first = stac[0]?.source.stac;
  if (first) {
    const dir = dirname(stac[0]?.out ?? '.');
    await mkdir(dir, { recursive: true });
    const items = stac.map((p) => p.out.replace(/\.tiff?$/i, '.json'));
    const sources = stac.map((p) => p.source.stac as StacAsset);
    await writeJsonAtomic(
      join(dir, 'collection.json'),
      batchCollection(first.collection, dir, items, sources, options.model),
    );
  }
  const q = new Queue<EnhanceJobData | SeriesJobData>(queue, { connection: redis });
  try {
    const ids = planned.map((_, i) => jobId(batch, i));
    await record(redis, queue, batch, 'enhance', ids);
    await q.addBulk(
      planned.map((p, index) => {
        const opts = { ...jobOptions(attempts), jobId: jobId(batch, index) };
        if (p.source.series) {
          const sink = stow !== undefined ? { stow } : { out: p.out };
          const data: SeriesJobData = {
            batch,
            index,
            source: p.source,
            ...sink,
            options: { ...options, format: 'dcm' },
          };
          return { name: 'enhance-series', data, opts };
        }
        const data: EnhanceJobData = {
          batch,
          index,
          source: p.source,
          out: p.out,
          options: { ...options, format: formatOf(p.out) },
        };
        return { name: 'enhance', data, opts };
      }),
    );
    return { batch, jobs: planned.length };
  } finally {
    await q.close();
  }
}

/** What a validate batch needs: files as given (relative to `base`), validate's options, outputs. */
export interface ValidateBatch {
  files: string[];
  base: string;
  args: string[];
  out: ValidateMergeData['out'];
}

/** Enqueues a flow: one `validate-part` per file, the `validate-merge` parent writing the report. */
export async function submitValidate(
  redis: Redis,
  queue: string,
  v: ValidateBatch,
  attempts: number,
  batch = newBatchId(),
): Promise<Submitted> {
  // figures (pixels) never go through Redis: parts leave them beside the report for the merge
  const figures = v.out.report ? join(v.out.report, '..', `.${batch}.figures`) : undefined;
  const merge: ValidateMergeData = { batch, files: v.files, base: v.base, args: v.args, out: v.out, figures };
  const ids = [...v.files.map((_, i) => jobId(batch, i)), jobId(batch, 'merge')];
  await record(redis, queue, batch, 'validate', ids);
  const flow = new FlowProducer({ connection: redis });
  try {
    await flow.add({
      name: 'validate-merge',
      queueName: queue,
      data: merge,
      opts: { ...jobOptions(attempts), jobId: jobId(batch, 'merge') },
      children: v.files.map((file, index) => ({
        name: 'validate-part',
        queueName: queue,
        data: { batch, index, file, base: v.base, args: v.args, figures } satisfies ValidatePartData,
        // a part that fails for good is reported by the merge instead of holding it forever
        opts: { ...jobOptions(attempts), jobId: jobId(batch, index), ignoreDependencyOnFailure: true },
      })),
    });
    return { batch, jobs: ids.length };
  } finally {
    await flow.close();
  }
}
