/**
 * Benchmarks as data: the JSON every `npm run bench -- NAME --json FILE` writes, the machine it
 * describes, and the Markdown-table parsing that turns a suite's printed tables into rows. Suites
 * keep printing Markdown (what BENCHMARKS.md shows); the JSON keeps the same rows as data
 * for tools that compare runs.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, platform, release, totalmem } from 'node:os';
import { CHROMIUM, ROOT } from '../scripts/repo-server.ts';

/** A cell value: numbers where the cell is a plain number, else the cell's text. */
export type Cell = string | number | null;

/** One Markdown table of a suite, with the prose lines printed just before it. */
export interface BenchTable {
  notes: string[];
  columns: string[];
  rows: Cell[][];
}

/** The machine a result was measured on. */
export interface MachineInfo {
  cpu: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  /** `chromium --version` of the browser the browser suites drive (null where none is installed). */
  browser: string | null;
  /** WebGPU adapter described by a browser suite (vendor / architecture / …), when one ran. */
  webgpuAdapter?: string;
  /** Chromium's user agent, when a browser suite ran. */
  userAgent?: string;
  onnxruntime: { node: string | null; web: string | null; common: string | null };
  /** 1-minute load average at the start and end of the suite (this machine is shared). */
  load: [number, number];
}

/** What one suite writes with `--json`. */
export interface BenchResult {
  suite: string;
  date: string;
  machine: MachineInfo;
  /** Every table row as an object keyed by column name (`table` is its table's index). */
  rows: Record<string, Cell>[];
  /** Headline ratios and timings (suite-specific keys, documented in BENCHMARKS.md). */
  ratios: Record<string, number | null>;
  tables: BenchTable[];
}

/** A suite's answer: Markdown, optionally with ratios and machine facts only it knows. */
export type SuiteOutput =
  string | { markdown: string; ratios?: Record<string, number | null>; machine?: Partial<MachineInfo> };

function pkgVersion(name: string): string | null {
  try {
    const pkg = JSON.parse(readFileSync(`${ROOT}/node_modules/${name}/package.json`, 'utf8')) as {
      version?: string;
    };
    return pkg.version ?? null;
  } catch {
    return null;
  }
}

/** The browser the suites launch, by asking it (no page needed). */
function browserVersion(): string | null {
  const r = spawnSync(CHROMIUM, ['--version'], { encoding: 'utf8', timeout: 10_000 });
  return r.status === 0 ? r.stdout.trim() : null;
}

/** Describes this machine (the load pair is filled by the caller). */
export function machineInfo(load: [number, number]): MachineInfo {
  return {
    cpu: cpus()[0]?.model ?? 'unknown CPU',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    os: `${platform()} ${release()}`,
    node: process.version,
    browser: browserVersion(),
    onnxruntime: {
      node: pkgVersion('onnxruntime-node'),
      web: pkgVersion('onnxruntime-web'),
      common: pkgVersion('onnxruntime-common'),
    },
    load,
  };
}

function splitRow(line: string): string[] {
  return line
    .trim()
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split('|')
    .map((c) => c.trim());
}

/** A cell as a number when it is exactly one (e.g. "883.0"), else its text; empty -> null. */
export function parseCell(text: string): Cell {
  if (text === '') return null;
  return /^-?\d+(\.\d+)?(e-?\d+)?$/.test(text) ? Number(text) : text;
}

/** Finds the Markdown tables in a suite's output, each with the prose lines since the last table. */
export function parseTables(markdown: string): BenchTable[] {
  const tables: BenchTable[] = [];
  const lines = markdown.split('\n');
  let notes: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const sep = lines[i + 1] ?? '';
    if (line.trim().startsWith('|') && /^\s*\|[\s|:-]+\|\s*$/.test(sep)) {
      const columns = splitRow(line);
      const rows: Cell[][] = [];
      i += 2;
      while (i < lines.length && (lines[i] ?? '').trim().startsWith('|')) {
        rows.push(splitRow(lines[i] ?? '').map(parseCell));
        i++;
      }
      i--;
      tables.push({ notes, columns, rows });
      notes = [];
    } else if (line.trim() !== '') notes.push(line);
  }
  return tables;
}

/** Builds the JSON result of one suite. */
export function toResult(suite: string, out: SuiteOutput, load: [number, number]): BenchResult {
  const markdown = typeof out === 'string' ? out : out.markdown;
  const tables = parseTables(markdown);
  const rows = tables.flatMap((t, table) =>
    t.rows.map((r) => Object.fromEntries([['table', table], ...t.columns.map((c, j) => [c, r[j] ?? null])])),
  );
  const extra: Exclude<SuiteOutput, string> = typeof out === 'string' ? { markdown } : out;
  const ratios = { ...(extra.ratios ?? {}), ...(suite === 'zoom' ? zoomTimes(rows) : {}) };
  return {
    suite,
    date: new Date().toISOString(),
    machine: { ...machineInfo(load), ...(extra.machine ?? {}) },
    rows,
    ratios,
    tables,
  };
}

/** "1.09 s" / "590 ms" / "590.0" -> ms, else null. */
export function toMs(cell: Cell | undefined): number | null {
  if (typeof cell === 'number') return cell;
  const m = typeof cell === 'string' ? /^(-?[\d.]+)\s*(ms|s)?$/.exec(cell) : null;
  if (!m) return null;
  return Number(m[1]) * (m[2] === 's' ? 1000 : 1);
}

/**
 * The zoom suite's headline numbers from its table: per backend and run, ms to the first enhanced
 * cell on screen and to the whole view (`<backend>_<run>_first_ms`, `<backend>_<run>_full_ms`).
 */
export function zoomTimes(rows: Record<string, Cell>[]): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const r of rows) {
    const keys = Object.keys(r);
    const first = keys.find((k) => /first/i.test(k));
    const full = keys.find((k) => /full|whole/i.test(k));
    const backend =
      String(r['backend'] ?? '')
        .split(/[ (]/)[0]
        ?.toLowerCase() ?? '';
    const run = /warm/i.test(String(r['run'] ?? '')) ? 'warm' : 'cold';
    if (!backend || !first) continue;
    out[`${backend}_${run}_first_ms`] = toMs(r[first]);
    if (full) out[`${backend}_${run}_full_ms`] = toMs(r[full]);
  }
  return out;
}
