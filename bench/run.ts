/**
 * `npm run bench [-- NAME...] [--json PATH]`: runs the benchmarks side by side in one process and
 * prints Markdown for BENCHMARKS.md, with the machine it ran on. With `--json PATH` each suite also
 * writes its result as data (bench/report.ts): PATH itself for one suite when it ends in .json,
 * else PATH/NAME.json.
 * Never part of `npm test`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { machineInfo, toResult, type SuiteOutput } from './report.ts';

const SUITES: Record<string, () => Promise<SuiteOutput>> = {
  decode: async () => (await import('./decode.ts')).benchDecode(),
  ssim: async () => (await import('./ssim.ts')).benchSsim(),
  'sr-bicubic': async () => (await import('./sr-bicubic.ts')).benchSrBicubic(),
  inference: async () => (await import('./inference.ts')).benchInference(),
  'browser-inference': async () => (await import('./browser-inference.ts')).benchBrowserInference(),
  zoom: async () => (await import('./zoom.ts')).benchZoom(),
  range: async () => (await import('./range.ts')).benchRange(),
  'large-cog': async () => (await import('./large-cog.ts')).benchLargeCog(),
  soak: async () => (await import('./soak.ts')).benchSoak(),
  'soak-page': async () => (await import('./soak-page.ts')).benchSoakPage(),
  lzw: async () => (await import('./lzw.ts')).benchLzw(),
  'open-large': async () => (await import('./open-large.ts')).benchOpenLarge(),
  peers: async () => (await import('./peers.ts')).benchPeers(),
  batch: async () => (await import('./batch.ts')).benchBatch(),
  luma: async () => (await import('./luma.ts')).benchLuma(),
};

const args = process.argv.slice(2);
const jsonAt = args.indexOf('--json');
const jsonPath = jsonAt >= 0 ? args[jsonAt + 1] : undefined;
if (jsonAt >= 0 && !jsonPath) {
  console.error('--json needs a file (one suite) or a directory');
  process.exit(2);
}
const wanted = args.filter((a, i) => !a.startsWith('-') && !(jsonAt >= 0 && i === jsonAt + 1));
const names = wanted.length > 0 ? wanted : Object.keys(SUITES);
const m = machineInfo([loadavg()[0] ?? NaN, NaN]);
console.log(
  `Machine: ${m.cores} x ${m.cpu}, ${m.memoryGiB} GiB, ${m.os}, Node ${m.node}, ${m.browser ?? 'no Chromium'}, onnxruntime-node ${m.onnxruntime.node} / -web ${m.onnxruntime.web}`,
);
console.log(`Date: ${new Date().toISOString()}\n`);
for (const name of names) {
  const suite = SUITES[name];
  if (!suite) {
    console.error(`unknown benchmark "${name}"; known: ${Object.keys(SUITES).join(', ')}`);
    process.exitCode = 1;
    continue;
  }
  const load0 = loadavg()[0] ?? NaN;
  const out = await suite();
  console.log(`## ${name}\n`);
  console.log(typeof out === 'string' ? out : out.markdown);
  console.log('');
  if (jsonPath) {
    const file = jsonPath.endsWith('.json') && names.length === 1 ? jsonPath : join(jsonPath, `${name}.json`);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify(toResult(name, out, [load0, loadavg()[0] ?? NaN]), null, 1)}\n`);
    console.error(`wrote ${file}`);
  }
}
