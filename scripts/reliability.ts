/**
 * Hostile input at scale and the soak, with RELIABILITY.md written from what actually ran.
 *
 *   node --import tsx scripts/reliability.ts --cases 6000 --seed 1 --fuzz-json /tmp/fuzz.json
 *   node --import tsx scripts/reliability.ts --soak 4 --soak-json /tmp/soak.json
 *   node --import tsx scripts/reliability.ts --fuzz-json /tmp/fuzz.json --soak-json /tmp/soak.json --report RELIABILITY.md
 *
 * A phase runs when its trigger is given (--cases N, --soak MINUTES) and saves its JSON; without
 * the trigger an existing JSON is read. Exits 1 when any fuzz case was an untyped error, a hang
 * or a crash (each is printed with its seed and index: `Corpus(seed).case(index)` rebuilds it).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, platform, release, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import type { SoakResult } from '../bench/soak.ts';
import { failures, percentile, runFuzz, type CaseResult, type FuzzRun } from '../test/fuzz/runner.ts';

const { values } = parseArgs({
  options: {
    cases: { type: 'string' },
    seed: { type: 'string', default: '1' },
    timeout: { type: 'string', default: '10000' },
    workers: { type: 'string', default: '2' },
    soak: { type: 'string' },
    'fuzz-json': { type: 'string' },
    'soak-json': { type: 'string' },
    report: { type: 'string' },
  },
});

/** The machine, as the report names it. */
export function machine(): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  return `${cpus().length} x ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ${platform()} ${release()}, Node ${process.version}`;
}

interface Saved<T> {
  machine: string;
  date: string;
  data: T;
  /** Fuzz only: each failure run again alone (one worker, 60 s), to tell a load stall from a loop. */
  recheck?: CaseResult[];
}

/** Each failure of a run, run again alone with one worker and a 60 s limit. */
async function recheck(run: FuzzRun): Promise<CaseResult[]> {
  const bad = failures(run);
  if (bad.length === 0) return [];
  const again = await runFuzz({
    cases: 0,
    indices: bad.map((f) => f.index),
    seed: run.seed,
    limits: run.limits,
    timeoutMs: 60_000,
    concurrency: 1,
  });
  return again.results;
}

let fuzz: Saved<FuzzRun> | undefined;
let soak: Saved<SoakResult> | undefined;

if (values.cases) {
  const cases = Number(values.cases);
  let last = 0;
  const run = await runFuzz({
    cases,
    seed: Number(values.seed),
    timeoutMs: Number(values.timeout),
    concurrency: Number(values.workers),
    onProgress: (done, total) => {
      if (done - last >= 250 || done === total) {
        last = done;
        process.stderr.write(`fuzz ${done}/${total}\n`);
      }
    },
  });
  fuzz = { machine: machine(), date: new Date().toISOString(), data: run };
  fuzz.recheck = await recheck(run);
  if (values['fuzz-json']) writeFileSync(values['fuzz-json'], JSON.stringify(fuzz));
  const bad = failures(run);
  for (const f of bad)
    console.log(
      `${f.outcome}: seed ${run.seed} case ${f.index} ${f.kind} ${f.seedFile} (${f.detail}): ${f.message ?? ''}`,
    );
  console.log(`fuzz: ${cases} cases, ${bad.length} failures, ${(run.wallMs / 1000).toFixed(0)} s`);
  if (bad.length > 0) process.exitCode = 1;
} else if (values['fuzz-json']) {
  fuzz = JSON.parse(readFileSync(values['fuzz-json'], 'utf8')) as Saved<FuzzRun>;
  fuzz.recheck ??= await recheck(fuzz.data);
}

if (values.soak) {
  const { runSoak } = await import('../bench/soak.ts');
  const data = await runSoak({ minutes: Number(values.soak), seed: Number(values.seed) });
  soak = { machine: machine(), date: new Date().toISOString(), data };
  if (values['soak-json']) writeFileSync(values['soak-json'], JSON.stringify(soak));
  console.log(JSON.stringify({ ...data, samples: data.samples.length }, null, 1));
} else if (values['soak-json'])
  soak = JSON.parse(readFileSync(values['soak-json'], 'utf8')) as Saved<SoakResult>;

if (values.report) {
  writeFileSync(values.report, report(fuzz, soak));
  console.log(`wrote ${values.report}`);
}

function mib(b: number): string {
  return `${(b / 2 ** 20).toFixed(0)} MiB`;
}
function ms(v: number): string {
  return v >= 100 ? v.toFixed(0) : v.toFixed(1);
}

function table(head: string[], rows: (string | number)[][]): string {
  return [
    `| ${head.join(' | ')} |`,
    `|${head.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

function count<T>(xs: T[], key: (x: T) => string): Map<string, number> {
  const m = new Map<string, number>();
  for (const x of xs) m.set(key(x), (m.get(key(x)) ?? 0) + 1);
  return new Map([...m].sort((a, b) => (a[0] < b[0] ? -1 : 1)));
}

/** What the failure did when run again alone (one worker, 60 s limit), if it was. */
function recheckNote(again: CaseResult[] | undefined, index: number): string {
  const r = again?.find((a) => a.index === index);
  if (!r) return '';
  const how = r.outcome === 'typed' ? `typed ${r.code ?? ''}` : r.outcome;
  return `; alone (1 worker, 60 s limit): ${how} in ${r.ms.toFixed(0)} ms`;
}

function fuzzSection(s: Saved<FuzzRun>): string {
  const run = s.data;
  const rs = run.results;
  const outcomes = ['ok', 'typed', 'untyped', 'hang', 'crash'] as const;
  const formats = ['dicom', 'tiff'] as const;
  const byFormat = formats.map((f) => {
    const of = rs.filter((r) => r.format === f);
    const times = of.map((r) => r.ms);
    return [
      f === 'dicom' ? 'DICOM' : 'TIFF/GeoTIFF',
      of.length,
      ...outcomes.map((o) => of.filter((r) => r.outcome === o).length),
      ms(percentile(times, 50)),
      ms(percentile(times, 99)),
      ms(Math.max(...times)),
    ];
  });
  const codes = count(
    rs.filter((r) => r.outcome === 'typed'),
    (r) => `${r.code ?? '?'}|${r.format}`,
  );
  const codeRows = [...new Set([...codes.keys()].map((k) => k.split('|')[0] as string))].map((code) => [
    `\`${code}\``,
    codes.get(`${code}|dicom`) ?? 0,
    codes.get(`${code}|tiff`) ?? 0,
  ]);
  const kinds = count(rs, (r) => `${r.format} ${r.kind}`);
  const kindRows = [...kinds].map(([k, n]) => {
    const of = rs.filter((r) => `${r.format} ${r.kind}` === k);
    return [
      k,
      n,
      of.filter((r) => r.outcome === 'ok').length,
      of.filter((r) => r.outcome === 'typed').length,
      ms(
        percentile(
          of.map((r) => r.ms),
          99,
        ),
      ),
    ];
  });
  const wrapped = count(
    rs.filter((r) => r.cause),
    (r) => `${r.cause} -> ${r.code}`,
  );
  const bad = failures(run);
  const slow = [...rs].sort((a, b) => b.ms - a.ms).slice(0, 5);
  return `## Hostile input (fuzz)

${rs.length} cases, seed ${run.seed}: mutations of the DICOM and TIFF fixtures (\`test/fuzz/corpus.ts\`),
decoded through \`openRaster\` -> \`read\` (up to 2 frames, then a window) in ${'worker threads'} with a
${run.timeoutMs / 1000} s limit per case; limits \`maxSamples ${run.limits.maxSamples}\`,
\`maxDimension ${run.limits.maxDimension}\`. Run ${s.date} on ${s.machine}, ${(run.wallMs / 1000).toFixed(0)} s wall.
Times include worker-side decoding only (not the corpus generation); the machine was shared with other jobs.

${table(['format', 'cases', 'decoded OK', 'typed FormatError', 'untyped error', 'hang', 'crash', 'p50 ms', 'p99 ms', 'max ms'], byFormat)}

**Peak RSS of the whole run** (main thread + 2 decoding workers): ${mib(run.peakRssBytes)}.
**Failures** (untyped, hang, crash): ${bad.length}.${bad.length > 0 ? '\n\n' + bad.map((f) => `- ${f.outcome} case ${f.index} ${f.kind} ${f.seedFile}: ${f.detail} ${f.message ?? ''}${recheckNote(s.recheck, f.index)}`).join('\n') : ''}

### Errors by code

${table(['code', 'DICOM', 'TIFF'], codeRows)}

### By mutation

${table(['format + mutation', 'cases', 'OK', 'typed', 'p99 ms'], kindRows)}

### Typed errors wrapping an internal exception

A \`FormatError\` whose \`cause\` is not itself a FormatError: the input was refused with a code, but
the first thing to notice was a library's generic exception (worth a precise check one day):

${table(['cause -> code', 'cases'], [...wrapped])}

### Slowest cases

${table(
  ['case', 'mutation', 'seed file', 'detail', 'outcome', 'ms'],
  slow.map((r) => [r.index, r.kind, r.seedFile, r.detail, r.code ?? r.outcome, ms(r.ms)]),
)}
`;
}

function soakSection(s: Saved<SoakResult>): string {
  const d = s.data;
  const first = d.samples[Math.min(d.samples.length - 1, Math.floor(d.samples.length / 10))];
  const last = d.samples[d.samples.length - 1];
  const rows: (string | number)[][] = [
    ['duration', `${(d.wallMs / 60000).toFixed(1)} min`],
    ['files opened (switches)', d.files],
    ['tiles decoded', d.tilesDecoded],
    ['tiles enhanced (completed)', d.tilesEnhanced],
    ['enhancements aborted on purpose', d.aborted],
    ['model/variant switches (new sessions)', d.sessions],
    ['sessions closed', d.sessionsClosed],
    ['unexpected errors', d.errors],
    ['RSS at 10% / end', first && last ? `${mib(first.rss)} / ${mib(last.rss)}` : '-'],
    [
      'heap used at 10% / end (after GC)',
      first && last ? `${mib(first.heapUsed)} / ${mib(last.heapUsed)}` : '-',
    ],
    ['heap drift 10% -> end', `${(d.heapDrift * 100).toFixed(1)} %`],
    ['RSS drift 10% -> end', `${(d.rssDrift * 100).toFixed(1)} %`],
    ['peak RSS', mib(d.peakRss)],
  ];
  return `## Soak

\`npm run bench -- soak\` (or \`--soak MINUTES\` here; \`bench/soak.ts\`): decode random windows of the
fixtures, enhance them with the real onnxruntime-node models through \`enhanceRaster\`, abort a share
of the runs at a random moment, switch model and file now and then, close every session; memory
sampled after a forced GC. Run ${s.date} on ${s.machine}.

${table(['counter', 'value'], rows)}

${d.errorMessages.length > 0 ? 'Unexpected errors:\n\n' + d.errorMessages.map((m) => `- ${m}`).join('\n') + '\n' : ''}`;
}

function report(f: Saved<FuzzRun> | undefined, s: Saved<SoakResult> | undefined): string {
  return `# Reliability

Generated by \`scripts/reliability.ts\` from a real run; do not edit by hand. Regenerate with

\`\`\`
node --import tsx scripts/reliability.ts --cases 6000 --seed 1 --fuzz-json /tmp/fuzz.json
node --expose-gc --import tsx scripts/reliability.ts --soak 4 --soak-json /tmp/soak.json
node --import tsx scripts/reliability.ts --fuzz-json /tmp/fuzz.json --soak-json /tmp/soak.json --report RELIABILITY.md
\`\`\`

\`npm test\` runs a fixed 500-case subset (\`test/fuzz/fuzz.test.ts\`) and fails on any untyped error,
hang or crash; \`test/fuzz/regressions.test.ts\` keeps every case that once failed.

${f ? fuzzSection(f) : '(no fuzz run)\n'}
${s ? soakSection(s) : '(no soak run)\n'}
## Not covered here

- The browser decoders (module worker, GeoTIFF pool) are not fuzzed at this scale; their code paths
  below the worker boundary are the ones fuzzed here.
- PNG/.npy inputs to \`metrics\`, and corrupt model files/cards, are not part of this corpus.
- The soak runs the Node pipeline (onnxruntime-node), not a page with live tiles and WebGPU.
`;
}
