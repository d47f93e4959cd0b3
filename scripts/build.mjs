#!/usr/bin/env node
// `npm run build` (also `prepack`): the installable package in dist/ — ESM JavaScript, .d.ts and
// source maps from tsc (tsconfig.build.json), plus the files the code reaches at run time by URL
// rather than by import, which tsc neither rewrites nor copies:
//   - module workers started with `new Worker(new URL('./x.ts', import.meta.url))`: the URL is a
//     string to tsc, so it is pointed at the emitted .js here;
//   - model weights and cards, which models/registry.ts resolves as `./weights/` next to itself;
//   - ambient .d.ts shims for untyped dependencies, which emitted declarations may mention.
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');

rmSync(dist, { recursive: true, force: true });
const tsc = spawnSync(
  process.execPath,
  [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
  {
    cwd: root,
    stdio: 'inherit',
  },
);
if (tsc.status !== 0) process.exit(tsc.status ?? 1);

function walk(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}

// new URL('./worker.ts', import.meta.url) -> './worker.js', only where that .js was emitted
const URL_TS = /new URL\((['"])(\.{1,2}\/[^'"]+)\.ts\1,(\s*)import\.meta\.url\)/g;
let rewritten = 0;
for (const file of walk(dist).filter((f) => f.endsWith('.js'))) {
  const text = readFileSync(file, 'utf8');
  const next = text.replace(URL_TS, (whole, q, path, sp) => {
    if (!existsSync(join(dirname(file), `${path}.js`)))
      throw new Error(`${relative(root, file)}: ${path}.ts was not emitted`);
    rewritten++;
    return `new URL(${q}${path}.js${q},${sp}import.meta.url)`;
  });
  if (next !== text) writeFileSync(file, next);
}
if (rewritten === 0) throw new Error('no worker URL rewritten: has the worker pattern changed?');

// weights and cards only (no training notes or scratch files)
const weights = join(root, 'models/weights');
mkdirSync(join(dist, 'models/weights'), { recursive: true });
for (const name of readdirSync(weights).filter((n) => /\.(onnx|json)$/.test(n)))
  cpSync(join(weights, name), join(dist, 'models/weights', name));

// the PyTorch trainer `tilesr train` runs (models/train/python.ts resolves it next to itself)
for (const name of readdirSync(join(root, 'models/train')).filter((n) => n.endsWith('.py')))
  cpSync(join(root, 'models/train', name), join(dist, 'models/train', name));

// ambient module shims (`declare module 'dcmjs'` …) beside the declarations that use them
for (const dir of ['formats', 'models', 'validation', 'plugin', 'cli'])
  for (const file of walk(join(root, dir)).filter((f) => f.endsWith('.d.ts')))
    cpSync(file, join(dist, relative(root, file)));

// the runtime-loadable OHIF extension + mode (extensions/ohif/README.md "Add to a deployed OHIF")
const { buildOhifExtension } = await import('./ohif-extension.mjs');
await buildOhifExtension(join(dist, 'ohif'));

console.error(`dist/ built: ${walk(dist).length} files, ${rewritten} worker URL(s) pointed at .js`);
