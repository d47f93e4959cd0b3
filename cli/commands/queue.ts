/**
 * `tilesr queue submit|status|wait|retry-failed`: the client side of the batch engine (queue/).
 * `submit` turns INPUTs into one job per image/series (or a validate flow with a merge parent) and
 * prints the batch id; the others read the batch back. `--json` is a switch here, except after
 * `submit --validate`, where it names the report as in `tilesr validate`.
 */
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import type { Redis } from 'ioredis';
import { getModel } from '../../models/registry.ts';
import { expandInputs } from '../../queue/inputs.ts';
import { DEFAULT_QUEUE, FORMATS, type OutFormat } from '../../queue/jobs.ts';
import { connect, REDIS_URL_ENV, redact } from '../../queue/redis.ts';
import { batchStatus, retryFailed, waitBatch, type BatchStatus } from '../../queue/status.ts';
import { submitEnhance, submitValidate, newBatchId } from '../../queue/submit.ts';
import { parse, parseIntOption } from '../args.ts';
import { UsageError } from '../errors.ts';
import { collectFiles, OPTIONS as VALIDATE_OPTIONS, parseValidateArgs } from './validate.ts';

const COMMON = {
  redis: { type: 'string' },
  queue: { type: 'string', default: DEFAULT_QUEUE },
} as const;

/** The Redis URL (`--redis` or the environment) and an open connection; errors never show a password. */
async function open(url: string | undefined): Promise<{ url: string; redis: Redis }> {
  const u = url ?? process.env[REDIS_URL_ENV];
  if (!u) throw new UsageError(`--redis URL (or ${REDIS_URL_ENV}) is required`);
  return { url: u, redis: await connect(u) };
}

/** Runs `fn` with a connection, closing it after; any message is redacted. */
async function withRedis<T>(url: string | undefined, fn: (redis: Redis) => Promise<T>): Promise<T> {
  const c = await open(url);
  try {
    return await fn(c.redis);
  } catch (err) {
    if (err instanceof Error) err.message = redact(err.message, c.url);
    throw err;
  } finally {
    c.redis.disconnect();
  }
}

/** Splits `--json` (a switch) out of argv. */
function jsonSwitch(argv: string[]): { json: boolean; rest: string[] } {
  return { json: argv.includes('--json'), rest: argv.filter((a) => a !== '--json') };
}

async function submit(argv: string[]): Promise<number> {
  if (argv.includes('--validate')) return submitValidation(argv.filter((a) => a !== '--validate'));
  const { json, rest } = jsonSwitch(argv);
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    strict: true,
    options: {
      ...COMMON,
      model: { type: 'string' },
      variant: { type: 'string', default: 'fidelity' },
      out: { type: 'string' },
      stow: { type: 'string' },
      format: { type: 'string' },
      bands: { type: 'string' },
      frame: { type: 'string' },
      band: { type: 'string' },
      tile: { type: 'string' },
      'burn-in': { type: 'boolean', default: false },
      'allow-domain-mismatch': { type: 'boolean', default: false },
      'png-bits': { type: 'string' },
      attempts: { type: 'string', default: '3' },
    },
  });
  if (positionals.length === 0)
    throw new UsageError('INPUT... (files, directories, STAC JSON, URLs) is required');
  if (!values.model) throw new UsageError('--model ID is required (see `tilesr models`)');
  const variant = values.variant;
  if (variant !== 'fidelity' && variant !== 'perceptual')
    throw new UsageError(`--variant must be fidelity or perceptual, got "${variant}"`);
  getModel(values.model, variant); // an unknown model fails before anything is queued
  if ((values.out === undefined) === (values.stow === undefined))
    throw new UsageError('give exactly one of --out DIR or --stow STOW_ROOT (DICOMweb series inputs)');
  if (values.stow !== undefined && !/^https?:\/\//i.test(values.stow))
    throw new UsageError('--stow wants the DICOMweb root, e.g. http://pacs/dicom-web');
  const format = values.format as OutFormat | undefined;
  if (format !== undefined && !FORMATS.includes(format))
    throw new UsageError(`--format must be one of ${FORMATS.join('|')}`);
  const pngBits = values['png-bits'] === undefined ? undefined : values['png-bits'] === '16' ? 16 : 8;
  const attempts = parseIntOption('attempts', values.attempts) as number;
  if (attempts < 1) throw new UsageError('--attempts must be >= 1');
  const batch = newBatchId();
  const planned = await expandInputs(positionals, {
    outDir: values.out,
    stow: values.stow,
    format,
    model: values.model,
    assets: values.bands?.split(',').map((s) => s.trim()),
    listDir: (dir) => collectFiles([dir]),
    collection: `tilesr-${batch}`,
  });
  if (planned.length === 0) throw new UsageError('no images in INPUT...');
  const options = {
    model: values.model,
    variant,
    frame: parseIntOption('frame', values.frame),
    band: parseIntOption('band', values.band),
    tile: parseIntOption('tile', values.tile),
    burnIn: values['burn-in'] || undefined,
    pngBits: pngBits as 8 | 16 | undefined,
    allowDomainMismatch: values['allow-domain-mismatch'] || undefined,
  } as const;
  const done = await withRedis(values.redis, (r) =>
    submitEnhance(r, values.queue, planned, options, attempts, batch, values.stow),
  );
  process.stdout.write(json ? JSON.stringify(done) + '\n' : `${done.batch}\n`);
  process.stderr.write(`queued ${done.jobs} job(s) as batch ${done.batch}\n`);
  return 0;
}

/** `submit --validate`: queue options are taken out, the rest is `validate`'s own (checked by its parser). */
async function submitValidation(argv: string[]): Promise<number> {
  const own = new Set(['--redis', '--queue', '--attempts']);
  const mine: Record<string, string> = {};
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (own.has(a)) mine[a.slice(2)] = argv[++i] ?? '';
    else rest.push(a);
  }
  const { values, gt } = parseValidateArgs(rest);
  if (gt.length === 0) throw new UsageError('--gt FILES_OR_DIRS is required');
  if (!values.json) throw new UsageError('--json OUT.json is required');
  const { tokens } = parseArgs({
    args: rest,
    options: VALIDATE_OPTIONS,
    allowPositionals: true,
    strict: true,
    tokens: true,
  });
  // the jobs get validate's options without the inputs and the outputs
  const drop = new Set(['gt', 'json', 'csv', 'report']);
  const args = tokens.flatMap((t) =>
    t.kind === 'option' && !drop.has(t.name)
      ? [t.value === undefined ? t.rawName : `${t.rawName}=${t.value}`]
      : [],
  );
  const files = await collectFiles(gt);
  if (files.length === 0) throw new UsageError('no image files under --gt');
  const attempts = parseIntOption('attempts', mine.attempts ?? '3') as number;
  const out = {
    json: resolve(values.json),
    csv: values.csv ? resolve(values.csv) : undefined,
    report: values.report ? resolve(values.report) : undefined,
  };
  const done = await withRedis(mine.redis, (r) =>
    submitValidate(r, mine.queue ?? DEFAULT_QUEUE, { files, base: process.cwd(), args, out }, attempts),
  );
  process.stdout.write(JSON.stringify(done) + '\n');
  process.stderr.write(`queued ${done.jobs - 1} part(s) + 1 merge as batch ${done.batch}\n`);
  return 0;
}

/** One line: `[####....] 7/12 done · 1 active · 0 failed · 2 retried`. */
function bar(s: BatchStatus): string {
  const width = 30;
  const fill = Math.round(((s.done + s.failed) / Math.max(1, s.total)) * width);
  return `[${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${s.done}/${s.total} done · ${s.active} active · ${s.waiting} waiting · ${s.failed} failed · ${s.retried} retried`;
}

function printStatus(s: BatchStatus, json: boolean): void {
  if (json) {
    process.stdout.write(JSON.stringify(s) + '\n');
    return;
  }
  process.stdout.write(`batch ${s.batch} (${s.kind})\n${bar(s)}\n`);
  for (const f of s.failures)
    process.stdout.write(
      `failed ${f.job} ${f.input}: ${f.code}: ${f.message.split('\n')[0]} (${f.attempts} attempts)\n`,
    );
}

async function status(argv: string[]): Promise<number> {
  const { json, rest } = jsonSwitch(argv);
  const { values, positionals } = parse(rest, COMMON, 1);
  const s = await withRedis(values.redis, (r) => batchStatus(r, values.queue, positionals[0] as string));
  printStatus(s, json);
  return 0;
}

async function wait(argv: string[]): Promise<number> {
  const { json, rest } = jsonSwitch(argv);
  const { values, positionals } = parse(rest, { ...COMMON, timeout: { type: 'string' } }, 1);
  const timeout = parseIntOption('timeout', values.timeout);
  const tty = process.stderr.isTTY === true;
  const s = await withRedis(values.redis, (r) =>
    waitBatch(r, values.queue, positionals[0] as string, timeout, (p) => {
      if (tty) process.stderr.write(`\r\x1b[K${bar(p)}`);
    }),
  );
  if (tty) process.stderr.write('\r\x1b[K');
  printStatus(s, json);
  return s.failed > 0 ? 1 : 0;
}

async function retry(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, COMMON, 1);
  const n = await withRedis(values.redis, (r) => retryFailed(r, values.queue, positionals[0] as string));
  process.stdout.write(`${n} failed job(s) queued again\n`);
  return 0;
}

const SUB: Record<string, (argv: string[]) => Promise<number>> = {
  submit,
  status,
  wait,
  'retry-failed': retry,
};

/** Runs `queue <submit|status|wait|retry-failed>`. */
export async function queue(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const sub = SUB[name ?? ''];
  if (!sub) throw new UsageError(`queue wants one of ${Object.keys(SUB).join('|')}`);
  try {
    return await sub(rest);
  } catch (err) {
    // parseArgs' own errors are usage errors
    if (err instanceof TypeError && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS'))
      throw new UsageError(err.message);
    throw err;
  }
}
