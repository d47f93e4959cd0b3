/**
 * Inference in the browser: onnxruntime-web's WASM backend in Debian's Chromium driven by
 * playwright-core, on the same real CT tiles as bench/inference.ts, beside onnxruntime-node
 * (node-cpu) measured in the same run. Four parts:
 * 1. WASM knobs side by side on one 128x128 medical-x2 tile: proxy worker, thread count, graph
 *    optimization level, memory pattern, CPU arena (each a fresh page: the settings are global);
 *    node-cpu's own levels and thread counts beside them (what node gains from x86-only layouts).
 * 2. Tile sizes and models on the default WASM settings, 2 and 1 threads, with the untrained `fast`
 *    architecture (bench/fast/export_untrained.py, random weights, speed only, temp dir) beside the
 *    shipped models, and WebGPU (on this machine Chromium's SwiftShader software adapter).
 * 3. The live halo overhead of the zoomed demo view: LR px computed / LR px shown, read from the
 *    live engine's own counters (`viewer.stats`) after it enhanced the view.
 * The page (bench/browser/) is served by @web/dev-server from the repository root with COOP/COEP.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { createNodeCpuBackend, type OrtNodeOptions } from '../models/backend/ort-node.ts';
import type { TileTensor } from '../models/backend/types.ts';
import { getModel, loadModel } from '../models/registry.ts';
import type {
  BrowserBenchFn,
  BrowserBenchRequest,
  BrowserBenchResult,
  BrowserJob,
  ExtraModel,
} from './browser/protocol.ts';
import { fmtMps, timeTiles } from './inference.ts';
import { convMacsPerLrPixel } from './macs.ts';
import type { SuiteOutput } from './report.ts';
import { fixtureTiles, outputMps, TILE_FIXTURE } from './tiles.ts';
import { launchChromium, ROOT, startRepoServer } from '../scripts/repo-server.ts';
import type { TilesrDemo } from '../scripts/screenshots.ts';
import { fmt, median } from './timing.ts';

/** The label every WebGPU number carries on this machine. */
export const SOFTWARE_ADAPTER = 'SwiftShader software adapter (no GPU on this machine)';
/** The label of every untrained `fast` row. */
export const UNTRAINED = 'untrained, speed only';

/** Timed runs after a warm-up. */
function runs(size: number): number {
  return size >= 512 ? 1 : size >= 128 ? 3 : 5;
}

/** The model ids of the untrained fast probes (never in the registry). */
const FAST = { x2: 'fast-x2 (untrained)', x4: 'fast-x4 (untrained)' } as const;

/** Tile jobs for the size/model table, cheapest first so the time budget cuts only the largest. */
function sizeJobs(threads: number): BrowserJob[] {
  const jobs: BrowserJob[] = [
    { model: 'medical-x2', size: 64, runs: runs(64) },
    { model: 'medical-x2', size: 128, runs: runs(128) },
    { model: FAST.x2, size: 128, runs: runs(128) },
    { model: 'medical-x4', size: 128, runs: runs(128) },
    { model: FAST.x4, size: 128, runs: runs(128) },
  ];
  if (threads > 1) jobs.push({ model: 'medical-x2', size: 256, runs: runs(256) });
  return jobs;
}

/** WebGPU on SwiftShader is ~300x slower than WASM: one 32 px tile, warm-up plus one run. */
const WEBGPU_JOBS: BrowserJob[] = [{ model: 'medical-x2', size: 32, runs: 1 }];

/** One WASM configuration of the knob table. */
interface Knob {
  label: string;
  threads: number;
  knobs: NonNullable<BrowserBenchRequest['knobs']>;
}
const KNOBS: Knob[] = [
  { label: 'default (proxy worker, opt all, 2 threads)', threads: 2, knobs: {} },
  { label: 'no proxy worker (inference on the page thread)', threads: 2, knobs: { proxy: false } },
  { label: 'graphOptimizationLevel extended', threads: 2, knobs: { graphOptimizationLevel: 'extended' } },
  { label: 'graphOptimizationLevel basic', threads: 2, knobs: { graphOptimizationLevel: 'basic' } },
  { label: 'graphOptimizationLevel disabled', threads: 2, knobs: { graphOptimizationLevel: 'disabled' } },
  { label: 'enableMemPattern false', threads: 2, knobs: { enableMemPattern: false } },
  { label: 'enableCpuMemArena false', threads: 2, knobs: { enableCpuMemArena: false } },
  { label: '1 thread', threads: 1, knobs: {} },
];
const KNOB_TILE = 128;
const KNOB_MODEL = 'medical-x2';

/** Exports the untrained fast models into a temp dir (python3-torch); undefined when that fails. */
function exportFast(dir: string): ExtraModel[] | undefined {
  const out: ExtraModel[] = [];
  for (const [id, scale] of [
    [FAST.x2, 2],
    [FAST.x4, 4],
  ] as const) {
    const file = join(dir, `fast_x${scale}.onnx`);
    const py = process.env.PYTHON ?? '/usr/bin/python3';
    const r = spawnSync(py, [join(ROOT, 'bench/fast/export_untrained.py'), file, String(scale)], {
      encoding: 'utf8',
    });
    if (r.status !== 0) {
      process.stderr.write(`fast export failed (${py}): ${r.stderr}\n`);
      return undefined;
    }
    out.push({ id, scale, base64: readFileSync(file).toString('base64') });
  }
  return out;
}

/**
 * onnxruntime-web's WASM builds and their relaxed-SIMD opcodes (0xfd 0x100-0x113, FMA included):
 * `env.wasm.simd = 'relaxed'` only checks support and loads the same files.
 */
function wasmBuilds(): string {
  const dir = join(ROOT, 'node_modules/onnxruntime-web/dist');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.wasm'))
    .map((f) => {
      const b = readFileSync(join(dir, f));
      let relaxed = 0;
      for (let i = 0; i + 2 < b.length; i++)
        if (
          b[i] === 0xfd &&
          (b[i + 2] as number) === 0x02 &&
          (b[i + 1] as number) >= 0x80 &&
          (b[i + 1] as number) <= 0x93
        )
          relaxed++;
      return `\`${f}\` (${(b.length / 2 ** 20).toFixed(1)} MiB, ${relaxed} relaxed-SIMD opcode sequences)`;
    })
    .join(', ');
}

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

type DemoViewer = HTMLElement & {
  info?: unknown;
  prefetch: number;
  enhance: boolean;
  tileSize: number;
  zoomTo(scale: number, centre?: { x: number; y: number }): void;
  stats?: { computedPx?: number; shownPx?: number; inferences?: number };
  provenance?: { tiles: unknown[]; tile?: { size: number; halo: number } };
};

/** What the live engine computed for the zoomed demo view (the zoom suite's WASM view). */
interface HaloView {
  computedPx: number;
  shownPx: number;
  inferences: number;
  tiles: number;
  tileSize: number;
  halo: number;
  ms: number;
}

/**
 * Zooms the demo viewer (512 px, x4, about the MR slice's centre, prefetch off) on WASM and reads
 * the live engine's counters; the engine's own defaults (cell size, blocks) are left as they are.
 */
async function haloOverhead(browser: Browser, origin: string): Promise<HaloView> {
  const page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
  page.on('pageerror', (e) => process.stderr.write(`[page error] ${e.message}\n`));
  try {
    await page.goto(`${origin}/demo/index.html?enhance=0&backend=wasm`);
    await page.waitForFunction(
      () => (document.getElementById('viewer') as DemoViewer | null)?.info,
      undefined,
      {
        timeout: 60_000,
      },
    );
    await page.evaluate(() => {
      const wrap = document.getElementById('viewer-wrap') as HTMLElement;
      wrap.style.width = wrap.style.height = '512px';
      const v = document.getElementById('viewer') as DemoViewer;
      v.prefetch = 0;
      v.zoomTo(0.5);
      v.enhance = true;
    });
    await page.waitForTimeout(500);
    return await page.evaluate(async () => {
      const g = globalThis as unknown as { tilesrDemo: TilesrDemo };
      const v = document.getElementById('viewer') as DemoViewer;
      const before = { ...v.stats };
      const full = g.tilesrDemo.nextViewerEvent('sr-provenance', false, 240_000);
      const t0 = performance.now();
      v.zoomTo(4, { x: 192, y: 192 });
      const t1 = await full;
      const s = v.stats ?? {};
      return {
        computedPx: (s.computedPx ?? 0) - (before.computedPx ?? 0),
        shownPx: (s.shownPx ?? 0) - (before.shownPx ?? 0),
        inferences: (s.inferences ?? 0) - (before.inferences ?? 0),
        tiles: v.provenance?.tiles.length ?? 0,
        tileSize: v.provenance?.tile?.size ?? v.tileSize,
        halo: v.provenance?.tile?.halo ?? NaN,
        ms: t1 - t0,
      };
    });
  } finally {
    await page.close();
  }
}

interface Row {
  section: string;
  config: string;
  threads: string;
  model: string;
  scale: number;
  size: number;
  runs: number;
  ms: number | null;
  node: number | null;
  skipped?: string;
}

/** Node-side timings of one configuration: model id -> size -> median ms. */
async function nodeTimes(
  options: OrtNodeOptions,
  jobs: { model: string; size: number }[],
  tiles: Map<number, TileTensor>,
  fast: ExtraModel[] | undefined,
): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const id of [...new Set(jobs.map((j) => j.model))]) {
    const extra = fast?.find((f) => f.id === id);
    if (!extra && !id.startsWith('medical')) continue;
    const model = extra
      ? { id, scale: extra.scale, bytes: new Uint8Array(Buffer.from(extra.base64, 'base64')) }
      : await loadModel(getModel(id));
    const session = await createNodeCpuBackend(options).createSession(model);
    try {
      const sizes = new Set(jobs.filter((j) => j.model === id).map((j) => j.size));
      const mine = new Map([...tiles].filter(([n]) => sizes.has(n)));
      for (const t of await timeTiles(session, id, mine, (n) => runs(n))) out.set(`${id}@${t.size}`, t.ms);
    } finally {
      await session.dispose();
    }
  }
  return out;
}

/** Runs the browser inference benchmark (and node-cpu on the same tiles) and returns Markdown + ratios. */
export async function benchBrowserInference(): Promise<SuiteOutput> {
  const loadStart = loadavg()[0] ?? NaN;
  const dir = mkdtempSync(join(tmpdir(), 'tilesr-fast-'));
  const fast = exportFast(dir);
  rmSync(dir, { recursive: true, force: true });
  const jobs2 = sizeJobs(2).filter((j) => fast || !j.model.startsWith('fast'));
  const jobs1 = sizeJobs(1).filter((j) => fast || !j.model.startsWith('fast'));
  const tiles = await fixtureTiles(new Uint8Array(readFileSync(`${ROOT}/${TILE_FIXTURE}`)), [
    ...new Set([...jobs2, ...WEBGPU_JOBS].map((j) => j.size)),
  ]);

  // node-cpu first, with the browser not yet started (2 cores shared otherwise)
  const knobJob = [{ model: KNOB_MODEL, size: KNOB_TILE }];
  const node2 = await nodeTimes({ threads: 2 }, [...jobs2, ...WEBGPU_JOBS], tiles, fast);
  const node1 = await nodeTimes(
    { threads: 1 },
    [...knobJob, ...jobs1.filter((j) => j.size === 128)],
    tiles,
    fast,
  );
  const nodeLevels: [string, number | undefined][] = [];
  for (const level of ['extended', 'basic'] as const)
    nodeLevels.push([
      level,
      (await nodeTimes({ threads: 2, graphOptimizationLevel: level }, knobJob, tiles, fast)).get(
        `${KNOB_MODEL}@${KNOB_TILE}`,
      ),
    ]);

  const server = await startRepoServer();
  const url = `${server.origin}/bench/browser/index.html`;
  const browser = await launchChromium();
  const rows: Row[] = [];
  let info: BrowserBenchResult | undefined;
  let adapter: string;
  let halo: HaloView | undefined;
  let haloError: string | undefined;
  let webnn: string;
  const knobKey = `${KNOB_MODEL}@${KNOB_TILE}`;
  try {
    for (const k of KNOBS) {
      const res = await runPage(browser, url, {
        backend: 'wasm',
        threads: k.threads,
        knobs: k.knobs,
        fixture: TILE_FIXTURE,
        jobs: [{ model: KNOB_MODEL, size: KNOB_TILE, runs: 3 }],
        budgetMs: 60_000,
      });
      info ??= res;
      const job = res.results[0];
      rows.push({
        section: 'knobs',
        config: k.label,
        threads: String(k.threads),
        model: KNOB_MODEL,
        scale: 2,
        size: KNOB_TILE,
        runs: job?.times.length ?? 0,
        ms: job && job.times.length ? median(job.times) : null,
        node: (k.threads === 1 ? node1 : node2).get(knobKey) ?? null,
        skipped: job?.skipped,
      });
    }
    for (const [threads, jobs, node] of [
      [2, jobs2, node2],
      [1, jobs1, node1],
    ] as const) {
      const res = await runPage(browser, url, {
        backend: 'wasm',
        threads,
        fixture: TILE_FIXTURE,
        jobs,
        budgetMs: 90_000,
        extraModels: fast,
      });
      for (const job of res.results)
        rows.push({
          section: 'sizes',
          config: 'WASM',
          threads: String(threads),
          model: job.model,
          scale: fast?.find((f) => f.id === job.model)?.scale ?? getModel(job.model).scale,
          size: job.size,
          runs: job.times.length,
          ms: job.times.length ? median(job.times) : null,
          node: node.get(`${job.model}@${job.size}`) ?? null,
          skipped: job.skipped,
        });
    }
    const gpu = await runPage(browser, url, {
      backend: 'webgpu',
      fixture: TILE_FIXTURE,
      jobs: WEBGPU_JOBS,
      budgetMs: 60_000,
    });
    adapter = gpu.adapter ?? 'n/a';
    for (const job of gpu.results)
      rows.push({
        section: 'sizes',
        config: `WebGPU, ${SOFTWARE_ADAPTER}`,
        threads: '-',
        model: job.model,
        scale: 2,
        size: job.size,
        runs: job.times.length,
        ms: job.times.length ? median(job.times) : null,
        node: node2.get(`${job.model}@${job.size}`) ?? null,
        skipped: job.skipped,
      });
    // WebNN (navigator.ml) would be another execution provider (ort.all's 'webnn'), CPU included
    const probe = await browser.newPage();
    await probe.goto(url);
    webnn = (await probe.evaluate(() => 'ml' in navigator)) ? 'present' : 'absent';
    await probe.close();
    try {
      halo = await haloOverhead(browser, server.origin);
    } catch (err) {
      haloError = String(err).split('\n')[0];
    }
  } finally {
    await browser.close();
    await server.stop();
  }
  process.stderr.write('\n');

  const baseline = rows.find((r) => r.section === 'knobs')?.ms ?? null;
  const wasm2at128 = rows.find(
    (r) => r.section === 'sizes' && r.threads === '2' && r.model === KNOB_MODEL && r.size === KNOB_TILE,
  );
  const nodeAt128 = node2.get(knobKey) ?? null;
  const ratio = (a: number | null | undefined, b: number | null | undefined) =>
    a != null && b != null && b > 0 ? a / b : null;
  // multiply-adds per LR px of each model, from its graph; GMAC/s of a row's WASM / node-cpu time
  const macs = new Map<string, number>();
  for (const id of new Set(rows.map((r) => r.model))) {
    const extra = fast?.find((f) => f.id === id);
    const bytes = extra ? Buffer.from(extra.base64, 'base64') : (await loadModel(getModel(id))).bytes;
    macs.set(id, convMacsPerLrPixel(bytes));
  }
  const gmacs = (r: Row | undefined, ms: number | null | undefined) =>
    r && ms ? ((macs.get(r.model) ?? NaN) * r.size * r.size) / 1e9 / (ms / 1000) : null;
  const label = (m: string) => (m.startsWith('fast') ? `${m.replace(' (untrained)', '')} (${UNTRAINED})` : m);
  const fastRatio = (threads: string, scale: number, on: 'ms' | 'node') => {
    const f = rows.find(
      (r) =>
        r.section === 'sizes' &&
        r.threads === threads &&
        r.scale === scale &&
        r.model.startsWith('fast') &&
        r.size === 128,
    );
    const m = rows.find(
      (r) =>
        r.section === 'sizes' && r.threads === threads && r.model === `medical-x${scale}` && r.size === 128,
    );
    return ratio(f?.[on], m?.[on]);
  };
  const ratios: Record<string, number | null> = {
    wasm_over_node_cpu: ratio(wasm2at128?.ms, nodeAt128),
    wasm_gmacs: gmacs(wasm2at128, wasm2at128?.ms),
    node_cpu_gmacs: gmacs(wasm2at128, nodeAt128),
    wasm_over_node_cpu_knob_baseline: ratio(baseline, nodeAt128),
    wasm_1thread_over_node_cpu_1thread: ratio(
      rows.find((r) => r.section === 'knobs' && r.threads === '1')?.ms,
      node1.get(knobKey),
    ),
    node_cpu_extended_over_all: ratio(nodeLevels.find(([l]) => l === 'extended')?.[1], nodeAt128),
    live_halo_overhead: halo && halo.shownPx > 0 ? halo.computedPx / halo.shownPx : null,
    live_zoomed_view_ms: halo?.ms ?? null,
    fast_x2_over_full_wasm: fastRatio('2', 2, 'ms'),
    fast_x2_over_full_node_cpu: fastRatio('2', 2, 'node'),
    fast_x4_over_full_wasm: fastRatio('2', 4, 'ms'),
    fast_x4_over_full_node_cpu: fastRatio('2', 4, 'node'),
  };

  const cell = (r: Row) =>
    r.skipped || r.ms == null
      ? `skipped (${r.skipped ?? 'no runs'}) | | | ${fmt(r.node, 1)} | |`
      : `${fmt(r.ms, 1)} | ${fmtMps(outputMps(r.size, r.scale, r.ms))} | ${r.runs} | ${fmt(r.node, 1)} | ${fmt(ratio(r.ms, r.node), 2)} |`;
  const lines = [
    `Chromium: ${info?.userAgent ?? 'n/a'}; crossOriginIsolated ${info?.crossOriginIsolated ?? 'n/a'},`,
    `hardwareConcurrency ${info?.hardwareConcurrency ?? 'n/a'}. WebGPU adapter: ${adapter}.`,
    `Tiles: centred crops of \`${TILE_FIXTURE}\` normalized over the whole slice; node-cpu measured in this`,
    'run before the browser started; median of the timed runs after one warm-up.',
    `1-min load average at the start / end of this suite: ${fmt(loadStart, 2)} / ${fmt(loadavg()[0] ?? NaN, 2)}.`,
    '',
    `WASM knobs, one ${KNOB_TILE}x${KNOB_TILE} ${KNOB_MODEL} tile, each on a fresh page:`,
    '',
    '| configuration | threads | median ms / tile | output MP/s | runs | node-cpu ms (same threads) | ms / node-cpu ms | ms / default |',
    '|---|---|---|---|---|---|---|---|',
    ...rows
      .filter((r) => r.section === 'knobs')
      .map((r) => `| ${r.config} | ${r.threads} | ${cell(r)} ${fmt(ratio(r.ms, baseline), 2)} |`),
    '',
    `node-cpu on the same tile, 2 threads, by graph optimization level (\`all\` adds x86 NCHWc layouts):`,
    '',
    '| graphOptimizationLevel | median ms / tile | ms / `all` ms |',
    '|---|---|---|',
    `| all | ${fmt(nodeAt128, 1)} | 1.00 |`,
    ...nodeLevels.map(([l, ms]) => `| ${l} | ${fmt(ms ?? null, 1)} | ${fmt(ratio(ms, nodeAt128), 2)} |`),
    '',
    `Tile sizes and models on the default WASM settings; "${UNTRAINED}" rows are the \`fast\` architecture`,
    '(32 channels, 6 blocks) with random weights, exported to a temp dir for this run and never shipped.',
    `**WebGPU rows are Chromium's ${SOFTWARE_ADAPTER}, a CPU emulation: they say nothing about a real GPU.**`,
    '',
    '| backend | threads | model | LR tile | median ms / tile | output MP/s | runs | node-cpu ms (same threads) | ms / node-cpu ms | GMAC / tile | GMAC/s | node-cpu GMAC/s |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows
      .filter((r) => r.section === 'sizes')
      .map(
        (r) =>
          `| ${r.config} | ${r.threads} | ${label(r.model)} | ${r.size}x${r.size} | ${cell(r)} ${fmt(((macs.get(r.model) ?? NaN) * r.size * r.size) / 1e9, 2)} | ${fmt(gmacs(r, r.ms), 1)} | ${fmt(gmacs(r, r.node), 1)} |`,
      ),
    '',
    'GMAC: Conv multiply-adds per tile counted from the ONNX graph (bench/macs.ts; medical-x2 1.367 M per',
    'LR px, x4 1.964 M). onnxruntime-web WASM builds installed: ' + wasmBuilds() + '.',
    `WebNN (\`navigator.ml\`, the 'webnn' execution provider of ort.all) in this Chromium: ${webnn}.`,
    '',
    halo
      ? `Live halo overhead, zoomed demo view (512 px viewer, x4, MR slice centre, prefetch off, WASM): ${halo.inferences} inferences for ${halo.tiles} cells of ${halo.tileSize} px (halo ${halo.halo}), ${halo.computedPx} LR px computed / ${halo.shownPx} shown = **${fmt(ratios.live_halo_overhead ?? null, 2)}**, view enhanced in ${fmt(halo.ms, 0)} ms.`
      : `Live halo overhead: not measured (${haloError ?? 'n/a'}).`,
    '',
    '| ratio | value |',
    '|---|---|',
    ...Object.entries(ratios).map(([k, v]) => `| ${k} | ${fmt(v, 3)} |`),
  ];
  return {
    markdown: lines.join('\n'),
    ratios,
    machine: { userAgent: info?.userAgent, webgpuAdapter: adapter },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const out = await benchBrowserInference();
  console.log(typeof out === 'string' ? out : out.markdown);
}
