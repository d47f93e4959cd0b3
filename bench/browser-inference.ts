/**
 * Inference in the browser: onnxruntime-web's WASM backend (2 threads on this cross-origin isolated
 * page, and 1 thread) and WebGPU, in Debian's Chromium driven by playwright-core, on the same real
 * CT tiles as bench/inference.ts, beside onnxruntime-node (node-cpu) measured in the same run.
 * The page (bench/browser/) is served by @web/dev-server from the repository root with COOP/COEP.
 * On a machine without a GPU, Chromium's WebGPU is the SwiftShader software adapter: those numbers
 * measure a CPU emulation of a GPU, not WebGPU on real hardware.
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import type { Browser } from 'playwright-core';
import { createNodeCpuBackend } from '../models/backend/ort-node.ts';
import { getModel, loadModel } from '../models/registry.ts';
import type {
  BrowserBenchFn,
  BrowserBenchRequest,
  BrowserBenchResult,
  BrowserJob,
  BrowserJobResult,
} from './browser/protocol.ts';
import { fmtMps, timeTiles, type TileTiming } from './inference.ts';
import { fixtureTiles, outputMps, TILE_FIXTURE } from './tiles.ts';
import { launchChromium, ROOT, startRepoServer } from '../scripts/repo-server.ts';
import { fmt, median } from './timing.ts';

/** The label every WebGPU number carries on this machine. */
export const SOFTWARE_ADAPTER = 'SwiftShader software adapter (no GPU on this machine)';

/** Timed runs after a warm-up for the browser jobs (the 512 tile: one). */
function runs(size: number): number {
  return size >= 512 ? 1 : size >= 256 ? 3 : size >= 128 ? 3 : 5;
}

/** WASM jobs, cheapest first so the time budget cuts only the largest tiles. */
function wasmJobs(threads: number): BrowserJob[] {
  const jobs: BrowserJob[] = [
    { model: 'medical-x2', size: 32, runs: runs(32) },
    { model: 'medical-x2', size: 64, runs: runs(64) },
    { model: 'medical-x2', size: 128, runs: runs(128) },
    { model: 'medical-x4', size: 64, runs: runs(64) },
    { model: 'medical-x4', size: 128, runs: runs(128) },
    { model: 'medical-x2', size: 256, runs: runs(256) },
  ];
  if (threads > 1) jobs.push({ model: 'medical-x2', size: 512, runs: runs(512) });
  return jobs;
}

/** WebGPU on SwiftShader is ~300x slower than WASM: 32 and 64 px tiles, warm-up plus two runs at 32, one at 64. */
const WEBGPU_JOBS: BrowserJob[] = [
  { model: 'medical-x2', size: 32, runs: 2 },
  { model: 'medical-x2', size: 64, runs: 1 },
];

/** Opens a fresh bench page (WASM settings are global per page) and runs one request in it. */
async function runPage(browser: Browser, url: string, req: BrowserBenchRequest): Promise<BrowserBenchResult> {
  const page = await browser.newPage();
  page.on('pageerror', (e) => process.stderr.write(`[page error] ${e.message}\n`));
  page.on('console', (m) => {
    if (m.type() === 'error') process.stderr.write(`[page console] ${m.text()}\n`);
  });
  try {
    await page.goto(url);
    await page.waitForFunction(() => 'tilesrBench' in globalThis, undefined, { timeout: 60_000 });
    const res = await page.evaluate(
      (r) => ((globalThis as { tilesrBench?: BrowserBenchFn }).tilesrBench as BrowserBenchFn)(r),
      req,
    );
    process.stderr.write('.');
    return res;
  } finally {
    await page.close();
  }
}

interface Row {
  label: string;
  threads: string;
  job: BrowserJobResult;
  scale: number;
  ms: number;
}

/** Runs the browser inference benchmark (and node-cpu on the same tiles) and returns Markdown. */
export async function benchBrowserInference(): Promise<string> {
  const loadStart = loadavg()[0] ?? NaN;
  // node-cpu on the same tiles, first, with the browser not yet started (2 cores shared otherwise)
  const all = [...wasmJobs(2), ...WEBGPU_JOBS];
  const tiles = await fixtureTiles(new Uint8Array(readFileSync(`${ROOT}/${TILE_FIXTURE}`)), [
    ...new Set(all.map((j) => j.size)),
  ]);
  const node: TileTiming[] = [];
  for (const id of ['medical-x2', 'medical-x4']) {
    const sizes = [...new Set(all.filter((j) => j.model === id).map((j) => j.size))];
    const session = await createNodeCpuBackend().createSession(await loadModel(getModel(id)));
    try {
      const mine = new Map([...tiles].filter(([n]) => sizes.includes(n)));
      node.push(...(await timeTiles(session, id, mine, (n) => runs(n))));
    } finally {
      await session.dispose();
    }
  }
  const nodeMs = (model: string, size: number) => node.find((t) => t.model === model && t.size === size)?.ms;

  const server = await startRepoServer();
  const url = `${server.origin}/bench/browser/index.html`;
  const browser = await launchChromium();
  const rows: Row[] = [];
  let info: BrowserBenchResult | undefined;
  let adapter: string;
  try {
    const runs2 = await runPage(browser, url, {
      backend: 'wasm',
      threads: 2,
      fixture: TILE_FIXTURE,
      jobs: wasmJobs(2),
      budgetMs: 90_000,
    });
    info = runs2;
    const threads2 = runs2.crossOriginIsolated ? '2' : '1 (page not cross-origin isolated)';
    const runs1 = await runPage(browser, url, {
      backend: 'wasm',
      threads: 1,
      fixture: TILE_FIXTURE,
      jobs: wasmJobs(1),
      budgetMs: 60_000,
    });
    const gpu = await runPage(browser, url, {
      backend: 'webgpu',
      fixture: TILE_FIXTURE,
      jobs: WEBGPU_JOBS,
      budgetMs: 60_000,
    });
    adapter = gpu.adapter ?? 'n/a';
    for (const [label, threads, res] of [
      ['WASM', threads2, runs2],
      ['WASM', '1', runs1],
      [`WebGPU, ${SOFTWARE_ADAPTER}`, '-', gpu],
    ] as const)
      for (const job of res.results)
        rows.push({ label, threads, job, scale: getModel(job.model).scale, ms: median(job.times) });
  } finally {
    await browser.close();
    await server.stop();
  }
  process.stderr.write('\n');

  const wasm2 = (model: string, size: number) =>
    rows.find((r) => r.label === 'WASM' && r.threads === '2' && r.job.model === model && r.job.size === size)
      ?.ms;
  const lines = [
    `Chromium: ${info?.userAgent ?? 'n/a'}; crossOriginIsolated ${info?.crossOriginIsolated ?? 'n/a'},`,
    `hardwareConcurrency ${info?.hardwareConcurrency ?? 'n/a'}. WebGPU adapter: ${adapter}.`,
    `**WebGPU numbers are Chromium's ${SOFTWARE_ADAPTER}, a CPU emulation: they say nothing about WebGPU on a real GPU.**`,
    `Tiles: centred crops of \`${TILE_FIXTURE}\` normalized over the whole slice (same as the node-cpu`,
    'column, measured in this run before the browser started); fidelity weights; median of the timed runs',
    'after one warm-up per tile size.',
    `1-min load average at the start / end of this suite: ${fmt(loadStart, 2)} / ${fmt(loadavg()[0] ?? NaN, 2)}.`,
    '',
    '| backend | threads | model | LR tile | runs | median ms / tile | output MP/s | node-cpu ms (same run) | ms / node-cpu ms | ms / WASM-2 ms |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...rows.map((r) => {
      const n = nodeMs(r.job.model, r.job.size);
      const w = wasm2(r.job.model, r.job.size);
      if (r.job.skipped)
        return `| ${r.label} | ${r.threads} | ${r.job.model} | ${r.job.size} | skipped (${r.job.skipped}) | | | ${fmt(n ?? null, 1)} | | |`;
      return `| ${r.label} | ${r.threads} | ${r.job.model} | ${r.job.size}x${r.job.size} | ${r.job.times.length} | ${fmt(r.ms, 1)} | ${fmtMps(outputMps(r.job.size, r.scale, r.ms))} | ${fmt(n ?? null, 1)} | ${n ? fmt(r.ms / n, 2) : 'n/a'} | ${w ? fmt(r.ms / w, 2) : 'n/a'} |`;
    }),
  ];
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(await benchBrowserInference());
