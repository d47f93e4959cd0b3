/**
 * `tilesr worker --redis URL [--concurrency N] [--backend …]`: a batch worker (queue/worker.ts) whose
 * engines are the CLI's own `enhance` and `validate` code, with one model session per process reused
 * across jobs. First SIGTERM/SIGINT: finish the jobs in hand and exit; second: hand them back.
 */
import type { BackendPreference, InferenceSession } from '../../models/backend/types.ts';
import { createSession } from '../../models/backend/select.ts';
import { getModel, loadModel } from '../../models/registry.ts';
import { DEFAULT_QUEUE, type ValidatePartData } from '../../queue/jobs.ts';
import { REDIS_URL_ENV, redact } from '../../queue/redis.ts';
import { runWorker, type MeasuredPart, type WorkerEngines } from '../../queue/worker.ts';
import { parse, parseIntOption } from '../args.ts';
import { openModel, type OpenedModel } from '../enhancer.ts';
import { parseReason } from '../../queue/status.ts';
import { UsageError } from '../errors.ts';
import type { ImageFigures } from '../../validation/report/figures.ts';
import { readFile } from 'node:fs/promises';
import { parseSeriesUrl } from '../../dicomweb/url.ts';
import { newUid } from '../../plugin/export/dicom-values.ts';
import { dicomwebHeaders, TOKEN_ENV } from '../dicomweb-options.ts';
import { createClient } from '../../dicomweb/client.ts';
import { findDerived } from '../../queue/pacs.ts';
import { enhanceSeries, listSeries, type SeriesReport } from '../enhance-series.ts';
import { enhanceFile, writerFor } from './enhance.ts';
import { openValidation, writeReports, type ValidationPart, type ValidationRun } from './validate.ts';

const BACKENDS: readonly BackendPreference[] = ['auto', 'node-cpu', 'node-webgpu'];

/** Remembers one value per key (a session per model, a validation run per option set). */
function memo<T>(make: (key: string) => Promise<T>) {
  const made = new Map<string, Promise<T>>();
  const get = (key: string) => {
    let p = made.get(key);
    if (!p) made.set(key, (p = make(key)));
    return p;
  };
  return { get, all: () => Promise.all(made.values()) };
}

/** The worker's engines: `enhance` and `validate` code with sessions kept for the process's life. */
function engines(backend: BackendPreference, threads: number | undefined): WorkerEngines {
  const sessions = memo<InferenceSession>(async (key) => {
    const [id, variant] = key.split('|') as [string, 'fidelity' | 'perceptual'];
    return createSession(await loadModel(getModel(id, variant)), {
      preference: backend,
      nodeThreads: threads,
    });
  });
  // validate's CPU model, opened once per model; closing a run leaves it open for the next job
  const models = memo<OpenedModel>(async (key) => {
    const [id, variant, t] = key.split('|') as [string, 'fidelity' | 'perceptual', string];
    return openModel(id, variant, t ? Number(t) : undefined);
  });
  const shared: typeof openModel = async (id, variant = 'fidelity', t) => ({
    ...(await models.get(`${id}|${variant}|${t ?? ''}`)),
    close: async () => undefined,
  });
  const runs = memo<ValidationRun>(async (key) => {
    const { args, figures } = JSON.parse(key) as { args: string[]; figures: boolean };
    return openValidation(args, shared, figures);
  });
  const runOf = (d: { args: string[]; figures?: string }) =>
    runs.get(JSON.stringify({ args: d.args, figures: d.figures !== undefined }));
  return {
    modelSha256: (o) => getModel(o.model, o.variant).sha256,
    async enhance(src, out, o, signal) {
      const entry = getModel(o.model, o.variant);
      const session = await sessions.get(`${o.model}|${o.variant}`);
      const writer = await writerFor(out, o.pngBits ?? 8);
      const frame = o.frame ?? 0;
      await enhanceFile(src, out, {
        entry,
        writer,
        frame,
        band: o.band,
        tile: o.tile,
        backend,
        session,
        signal,
        burnIn: o.burnIn,
        allowDomainMismatch: o.allowDomainMismatch,
      });
      return { scale: entry.scale };
    },
    async enhanceSeries(url, sink, o, signal) {
      const entry = getModel(o.model, o.variant);
      const session = await sessions.get(`${o.model}|${o.variant}`);
      const { study, series, root } = parseSeriesUrl(url);
      // the token comes from this worker's environment or secret file, never from the job
      const headers = dicomwebHeaders(undefined, { [TOKEN_ENV]: await workerToken() });
      if (sink.stowRoot !== undefined && sink.tag !== undefined) {
        // a rerun: the PACS already holds the complete derived series (one instance per source frame)
        const { instances } = await listSeries(createClient({ root, headers }), study, series, signal);
        const expected = instances.reduce((n, i) => n + i.frames, 0);
        const sinkClient = createClient({ root: sink.stowRoot, headers });
        const found = await findDerived(sinkClient, study, sink.tag, expected, signal);
        if (found !== undefined) return { series: found, stored: 0, skipped: true };
      }
      const report: SeriesReport = {
        study,
        sourceSeries: series,
        series: newUid(),
        total: 0,
        stored: [],
        sink: sink.stowRoot === undefined ? 'files' : 'stow',
      };
      const { tile, burnIn } = o;
      const { outDir, stowRoot, tag } = sink;
      await enhanceSeries(
        {
          url,
          headers,
          outDir,
          stowRoot,
          seriesDescriptionSuffix: tag,
          entry,
          tile,
          backend,
          burnIn,
          session,
          signal,
        },
        report,
      );
      return { series: report.series, stored: report.stored.length };
    },
    async measure(d: ValidatePartData): Promise<MeasuredPart> {
      const run = await runOf(d);
      const { figures, ...part } = await run.measure(d.file, run.maxFigures, d.base);
      return { part, figures };
    },
    async merge(d, measured) {
      const run = await runOf(d);
      const parts: ValidationPart[] = measured.map((m, i) => {
        if ('failed' in m) {
          const file = d.files[i] as string;
          return {
            images: [],
            figures: [],
            inputs: [],
            quantize: null,
            errors: [{ file, ...parseReason(m.failed) }],
          };
        }
        const p = m.part as Omit<ValidationPart, 'figures'>;
        return { ...p, figures: p.images.map((_, k) => m.figures[k] as ImageFigures | undefined) };
      });
      await writeReports(run.report(parts), parts, d.out, run.maxFigures);
    },
    async close() {
      for (const s of await sessions.all()) await s.dispose();
      for (const m of await models.all()) await m.close();
    },
  };
}

/** The DICOMweb bearer token: TILESR_DICOMWEB_TOKEN, else the file TILESR_DICOMWEB_TOKEN_FILE names. */
async function workerToken(): Promise<string | undefined> {
  const file = process.env[`${TOKEN_ENV}_FILE`];
  return process.env[TOKEN_ENV] ?? (file ? (await readFile(file, 'utf8')).trim() : undefined);
}

/** Runs `worker`. */
export async function worker(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    redis: { type: 'string' },
    queue: { type: 'string', default: DEFAULT_QUEUE },
    concurrency: { type: 'string', default: '1' },
    backend: { type: 'string', default: 'auto' },
    threads: { type: 'string' },
    'lock-duration': { type: 'string', default: '30000' },
    'stalled-interval': { type: 'string', default: '30000' },
    'max-stalled': { type: 'string', default: '1' },
  });
  const redisUrl = values.redis ?? process.env[REDIS_URL_ENV];
  if (!redisUrl) throw new UsageError(`--redis URL (or ${REDIS_URL_ENV}) is required`);
  const backend = values.backend as BackendPreference;
  if (!BACKENDS.includes(backend)) throw new UsageError(`--backend must be one of ${BACKENDS.join('|')}`);
  const concurrency = parseIntOption('concurrency', values.concurrency) as number;
  if (concurrency < 1) throw new UsageError('--concurrency must be >= 1');
  const stop = new AbortController();
  const handBack = new AbortController();
  const onSignal = () => (stop.signal.aborted ? handBack.abort() : stop.abort());
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  const log = (line: string) =>
    process.stderr.write(`${new Date().toISOString()} ${redact(line, redisUrl)}\n`);
  try {
    await runWorker(
      {
        redisUrl,
        queue: values.queue,
        concurrency,
        lockDuration: parseIntOption('lock-duration', values['lock-duration']) as number,
        stalledInterval: parseIntOption('stalled-interval', values['stalled-interval']) as number,
        maxStalledCount: parseIntOption('max-stalled', values['max-stalled']) as number,
        log,
      },
      engines(backend, parseIntOption('threads', values.threads)),
      stop.signal,
      handBack.signal,
    );
  } finally {
    process.removeListener('SIGTERM', onSignal);
    process.removeListener('SIGINT', onSignal);
  }
  return 0;
}
