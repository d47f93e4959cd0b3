/**
 * `tilesr enhance <DICOMweb series URL> --model ID (--out DIR | --stow STOW_ROOT)`: every instance
 * and frame of a series, enhanced through the same path as a local file (enhanceFile: the writer's
 * checks, the ALREADY_ENHANCED refusal, the derived-DICOM writer) and written as ONE derived series
 * (one new SeriesInstanceUID; each instance its own SourceImageSequence), stored by STOW-RS into the
 * source study or as DIR/<SOPInstanceUID>.dcm. Instances go one at a time, each stored whole before
 * the next starts: on Ctrl-C or a PACS failure the report lists exactly what is stored.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, retrieveSeriesMetadata, type DicomWebClient } from '../dicomweb/client.ts';
import { num, str, TAGS, type DicomJson } from '../dicomweb/json.ts';
import { retrieveInstance } from '../dicomweb/retrieve.ts';
import { checkStored, stow } from '../dicomweb/stow.ts';
import { parseSeriesUrl } from '../dicomweb/url.ts';
import { DicomWebError } from '../dicomweb/errors.ts';
import { createSession } from '../models/backend/select.ts';
import { loadModel } from '../models/registry.ts';
import { readDicomProvenance } from '../plugin/export/dicom.ts';
import { newUid } from '../plugin/export/dicom-values.ts';
import { getWriter } from '../plugin/export/index.ts';
import { parse, parseIntOption } from './args.ts';
import { checkBackend, enhanceFile, modelFromOptions, type EnhanceFileOptions } from './commands/enhance.ts';
import { dicomwebHeaders, HEADER_OPTION } from './dicomweb-options.ts';
import { UsageError } from './errors.ts';
import type { CommandContext } from './main.ts';
import { writeFileAtomic } from './output.ts';

/** One source instance of the series, in InstanceNumber order. */
export interface SeriesInstance {
  sopInstanceUID: string;
  instanceNumber: number | undefined;
  rows: number | undefined;
  columns: number | undefined;
  frames: number;
  sopClassUID: string | undefined;
}

/** One derived instance written. */
export interface StoredInstance {
  sopInstanceUID: string;
  source: string;
  /** 1-based frame of the source. */
  frame: number;
  /** The file (--out DIR). */
  path?: string;
}

/** What a series run did so far: filled as it goes, so a failed run still reports what is stored. */
export interface SeriesReport {
  study: string;
  sourceSeries: string;
  /** The derived series' SeriesInstanceUID (one for every instance). */
  series: string;
  /** Derived instances to write (one per source frame). */
  total: number;
  stored: StoredInstance[];
  /** 'stow' (into the source study) or 'files'. */
  sink: 'stow' | 'files';
}

/** Options of enhanceSeries besides the enhancement options every file gets. */
export interface SeriesOptions extends Omit<
  EnhanceFileOptions,
  'writer' | 'frame' | 'series' | 'window' | 'band'
> {
  url: string;
  headers: Record<string, string>;
  /** --out DIR, or --stow STOW_ROOT (exactly one). */
  outDir?: string;
  stowRoot?: string;
  /** Appended to the derived series' SeriesDescription (the batch queue's idempotency tag). */
  seriesDescriptionSuffix?: string;
  /** Called after each derived instance is stored. */
  onStored?: (s: StoredInstance, report: SeriesReport) => void;
}

/** The instances of a series (WADO-RS series metadata), in InstanceNumber then UID order. */
export async function listSeries(
  client: DicomWebClient,
  study: string,
  series: string,
  signal?: AbortSignal,
): Promise<{ instances: SeriesInstance[]; metadata: DicomJson[] }> {
  const metadata = await retrieveSeriesMetadata(client, study, series, signal);
  const instances = metadata
    .map((ds) => ({
      sopInstanceUID: str(ds, TAGS.SOPInstanceUID) ?? '',
      instanceNumber: num(ds, TAGS.InstanceNumber),
      rows: num(ds, TAGS.Rows),
      columns: num(ds, TAGS.Columns),
      frames: num(ds, TAGS.NumberOfFrames) ?? 1,
      sopClassUID: str(ds, TAGS.SOPClassUID),
    }))
    .filter((i) => i.sopInstanceUID !== '')
    .sort(
      (a, b) =>
        (a.instanceNumber ?? Infinity) - (b.instanceNumber ?? Infinity) ||
        a.sopInstanceUID.localeCompare(b.sopInstanceUID),
    );
  if (instances.length === 0)
    throw new DicomWebError('DICOMWEB_HTTP', `series ${series} of study ${study} has no instances`, {
      status: 404,
    });
  return { instances, metadata };
}

/**
 * Enhances every instance and frame of the series at `o.url` into one derived series; `report` is
 * filled as instances are stored (read it after a failure). A STOW request, once sent, is never cut
 * by the signal, so an instance is stored whole or not at all.
 */
export async function enhanceSeries(o: SeriesOptions, report: SeriesReport): Promise<void> {
  const { study, series, root } = parseSeriesUrl(o.url);
  // the headers stay with the clients: nothing below hands them to the enhancement or the writer
  const {
    url: _url,
    headers: _headers,
    outDir: _outDir,
    stowRoot: _stowRoot,
    seriesDescriptionSuffix: descriptionSuffix,
    onStored,
    ...fileOptions
  } = o;
  const { signal } = o;
  const source = createClient({ root, headers: o.headers });
  const sink = o.stowRoot === undefined ? undefined : createClient({ root: o.stowRoot, headers: o.headers });
  const { instances } = await listSeries(source, study, series, signal);
  report.total = instances.reduce((n, i) => n + i.frames, 0);
  const writer = await getWriter('dicom');
  const tmp = await mkdtemp(join(tmpdir(), 'tilesr-series-'));
  // one session for the whole series (opened once, not per instance)
  const session =
    o.session ?? (await createSession(await loadModel(o.entry, signal), { preference: o.backend }, signal));
  try {
    if (o.outDir !== undefined) await mkdir(o.outDir, { recursive: true });
    for (const inst of instances) {
      const bytes = await retrieveInstance(source, study, series, inst.sopInstanceUID, { signal });
      const src = join(tmp, 'source.dcm');
      await writeFile(src, bytes);
      for (let frame = 0; frame < inst.frames; frame++) {
        const out = join(tmp, 'derived.dcm');
        await enhanceFile(src, out, {
          ...fileOptions,
          session,
          writer,
          frame,
          series: { uid: report.series, descriptionSuffix },
        });
        const derived = new Uint8Array(await readFile(out));
        const uid = readDicomProvenance(derived).SOPInstanceUID;
        if (typeof uid !== 'string') throw new UsageError('the derived instance has no SOPInstanceUID');
        const stored: StoredInstance = { sopInstanceUID: uid, source: inst.sopInstanceUID, frame: frame + 1 };
        if (signal.aborted)
          throw new DicomWebError('ABORTED', 'interrupted before storing the next instance');
        if (sink) {
          // no signal here: a sent STOW completes (or fails) whole, so nothing is half-stored
          checkStored(await stow(sink, [derived], { study }), [uid]);
        } else {
          stored.path = join(o.outDir as string, `${uid}.dcm`);
          await writeFileAtomic(stored.path, derived);
        }
        report.stored.push(stored);
        onStored?.(stored, report);
      }
    }
  } finally {
    if (!o.session) await session.dispose();
    await rm(tmp, { recursive: true, force: true });
  }
}

/** The report as printed (--json and on failure). */
function reportJson(r: SeriesReport, complete: boolean) {
  return {
    complete,
    study_instance_uid: r.study,
    source_series_instance_uid: r.sourceSeries,
    series_instance_uid: r.series,
    sink: r.sink,
    total: r.total,
    stored: r.stored.map((s) => ({
      sop_instance_uid: s.sopInstanceUID,
      source_sop_instance_uid: s.source,
      frame: s.frame,
      ...(s.path ? { path: s.path } : {}),
    })),
  };
}

/** Runs `enhance <series URL>`. */
export async function enhanceSeriesCommand(argv: string[], context: CommandContext): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      model: { type: 'string' },
      'model-file': { type: 'string' },
      variant: { type: 'string', default: 'fidelity' },
      tile: { type: 'string' },
      backend: { type: 'string', default: 'auto' },
      out: { type: 'string' },
      stow: { type: 'string' },
      'burn-in': { type: 'boolean', default: false },
      ...HEADER_OPTION,
    },
    1,
  );
  const url = positionals[0] as string;
  if ((values.out === undefined) === (values.stow === undefined))
    throw new UsageError('a series URL needs exactly one of --out DIR or --stow STOW_ROOT');
  if (values.stow !== undefined && !/^https?:\/\//i.test(values.stow))
    throw new UsageError('--stow wants the DICOMweb root, e.g. http://pacs/dicom-web');
  const tile = parseIntOption('tile', values.tile);
  if (tile === 0) throw new UsageError('--tile must be > 0');
  const backend = checkBackend(values.backend);
  const headers = dicomwebHeaders(values.header);
  const { study, series } = parseSeriesUrl(url);
  const entry = await modelFromOptions(values);

  const controller = new AbortController();
  const onSigint = () => controller.abort(new Error('interrupted'));
  process.once('SIGINT', onSigint);
  const report: SeriesReport = {
    study,
    sourceSeries: series,
    series: newUid(),
    total: 0,
    stored: [],
    sink: values.stow === undefined ? 'files' : 'stow',
  };
  const onStored = (s: StoredInstance, r: SeriesReport) =>
    process.stderr.write(
      `[${r.stored.length}/${r.total}] stored ${s.sopInstanceUID} (source ${s.source} frame ${s.frame})\n`,
    );
  try {
    await enhanceSeries(
      {
        url,
        headers,
        outDir: values.out,
        stowRoot: values.stow,
        entry,
        tile,
        backend,
        burnIn: values['burn-in'],
        signal: controller.signal,
        onStored,
      },
      report,
    );
  } catch (e) {
    const where = report.sink === 'stow' ? `in study ${report.study}` : `in ${values.out as string}`;
    process.stderr.write(
      `stopped: ${report.stored.length} of ${report.total || '?'} derived instances stored in series ${report.series} ${where}` +
        (report.stored.length ? `: ${report.stored.map((s) => s.sopInstanceUID).join(', ')}` : '') +
        '\n',
    );
    if (context.json) process.stdout.write(JSON.stringify(reportJson(report, false)) + '\n');
    throw e;
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
  if (context.json) process.stdout.write(JSON.stringify(reportJson(report, true)) + '\n');
  process.stderr.write(
    `stored series ${report.series}: ${report.stored.length} derived instances ` +
      (report.sink === 'stow' ? `in study ${report.study} (STOW-RS)` : `in ${values.out as string}`) +
      '\n',
  );
  return 0;
}
