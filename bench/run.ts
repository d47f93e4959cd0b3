/**
 * `npm run bench [-- NAME...]`: runs the benchmarks side by side in one process and prints Markdown
 * for BENCHMARKS.md, with the machine it ran on. Never part of `npm test`.
 */
import { cpus, totalmem, platform, release } from 'node:os';

const SUITES: Record<string, () => Promise<string>> = {
  decode: async () => (await import('./decode.ts')).benchDecode(),
  ssim: async () => (await import('./ssim.ts')).benchSsim(),
  'sr-bicubic': async () => (await import('./sr-bicubic.ts')).benchSrBicubic(),
  inference: async () => (await import('./inference.ts')).benchInference(),
  'browser-inference': async () => (await import('./browser-inference.ts')).benchBrowserInference(),
  zoom: async () => (await import('./zoom.ts')).benchZoom(),
  range: async () => (await import('./range.ts')).benchRange(),
  'large-cog': async () => (await import('./large-cog.ts')).benchLargeCog(),
};

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const names = wanted.length > 0 ? wanted : Object.keys(SUITES);
const cpu = cpus()[0]?.model ?? 'unknown CPU';
console.log(
  `Machine: ${cpus().length} x ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ${platform()} ${release()}, Node ${process.version}`,
);
console.log(`Date: ${new Date().toISOString()}\n`);
for (const name of names) {
  const suite = SUITES[name];
  if (!suite) {
    console.error(`unknown benchmark "${name}"; known: ${Object.keys(SUITES).join(', ')}`);
    process.exitCode = 1;
    continue;
  }
  console.log(`## ${name}\n`);
  console.log(await suite());
  console.log('');
}
