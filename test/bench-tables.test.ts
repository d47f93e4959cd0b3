// Benchmarks as data (issue 15): the tables of BENCHMARKS.md between `<!-- bench:NAME -->` markers are
// what scripts/bench-tables.ts makes of bench/results/NAME.json, so a table cannot drift from its data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { regenerate, type BenchJson } from '../scripts/bench-tables.ts';

const committed = readFileSync('BENCHMARKS.md', 'utf8');
const names = readdirSync('bench/results')
  .filter((f) => f.endsWith('.json'))
  .map((f) => f.slice(0, -'.json'.length));

function copy(): { dir: string; file: string; results: string } {
  const dir = mkdtempSync(join(tmpdir(), 'tilesr-bench-tables-'));
  cpSync('bench/results', join(dir, 'results'), { recursive: true });
  writeFileSync(join(dir, 'BENCHMARKS.md'), committed);
  return { dir, file: join(dir, 'BENCHMARKS.md'), results: join(dir, 'results') };
}

function runScript(file: string, results: string, extra: string[] = []) {
  return spawnSync(
    process.execPath,
    ['--import', 'tsx', 'scripts/bench-tables.ts', '--file', file, '--results', results, ...extra],
    { encoding: 'utf8' },
  );
}

test('every bench/results JSON has a marked block in BENCHMARKS.md', () => {
  assert.ok(names.length > 0);
  for (const n of names) {
    assert.ok(committed.includes(`<!-- bench:${n}`), `no <!-- bench:${n} --> marker`);
    assert.ok(committed.includes(`<!-- /bench:${n} -->`), `no closing marker for ${n}`);
  }
});

test('regenerating BENCHMARKS.md from bench/results gives the committed file', () => {
  const { file, results } = copy();
  const r = runScript(file, results);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(
    readFileSync(file, 'utf8'),
    committed,
    'BENCHMARKS.md differs from its data: npm run bench-tables',
  );
  assert.equal(runScript(file, results, ['--check']).status, 0);
});

test('a changed JSON value changes its table, and --check catches the drift', () => {
  const { file, results } = copy();
  const name = names[0] as string;
  const path = join(results, `${name}.json`);
  const json = JSON.parse(readFileSync(path, 'utf8')) as BenchJson;
  const row = json.tables[0]?.rows[0];
  assert.ok(row, `${name}.json has a table with a row`);
  const col = row.findIndex((c) => typeof c === 'number');
  assert.ok(col >= 0, 'a numeric cell');
  row[col] = 123456.789;
  writeFileSync(path, JSON.stringify(json));
  assert.equal(runScript(file, results, ['--check']).status, 1);
  const r = runScript(file, results);
  assert.equal(r.status, 0, r.stderr);
  const after = readFileSync(file, 'utf8');
  assert.notEqual(after, committed);
  assert.ok(after.includes('| 123456.789 |'));
  // only the block changed: the prose before the first marker is untouched
  const first = committed.indexOf('<!-- bench:');
  assert.equal(after.slice(0, first), committed.slice(0, first));
});

test('prose outside the markers is kept; a missing closing marker is an error', () => {
  const data: BenchJson = {
    suite: 'x',
    date: '2026-12-01T00:00:00.000Z',
    machine: { cpu: 'CPU', cores: 2, memoryGiB: 1, os: 'os', node: 'v20', load: [1, 2] },
    tables: [{ notes: [], columns: ['a', 'b'], rows: [[1, 'x|y']] }],
  };
  const md = 'intro\n<!-- bench:x tables=0 -->\nold\n<!-- /bench:x -->\noutro\n';
  const out = regenerate(md, () => data);
  assert.match(out, /^intro\n<!-- bench:x tables=0 -->\nData: `bench\/results\/x.json`/);
  assert.ok(out.includes('| 1 | x\\|y |'));
  assert.ok(out.endsWith('<!-- /bench:x -->\noutro\n'));
  assert.equal(
    regenerate(out, () => data),
    out,
    'idempotent',
  );
  assert.throws(() => regenerate('<!-- bench:x -->\n', () => data), /no closing/);
});
