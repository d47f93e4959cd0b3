/**
 * The Chromium half of bench/gpu/run.sh (only where a Chromium and this repository's npm install
 * exist): headless Chromium with WebGPU on Vulkan, the bench page of bench/browser-inference.ts
 * (onnxruntime-web's WebGPU backend in its worker) on the same CT tiles, every shipped model.
 * Writes GpuRow[] JSON for bench/gpu/bench.ts to merge. Refuses a software adapter (SwiftShader):
 * those numbers are already in BENCHMARKS.md and say nothing about a GPU.
 *
 * node --import tsx bench/gpu/browser.ts OUT.json [SIZES=128,256,512] [RUNS=5]
 */
import { writeFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { listModels } from '../../models/registry.ts';
import { CHROMIUM, CHROMIUM_ARGS, startRepoServer } from '../../scripts/repo-server.ts';
import type { BrowserBenchFn, BrowserBenchRequest } from '../browser/protocol.ts';
import { TILE_FIXTURE } from '../tiles.ts';
import { median } from '../timing.ts';
import type { GpuRow } from './bench.ts';

/** Flags that make headless Chromium use the NVIDIA Vulkan driver for WebGPU. */
export const VULKAN_ARGS = [
  '--enable-features=Vulkan,VulkanFromANGLE,DefaultANGLEVulkan',
  '--use-angle=vulkan',
  '--use-vulkan=native',
  '--ignore-gpu-blocklist',
  '--disable-vulkan-surface',
  '--enable-gpu',
];

const [out, sizesArg = '128,256,512', runsArg = '5'] = process.argv.slice(2);
if (!out) throw new Error('usage: bench/gpu/browser.ts OUT.json [SIZES] [RUNS]');
const sizes = sizesArg.split(',').map(Number);
const runs = Number(runsArg);

const server = await startRepoServer();
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  args: [...CHROMIUM_ARGS, ...VULKAN_ARGS],
});
try {
  const page = await browser.newPage();
  page.on('pageerror', (e) => process.stderr.write(`[page error] ${e.message}\n`));
  await page.goto(`${server.origin}/bench/browser/index.html`);
  await page.waitForFunction(() => 'tilesrBench' in globalThis, undefined, { timeout: 60_000 });
  const models = listModels();
  const req: BrowserBenchRequest = {
    backend: 'webgpu',
    fixture: TILE_FIXTURE,
    jobs: models.flatMap((m) => sizes.map((size) => ({ model: m.id, size, runs }))),
    budgetMs: 300_000,
  };
  // the page resolves ids through the registry: perceptual variants are not addressable by id, so fidelity only
  req.jobs = req.jobs.filter(
    (j, i, all) => all.findIndex((k) => k.model === j.model && k.size === j.size) === i,
  );
  const res = await page.evaluate(
    (r) => ((globalThis as { tilesrBench?: BrowserBenchFn }).tilesrBench as BrowserBenchFn)(r),
    req,
  );
  if (!res.adapter || /swiftshader/i.test(res.adapter))
    throw new Error(`Chromium's WebGPU adapter is ${res.adapter ?? 'none'}, not the GPU`);
  const rows: GpuRow[] = res.results.map((j) => ({
    model: j.model,
    backend: `Chromium WebGPU (${res.adapter ?? '?'})`,
    precision: 'fp32',
    size: j.size,
    scale: models.find((m) => m.id === j.model)?.scale ?? 0,
    runs: j.times.length,
    ms: j.times.length ? median(j.times) : null,
    minMs: j.times.length ? Math.min(...j.times) : null,
    ...(j.skipped ? { note: j.skipped } : {}),
  }));
  writeFileSync(out, JSON.stringify(rows, null, 1));
  process.stderr.write(`wrote ${out} (${rows.length} rows, adapter ${res.adapter})\n`);
} finally {
  await browser.close();
  await server.stop();
}
