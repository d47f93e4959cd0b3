/**
 * int8 (QDQ) and fp16 variants of the shipped generators: measure and decide (issue 15). The
 * variants and their cards come from models/tools/quantize.ts (calibration on real training crops,
 * models/tools/quantize.py); this measures them.
 *
 * 1. Accuracy: each variant's card goes through `tilesr validate --model-file` exactly like the fp32
 *    model: Set5 Y channel at the model's scale (test/quality.test.ts) and, for medical models, the
 *    real 12-bit MR slice. Guards (GUARD_DB): int8 <= 0.1 dB, fp16 <= 0.05 dB PSNR loss vs fp32 on
 *    every set.
 * 2. Speed (a benchmark, never a test): onnxruntime-node CPU, fp32 and the variants interleaved run by
 *    run on the same real CT tile; then Chromium WASM (2 threads) on the bench page, variants in
 *    alternating rounds on one page. The 1-min load average is recorded with every number.
 * Writes bench/results/quant.json (the shape of bench/report.ts's BenchResult) with `--json PATH`.
 *
 * Usage: node --import tsx bench/quant.ts [--models medical-x2,medical-x4] [--no-browser]
 *   [--runs 5] [--tile 128] [--json bench/results/quant.json]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, platform, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openRaster, toModalityValues } from '../formats/index.ts';
import { createNodeCpuBackend } from '../models/backend/ort-node.ts';
import type { InferenceSession, TileTensor } from '../models/backend/types.ts';
import { computeRange, normalize } from '../models/normalize.ts';
import { getModel } from '../models/registry.ts';
import { quantizeModel, writeVariantCard, type Made, type Variant } from '../models/tools/quantize.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SET5 = join(ROOT, '../shared/data/benchmarks/Set5');
const MR_SLICE = 'fixtures/dicom/mr384_12bit_explicit_le.dcm';
const TILE_FIXTURE = 'fixtures/dicom/ct512_jpegls_near_lossless.dcm';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

interface Summary {
  summary: Record<string, { n: number; psnr: number; ssim: number }>;
  errors: unknown[];
}

/** `tilesr validate` of a card on a set; PSNR/SSIM of the model over the set. */
function validate(
  card: string,
  gt: string,
  extra: string[],
  dir: string,
): { psnr: number; ssim: number; n: number } {
  const out = join(dir, `v-${Math.random().toString(36).slice(2)}.json`);
  const r = spawnSync(
    process.execPath,
    [join(ROOT, 'bin/tilesr.mjs'), 'validate', '--gt', gt, '--model-file', card, '--json', out, ...extra],
    { encoding: 'utf8', timeout: 1_200_000, cwd: ROOT },
  );
  if (r.status !== 0) throw new Error(`validate ${card} on ${gt}: ${r.stderr}`);
  const s = JSON.parse(readFileSync(out, 'utf8')) as Summary;
  const m = s.summary['model'];
  if (!m || s.errors.length > 0) throw new Error(`validate ${card}: ${JSON.stringify(s.errors)}`);
  return m;
}

/** A centred n x n crop of the CT fixture, normalized over the whole slice (as bench/tiles.ts). */
async function ctTile(n: number): Promise<TileTensor> {
  const src = await openRaster(new Uint8Array(readFileSync(join(ROOT, TILE_FIXTURE))));
  const r = await src.read();
  await src.close();
  const values = toModalityValues(r);
  const sel = { stride: r.samples, band: 0 };
  const plane = normalize(values, computeRange(values, sel), sel);
  const x0 = (r.width - n) >> 1;
  const y0 = (r.height - n) >> 1;
  const data = new Float32Array(n * n);
  for (let y = 0; y < n; y++)
    data.set(plane.subarray((y0 + y) * r.width + x0, (y0 + y) * r.width + x0 + n), y * n);
  return { data, width: n, height: n };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] ?? NaN) : ((s[m - 1] ?? NaN) + (s[m] ?? NaN)) / 2;
}

/** node-cpu ms per tile of each variant, interleaved run by run (one warm-up each). */
async function nodeSpeed(
  made: Made[],
  scale: number,
  tile: TileTensor,
  runs: number,
): Promise<Map<Variant, number>> {
  const sessions: [Variant, InferenceSession][] = [];
  for (const m of made)
    sessions.push([
      m.variant,
      await createNodeCpuBackend({ threads: 2 }).createSession({
        id: m.variant,
        scale,
        bytes: new Uint8Array(readFileSync(m.path)),
      }),
    ]);
  const times = new Map<Variant, number[]>(sessions.map(([v]) => [v, []]));
  try {
    for (const [, s] of sessions) await s.run(tile);
    for (let i = 0; i < runs; i++)
      for (const [v, s] of sessions) {
        const t0 = performance.now();
        await s.run(tile);
        times.get(v)?.push(performance.now() - t0);
      }
  } finally {
    for (const [, s] of sessions) await s.dispose();
  }
  return new Map([...times].map(([v, t]) => [v, median(t)]));
}

interface PageResult {
  userAgent: string;
  results: { model: string; size: number; runs: number; times: number[]; skipped?: string }[];
}

/** Chromium WASM (2 threads) ms per tile of each variant: alternating rounds on one bench page. */
async function browserSpeed(
  made: Made[],
  scale: number,
  size: number,
  runs: number,
): Promise<{ ms: Map<Variant, number>; userAgent: string }> {
  const { startRepoServer, launchChromium } = await import('../scripts/repo-server.ts');
  const server = await startRepoServer();
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    page.on('pageerror', (e) => process.stderr.write(`[page error] ${e.message}\n`));
    await page.goto(`${server.origin}/bench/browser/index.html`);
    await page.waitForFunction(() => 'tilesrBench' in globalThis, undefined, { timeout: 60_000 });
    const extraModels = made.map((m) => ({
      id: `q-${m.variant}`,
      scale,
      base64: readFileSync(m.path).toString('base64'),
    }));
    const jobs = [];
    for (let round = 0; round < runs; round++)
      for (const m of round % 2 ? [...made].reverse() : made)
        jobs.push({ model: `q-${m.variant}`, size, runs: 1 });
    const req = { backend: 'wasm', threads: 2, fixture: TILE_FIXTURE, jobs, budgetMs: 900_000, extraModels };
    const res = await page.evaluate(
      (r) => (globalThis as unknown as { tilesrBench: (q: unknown) => Promise<PageResult> }).tilesrBench(r),
      req,
    );
    const ms = new Map<Variant, number>();
    for (const m of made)
      ms.set(
        m.variant,
        median(res.results.filter((j) => j.model === `q-${m.variant}`).flatMap((j) => j.times)),
      );
    return { ms, userAgent: res.userAgent };
  } finally {
    await browser.close();
    await server.stop();
  }
}

type Cell = string | number | null;
const r2 = (x: number) => Math.round(x * 100) / 100;
const r3 = (x: number) => Math.round(x * 1000) / 1000;

async function main(): Promise<void> {
  const models = arg('models', 'medical-x2,medical-x4').split(',');
  const runs = Number(arg('runs', '5'));
  const size = Number(arg('tile', '128'));
  const jsonPath = arg('json', '');
  const browser = !process.argv.includes('--no-browser');
  const dir = mkdtempSync(join(tmpdir(), 'tilesr-quant-'));
  const load0 = loadavg()[0] ?? NaN;
  const accRows: Cell[][] = [];
  const speedRows: Cell[][] = [];
  const ratios: Record<string, number | null> = {};
  const calibNotes: string[] = [];
  let userAgent = '';
  try {
    const tile = await ctTile(size);
    for (const id of models) {
      const entry = getModel(id);
      const { made, calibration } = await quantizeModel(id, dir);
      if (calibration) calibNotes.push(calibration);
      process.stderr.write(`${id}: variants ${made.map((m) => `${m.variant} ${m.bytes} B`).join(', ')}\n`);

      // accuracy through the CLI, like the fp32 model
      const sets: [string, string, string[]][] = [];
      if (existsSync(SET5)) sets.push([`Set5 Y x${entry.scale}`, SET5, ['--y-channel']]);
      if (entry.domain === 'medical') sets.push(['MR slice (12-bit)', MR_SLICE, []]);
      const psnr = new Map<string, number>();
      for (const m of made) {
        const card = await writeVariantCard(id, m, dir);
        for (const [label, gt, extra] of sets) {
          const v = validate(card, gt, extra, dir);
          psnr.set(`${m.variant}|${label}`, v.psnr);
          const base = psnr.get(`fp32|${label}`) ?? v.psnr;
          accRows.push([id, m.variant, label, v.n, r3(v.psnr), r3(v.ssim), r3(v.psnr - base), m.bytes]);
          process.stderr.write(`${id} ${m.variant} ${label}: ${v.psnr.toFixed(3)} dB\n`);
        }
      }
      for (const v of ['int8', 'fp16'] as const) {
        const losses = sets
          .map(([label]) => (psnr.get(`fp32|${label}`) ?? NaN) - (psnr.get(`${v}|${label}`) ?? NaN))
          .filter((x) => Number.isFinite(x));
        ratios[`${id}_${v}_max_loss_db`] = losses.length ? r3(Math.max(...losses)) : null;
      }

      // speed
      const l0 = loadavg()[0] ?? NaN;
      const node = await nodeSpeed(made, entry.scale, tile, runs);
      const l1 = loadavg()[0] ?? NaN;
      let wasm = new Map<Variant, number>();
      let l2 = l1;
      if (browser) {
        const b = await browserSpeed(made, entry.scale, size, Math.max(2, Math.ceil(runs / 2)));
        wasm = b.ms;
        userAgent = b.userAgent;
        l2 = loadavg()[0] ?? NaN;
      }
      const n32 = node.get('fp32') ?? NaN;
      const w32 = wasm.get('fp32') ?? NaN;
      for (const m of made) {
        const n = node.get(m.variant) ?? NaN;
        const w = wasm.get(m.variant);
        speedRows.push([
          id,
          m.variant,
          `${size}x${size}`,
          r2(n),
          r3(n / n32),
          w === undefined ? 'n/a' : r2(w),
          w === undefined ? 'n/a' : r3(w / w32),
          `${r2(l0)} / ${r2(l1)} / ${r2(l2)}`,
        ]);
        if (m.variant !== 'fp32') {
          ratios[`${id}_${m.variant}_over_fp32_node_cpu`] = r3(n / n32);
          ratios[`${id}_${m.variant}_over_fp32_wasm`] = w === undefined ? null : r3(w / w32);
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const accCols = [
    'model',
    'variant',
    'set',
    'images',
    'PSNR (dB)',
    'SSIM',
    'PSNR - fp32 (dB)',
    'ONNX bytes',
  ];
  const speedCols = [
    'model',
    'variant',
    'LR tile',
    'node-cpu ms (2 threads)',
    'node / fp32',
    'Chromium WASM ms (2 threads)',
    'WASM / fp32',
    'load avg: start / after node / after WASM',
  ];
  const table = (cols: string[], rows: Cell[][]) =>
    [
      `| ${cols.join(' | ')} |`,
      `|${cols.map(() => '---').join('|')}|`,
      ...rows.map((r) => `| ${r.map((c) => c ?? '').join(' | ')} |`),
    ].join('\n');
  console.log(`Calibration: ${calibNotes.join('; ') || 'none (int8 skipped)'}\n`);
  console.log(table(accCols, accRows));
  console.log('');
  console.log(table(speedCols, speedRows));
  console.log(JSON.stringify(ratios, null, 1));
  if (jsonPath) {
    const version = (p: string) => {
      try {
        return (
          JSON.parse(readFileSync(join(ROOT, 'node_modules', p, 'package.json'), 'utf8')) as {
            version: string;
          }
        ).version;
      } catch {
        return null;
      }
    };
    const chromium = spawnSync(process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', ['--version'], {
      encoding: 'utf8',
    });
    const tables = [
      { notes: calibNotes, columns: accCols, rows: accRows },
      { notes: [], columns: speedCols, rows: speedRows },
    ];
    const result = {
      suite: 'quant',
      date: new Date().toISOString(),
      machine: {
        cpu: cpus()[0]?.model ?? 'unknown CPU',
        cores: cpus().length,
        memoryGiB: Math.round(totalmem() / 2 ** 30),
        os: `${platform()} ${release()}`,
        node: process.version,
        browser: chromium.status === 0 ? chromium.stdout.trim() : null,
        ...(userAgent ? { userAgent } : {}),
        onnxruntime: {
          node: version('onnxruntime-node'),
          web: version('onnxruntime-web'),
          common: version('onnxruntime-common'),
        },
        load: [load0, loadavg()[0] ?? NaN],
      },
      rows: tables.flatMap((t, i) =>
        t.rows.map((r) => Object.fromEntries([['table', i], ...t.columns.map((c, j) => [c, r[j] ?? null])])),
      ),
      ratios,
      tables,
    };
    writeFileSync(jsonPath, `${JSON.stringify(result, null, 1)}\n`);
    process.stderr.write(`wrote ${jsonPath}\n`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
