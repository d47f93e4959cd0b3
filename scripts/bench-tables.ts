/**
 * `npm run bench-tables [-- --check] [--file BENCHMARKS.md] [--results bench/results]`: rewrites the
 * tables of BENCHMARKS.md from the JSON the benchmarks write (`npm run bench -- NAME --json
 * bench/results/NAME.json`, shape: bench/report.ts's BenchResult), so tables cannot drift from data.
 *
 * Only the text between a pair of markers is generated; the prose around them is left alone:
 *
 *     <!-- bench:NAME -->            every table of bench/results/NAME.json
 *     <!-- bench:NAME tables=0,2 --> only those tables (indices into the JSON's `tables`)
 *     ...generated...
 *     <!-- /bench:NAME -->
 *
 * A block is one line naming the data file, run date, machine and 1-minute load average, then the
 * tables. `--check` writes nothing and exits 1 when the file differs from what the data gives.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A cell as bench/report.ts stores it. */
export type Cell = string | number | null;

/** The parts of a bench result JSON this script reads. */
export interface BenchJson {
  suite: string;
  date: string;
  machine: {
    cpu: string;
    cores: number;
    memoryGiB: number;
    os: string;
    node: string;
    browser?: string | null;
    webgpuAdapter?: string;
    gpu?: string;
    onnxruntime?: { node: string | null; web: string | null };
    load: (number | null)[];
  };
  tables: { notes: string[]; columns: string[]; rows: Cell[][] }[];
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OPEN = /<!-- bench:([\w.-]+)((?:\s+[\w-]+=[^\s]+)*)\s*-->/g;

function cellText(c: Cell | undefined): string {
  if (c === null || c === undefined) return '';
  return String(c).replace(/\|/g, '\\|');
}

function num(x: number | null | undefined): string {
  return typeof x === 'number' && Number.isFinite(x) ? String(Math.round(x * 100) / 100) : 'n/a';
}

/** The line that names the data, run, machine and load of a block. */
export function provenanceLine(name: string, r: BenchJson): string {
  const m = r.machine;
  const parts = [`${m.cores} x ${m.cpu}`, `${m.memoryGiB} GiB`, m.os, `Node ${m.node}`];
  if (m.gpu) parts.push(`GPU: ${m.gpu}`);
  if (m.browser) parts.push(m.browser.replace(/ built on .*/, ''));
  if (m.webgpuAdapter) parts.push(`WebGPU adapter ${m.webgpuAdapter}`);
  if (m.onnxruntime)
    parts.push(`onnxruntime-node ${m.onnxruntime.node ?? 'n/a'} / -web ${m.onnxruntime.web ?? 'n/a'}`);
  const [l0, l1] = m.load;
  return (
    `Data: \`bench/results/${name}.json\`, run ${r.date.slice(0, 16)}Z on ${parts.join(', ')}; ` +
    `1-min load average ${num(l0)} at the start, ${num(l1)} at the end (shared machine).`
  );
}

/** One Markdown table. */
export function renderTable(t: BenchJson['tables'][number]): string {
  const head = `| ${t.columns.map(cellText).join(' | ')} |`;
  const sep = `|${t.columns.map(() => '---').join('|')}|`;
  const rows = t.rows.map((r) => `| ${t.columns.map((_, j) => cellText(r[j])).join(' | ')} |`);
  return [head, sep, ...rows].join('\n');
}

/** The generated body of one block. */
export function renderBlock(name: string, r: BenchJson, tables?: number[]): string {
  const picked = tables ?? r.tables.map((_, i) => i);
  const parts = [provenanceLine(name, r)];
  for (const i of picked) {
    const t = r.tables[i];
    if (!t) throw new Error(`bench:${name}: no table ${i} (the JSON has ${r.tables.length})`);
    parts.push(renderTable(t));
  }
  return parts.join('\n\n');
}

function parseOptions(text: string): { tables?: number[] } {
  const m = /tables=([\d,]+)/.exec(text);
  return m?.[1] ? { tables: m[1].split(',').map(Number) } : {};
}

/** Rewrites every marked block of `markdown` from `load(name)`; everything outside the markers is kept. */
export function regenerate(markdown: string, load: (name: string) => BenchJson): string {
  let out = '';
  let at = 0;
  for (const open of markdown.matchAll(OPEN)) {
    const name = open[1] ?? '';
    const start = (open.index ?? 0) + open[0].length;
    if (start <= at) continue;
    const close = `<!-- /bench:${name} -->`;
    const end = markdown.indexOf(close, start);
    if (end < 0) throw new Error(`bench:${name}: no closing ${close}`);
    const nested = markdown.slice(start, end).search(/<!-- bench:/);
    if (nested >= 0) throw new Error(`bench:${name}: a marker opens before ${close}`);
    out += markdown.slice(at, start);
    out += `\n${renderBlock(name, load(name), parseOptions(open[2] ?? '').tables)}\n`;
    at = end;
  }
  return out + markdown.slice(at);
}

/** Reads bench/results/NAME.json from `dir`. */
export function loader(dir: string): (name: string) => BenchJson {
  return (name) => JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')) as BenchJson;
}

function main(): void {
  const argv = process.argv.slice(2);
  const opt = (k: string, d: string) => {
    const i = argv.indexOf(k);
    return i >= 0 ? (argv[i + 1] ?? d) : d;
  };
  const file = opt('--file', join(ROOT, 'BENCHMARKS.md'));
  const results = opt('--results', join(ROOT, 'bench/results'));
  const before = readFileSync(file, 'utf8');
  const after = regenerate(before, loader(results));
  if (argv.includes('--check')) {
    if (after !== before) {
      console.error(`${file}: tables differ from ${results}; run npm run bench-tables`);
      process.exit(1);
    }
    console.log(`${file}: tables match ${results}`);
    return;
  }
  if (after !== before) writeFileSync(file, after);
  console.log(`${file}: ${after === before ? 'unchanged' : 'tables rewritten'} from ${results}`);
}

if (import.meta.url === `file://${process.argv[1]}`) main();
