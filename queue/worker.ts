/**
 * The worker loop: pulls jobs from the queue until stopped, one model session per process (the
 * engines keep it), outputs through temp names and renames. `enhance` jobs are idempotent (skipped
 * when the output's sidecar records the same source, model and options); a job whose worker died is
 * taken back by BullMQ's stalled-job check; on stop the current job is finished, or handed back to the
 * queue when stop is asked twice.
 */
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { Job, Queue, WaitingError, Worker } from 'bullmq';
import { errorCode, isAborted } from '../core/errors.ts';
import { TILESR_VERSION } from '../plugin/pipeline/provenance.ts';
import { removeLeftovers, sha256Json, sha256Of, upToDate, writeJsonAtomic, writeSidecar } from './files.ts';
import { jobId } from './jobs.ts';
import type {
  EnhanceJobData,
  SeriesJobData,
  EnhanceOptions,
  ValidateMergeData,
  ValidatePartData,
  ValidatePartResult,
} from './jobs.ts';
import { redact, redisOptions } from './redis.ts';
import { derivedItem } from './stac.ts';
import { derivedTag } from './pacs.ts';
import { parseSeriesUrl } from '../dicomweb/url.ts';

/** One file's measurement: rows for Redis, figures (pixels) kept on disk for the merge. */
export interface MeasuredPart {
  part: unknown;
  figures: unknown[];
}

/** What the worker runs; the CLI provides it (the same code as `tilesr enhance` / `tilesr validate`). */
export interface WorkerEngines {
  /** sha256 of the weights `o` names (checked before any session is opened). */
  modelSha256(o: EnhanceOptions): string;
  /** Enhances `src` into `out` like `tilesr enhance` (temp name + rename); returns the model's scale. */
  enhance(src: string, out: string, o: EnhanceOptions, signal: AbortSignal): Promise<{ scale: number }>;
  /**
   * Enhances a DICOMweb series into one derived series: files in `sink.outDir` or STOW-RS to
   * `sink.stowRoot`, its SeriesDescription ending with `sink.tag`; skipped (nothing stored, `series`
   * the existing one) when the PACS already holds a complete series with that tag (queue/pacs.ts).
   */
  enhanceSeries(
    url: string,
    sink: { outDir?: string; stowRoot?: string; tag?: string },
    o: EnhanceOptions,
    signal: AbortSignal,
  ): Promise<{ series: string; stored: number; skipped?: boolean }>;
  /** Measures one file of a validate batch. */
  measure(d: ValidatePartData): Promise<MeasuredPart>;
  /** Writes the batch's report from the parts in input order (`failed`: the job's typed reason). */
  merge(d: ValidateMergeData, parts: Array<MeasuredPart | { failed: string }>): Promise<void>;
  close(): Promise<void>;
}

/** Worker settings (`tilesr worker` options). */
export interface WorkerConfig {
  redisUrl: string;
  queue: string;
  concurrency: number;
  /** ms a job's lock lasts without renewal; a dead worker's job is taken back after about this. */
  lockDuration: number;
  /** ms between checks for stalled jobs. */
  stalledInterval: number;
  /** Stalls (worker deaths) a job survives before it fails. */
  maxStalledCount: number;
  log: (line: string) => void;
}

/** The message BullMQ stores for a failure: `CODE: message`, so status can report it typed. */
export function typedReason(err: unknown, url?: string): string {
  const code = errorCode(err);
  const message = err instanceof Error ? err.message : String(err);
  return redact(
    `${code && !/^E[A-Z]+$/.test(code) ? code : code ? 'IO_ERROR' : 'INTERNAL'}: ${message}`,
    url,
  );
}

async function runEnhance(d: EnhanceJobData, e: WorkerEngines, signal: AbortSignal) {
  const key = {
    source_sha256: await sha256Of(d.source.src, signal),
    model_sha256: e.modelSha256(d.options),
    options_sha256: sha256Json(d.options),
  };
  if (await upToDate(d.out, key)) return { out: d.out, skipped: true };
  await mkdir(dirname(d.out), { recursive: true });
  await removeLeftovers(d.out);
  const { scale } = await e.enhance(d.source.src, d.out, d.options, signal);
  const stac = d.source.stac;
  if (stac) {
    const facts = {
      model: d.options.model,
      modelSha256: key.model_sha256,
      scale,
      sourceSha256: key.source_sha256,
      version: TILESR_VERSION,
      collection: stac.collection,
    };
    await writeJsonAtomic(d.out.replace(/\.tiff?$/i, '.json'), derivedItem(stac, d.out, facts));
  }
  // last: the sidecar marks the output complete
  await writeSidecar(d.out, key, {
    tilesr_version: TILESR_VERSION,
    model: d.options.model,
    source: d.source.label,
  });
  return { out: d.out, skipped: false };
}

async function runSeries(d: SeriesJobData, e: WorkerEngines, signal: AbortSignal) {
  if (d.stow !== undefined) {
    // the PACS is the only record: the derived series carries the key, found again by QIDO-RS
    const tag = derivedTag(parseSeriesUrl(d.source.src), e.modelSha256(d.options), d.options);
    const r = await e.enhanceSeries(d.source.src, { stowRoot: d.stow, tag }, d.options, signal);
    return { ...r, skipped: r.skipped === true };
  }
  const out = d.out as string;
  // DICOM UIDs name immutable content: the series URL stands for the source's bytes
  const key = {
    source_sha256: sha256Json({ series: d.source.src.split('?')[0] }),
    model_sha256: e.modelSha256(d.options),
    options_sha256: sha256Json(d.options),
  };
  if (await upToDate(out, key)) return { out, skipped: true };
  // we hold the job's lock: instances a killed attempt left are redone
  await rm(out, { recursive: true, force: true });
  const r = await e.enhanceSeries(d.source.src, { outDir: out }, d.options, signal);
  await writeSidecar(out, key, {
    tilesr_version: TILESR_VERSION,
    model: d.options.model,
    source: d.source.label,
  });
  return { ...r, out, skipped: false };
}

async function runPart(d: ValidatePartData, e: WorkerEngines): Promise<ValidatePartResult> {
  const m = await e.measure(d);
  if (d.figures && m.figures.some((f) => f !== undefined && f !== null)) {
    await mkdir(d.figures, { recursive: true });
    await writeJsonAtomic(join(d.figures, `${d.index}.json`), m.figures);
  }
  return { index: d.index, part: m.part };
}

async function runMerge(job: Job<ValidateMergeData>, e: WorkerEngines, url: string) {
  const d = job.data;
  const byIndex = new Map<number, unknown>();
  for (const v of Object.values(await job.getChildrenValues<ValidatePartResult>()))
    byIndex.set(v.index, v.part);
  const failed = new Map<number, string>();
  for (const [key, reason] of Object.entries(await job.getIgnoredChildrenFailures())) {
    const index = Number(key.slice(key.lastIndexOf('-') + 1));
    failed.set(index, redact(reason, url));
  }
  // a merge re-run by retry-failed has only the retried parts as children: the others' results are
  // still on their jobs (kept a week, as the batch)
  const missing = d.files.map((_, i) => i).filter((i) => !byIndex.has(i) && !failed.has(i));
  if (missing.length > 0) {
    const q = new Queue(job.queueName, { connection: redisOptions(url) });
    try {
      for (const i of missing) {
        const part = await Job.fromId<ValidatePartData, ValidatePartResult>(q, jobId(d.batch, i));
        if (part?.returnvalue) byIndex.set(i, part.returnvalue.part);
        else if (part?.failedReason) failed.set(i, redact(part.failedReason, url));
      }
    } finally {
      await q.close();
    }
  }
  const figureFiles = d.figures ? new Set(await readdir(d.figures).catch(() => [] as string[])) : new Set();
  const parts: Array<MeasuredPart | { failed: string }> = [];
  for (let i = 0; i < d.files.length; i++) {
    if (!byIndex.has(i)) {
      parts.push({ failed: failed.get(i) ?? 'JOB_LOST: the part has no result' });
      continue;
    }
    const figures =
      d.figures && figureFiles.has(`${i}.json`)
        ? (JSON.parse(await readFile(join(d.figures, `${i}.json`), 'utf8')) as unknown[])
        : [];
    parts.push({ part: byIndex.get(i), figures });
  }
  await e.merge(d, parts);
  // figures stay while a part failed: a retry-failed merge needs the other parts' figures again
  if (d.figures && parts.every((p) => !('failed' in p)))
    await rm(d.figures, { recursive: true, force: true });
  return { out: d.out.json };
}

/**
 * Runs a worker until `stop` fires (then finishes the jobs in hand) or fires twice via `handBack`
 * (then aborts them and puts them back in the queue for another worker).
 */
export async function runWorker(
  cfg: WorkerConfig,
  engines: WorkerEngines,
  stop: AbortSignal,
  handBack: AbortSignal,
): Promise<void> {
  const url = cfg.redisUrl;
  const processor = async (job: Job, token?: string) => {
    const t0 = performance.now();
    const controller = new AbortController();
    const onHandBack = () => controller.abort(new Error('worker stopping'));
    handBack.addEventListener('abort', onHandBack, { once: true });
    try {
      let result: unknown;
      let note: string;
      if (job.name === 'enhance') {
        const r = await runEnhance(job.data as EnhanceJobData, engines, controller.signal);
        note = `-> ${r.out}${r.skipped ? ' (up to date: skipped)' : ''}`;
        result = r;
      } else if (job.name === 'enhance-series') {
        const r = await runSeries(job.data as SeriesJobData, engines, controller.signal);
        note = `${(job.data as SeriesJobData).source.label} ${r.skipped ? '(up to date: skipped)' : `-> series ${'series' in r ? r.series : ''}`}`;
        result = r;
      } else if (job.name === 'validate-part') {
        result = await runPart(job.data as ValidatePartData, engines);
        note = (job.data as ValidatePartData).file;
      } else if (job.name === 'validate-merge') {
        result = await runMerge(job as Job<ValidateMergeData>, engines, url);
        note = `-> ${(job.data as ValidateMergeData).out.json}`;
      } else throw new Error(`unknown job ${job.name}`);
      cfg.log(`${job.id} ${job.name} ${note} done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      return result;
    } catch (err) {
      if (handBack.aborted && (isAborted(err) || controller.signal.aborted)) {
        // handed back: waiting again, attempts untouched, for another worker
        await job.moveToWait(token);
        cfg.log(`${job.id} ${job.name} handed back`);
        throw new WaitingError();
      }
      const reason = typedReason(err, url);
      cfg.log(`${job.id} ${job.name} attempt ${job.attemptsMade + 1} failed: ${reason.split('\n')[0]}`);
      throw new Error(reason, { cause: err });
    } finally {
      handBack.removeEventListener('abort', onHandBack);
    }
  };
  const worker = new Worker(cfg.queue, processor, {
    connection: redisOptions(url, true),
    concurrency: cfg.concurrency,
    lockDuration: cfg.lockDuration,
    stalledInterval: cfg.stalledInterval,
    maxStalledCount: cfg.maxStalledCount,
    // job.processedBy names the machine and process (status, and the tests' kill -9)
    name: `${hostname()}:${process.pid}`,
  });
  worker.on('error', (err) => cfg.log(`worker error: ${redact(err.message, url)}`));
  await worker.waitUntilReady();
  cfg.log(`worker ${process.pid} ready on queue ${cfg.queue} (concurrency ${cfg.concurrency})`);
  await new Promise<void>((res) =>
    stop.aborted ? res() : stop.addEventListener('abort', () => res(), { once: true }),
  );
  cfg.log(`worker ${process.pid} stopping: finishing ${handBack.aborted ? 'nothing' : 'the jobs in hand'}`);
  await worker.close();
  await engines.close();
}
