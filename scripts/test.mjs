#!/usr/bin/env node
// `npm test`: typecheck, lint, Node tests, browser tests; ends with one "N passed, N failed" line
// covering every suite (CI reads that line). Exit code is non-zero when anything failed.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync, readFileSync, existsSync, rmSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

const only = process.argv[2]; // optional: 'node' | 'browser' | 'static'
const roots = [
  'core',
  'formats',
  'dicomweb',
  'queue',
  'models',
  'validation',
  'plugin',
  'extensions',
  'cli',
  'demo',
  'bench',
  'test',
];
const isBrowser = (f) => f.endsWith('.browser.test.ts') || /plugin\/components\/.*\.test\.ts$/.test(f);

function walk(dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (name === 'node_modules') continue;
    if (statSync(p).isDirectory()) walk(p, out);
    else if (p.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const run = (cmd, args, opts = {}) => {
  console.log(`\n$ ${cmd} ${args.join(' ')}`);
  return spawnSync(cmd, args, { stdio: 'inherit', ...opts }).status ?? 1;
};

let passed = 0,
  failed = 0,
  skipped = 0;
mkdirSync('build', { recursive: true });

if (!only || only === 'static') {
  const tsc = run('npx', ['tsc', '-p', 'tsconfig.json']);
  const lint = run('npx', ['eslint', '.']);
  const fmt = run('npx', ['prettier', '--check', '.']);
  for (const [name, rc] of [
    ['typecheck', tsc],
    ['lint', lint],
    ['format', fmt],
  ]) {
    if (rc === 0) passed++;
    else {
      failed++;
      console.log(`static check failed: ${name}`);
    }
  }
}

if (!only || only === 'node') {
  const files = roots
    .flatMap((r) => walk(r))
    .filter((f) => !isBrowser(f))
    .sort();
  if (files.length > 0) {
    const r = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        '--test',
        '--test-concurrency=1',
        '--test-reporter=spec',
        '--test-reporter-destination=stdout',
        '--test-reporter=tap',
        '--test-reporter-destination=build/node-tests.tap',
        ...files,
      ],
      { stdio: 'inherit' },
    );
    const tap = existsSync('build/node-tests.tap') ? readFileSync('build/node-tests.tap', 'utf8') : '';
    const num = (k) => Number(new RegExp(`^# ${k} (\\d+)$`, 'm').exec(tap)?.[1] ?? 0);
    passed += num('pass');
    failed += num('fail') + num('cancelled');
    skipped += num('skipped') + num('todo');
    if (r.status !== 0 && num('fail') === 0) failed++;
  }
}

if (!only || only === 'browser') {
  const counts = 'build/browser-test-counts.json';
  rmSync(counts, { force: true });
  const rc = run('npx', ['web-test-runner', '--config', 'web-test-runner.config.mjs']);
  if (existsSync(counts)) {
    const c = JSON.parse(readFileSync(counts, 'utf8'));
    passed += c.passed;
    failed += c.failed;
    skipped += c.skipped;
  }
  if (rc !== 0 && !existsSync(counts)) failed++;
}

console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 ? 1 : 0);
