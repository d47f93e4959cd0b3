/**
 * int8 (QDQ) and fp16 variants of the shipped generators: produce, measure, decide (issue 15).
 *
 * 1. Calibration crops: real training slices from ../shared/data/train/<domain> decoded by formats/,
 *    normalized by models/normalize over the whole image (what inference sees), centred 96 px crops,
 *    written as float32 .npy. Absent data: the int8 variant is skipped with a message.
 * 2. models/tools/quantize.py writes the variants (QDQ int8, fp16, and `fold`: fp32 with the residual
 *    scale folded, to separate folding from quantization) into a temp dir.
 * 3. Accuracy: each variant gets a temp card (the shipped card with its own sha256) and goes through
 *    `tilesr validate --model-file` exactly like the fp32 model: Set5 Y channel at the model's scale
 *    (test/quality.test.ts) and, for medical models, the real 12-bit MR slice. Guards: int8 <= 0.1 dB,
 *    fp16 <= 0.05 dB PSNR loss vs fp32 on every set.
 * 4. Speed (a benchmark, never a test): onnxruntime-node CPU, fp32 and the variants interleaved run by
 *    run on the same real CT tile; then Chromium WASM (2 threads) on the bench page, variants in
 *    alternating rounds on one page. The 1-min load average is recorded with every number.
 * Writes bench/results/quant.json (the shape of bench/report.ts's BenchResult) with `--json PATH`.
 *
 * Usage: node --import tsx models/tools/quantize.ts [--models medical-x2,medical-x4] [--no-browser]
 *   [--runs 5] [--tile 128] [--json bench/results/quant.json]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, platform, release, tmpdir, totalmem } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { openRaster, toModalityValues } from '../../formats/index.ts';
import { createNodeCpuBackend } from '../backend/ort-node.ts';
import type { InferenceSession, TileTensor } from '../backend/types.ts';
import { sha256Hex } from '../integrity.ts';
import { computeRange, normalize } from '../normalize.ts';
import { getModel } from '../registry.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TRAIN = join(ROOT, '../shared/data/train');
const SET5 = join(ROOT, '../shared/data/benchmarks/Set5');
const MR_SLICE = 'fixtures/dicom/mr384_12bit_explicit_le.dcm';
const TILE_FIXTURE = 'fixtures/dicom/ct512_jpegls_near_lossless.dcm';
const PY = process.env.PYTHON ?? '/usr/bin/python3';
const CROP = 96;

/** The accuracy guards of issue 15 (dB of PSNR loss vs the fp32 model, on every validation set). */
export const GUARD_DB = { int8: 0.1, fp16: 0.05 } as const;
type Variant = 'fp32' | 'fold' | 'int8' | 'fp16';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

/** float32 NumPy file of shape `shape`. */
export function npyBytes(data: Float32Array, shape: number[]): Buffer {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const head = Buffer.alloc(10);
  head.write('\x93NUMPY', 0, 'latin1');
  head[6] = 1;
  head[7] = 0;
  head.writeUInt16LE(header.length, 8);
  return Buffer.concat([
    head,
    Buffer.from(header, 'latin1'),
    Buffer.from(data.buffer, data.byteOffset, data.byteLength),
  ]);
}

/** Files of one training folder, every k-th so that `n` are taken. */
function spread(dir: string, n: number): string[] {
  if (!existsSync(dir)) return [];
  const all = readdirSync(dir)
    .filter((f) => /\.(dcm|dcm\.gz|tif|tiff)$/i.test(f))
    .sort();
  const step = Math.max(1, Math.floor(all.length / n));
  return all
    .filter((_, i) => i % step === Math.floor(step / 2))
    .slice(0, n)
    .map((f) => join(dir, f));
}

/** Centred CROP x CROP crops of real training images, normalized over each whole image (band 0). */
export async function calibrationCrops(
  domain: string,
): Promise<{ data: Float32Array; n: number; files: string[] } | undefined> {
  const dirs =
    domain === 'medical'
      ? [
          [join(TRAIN, 'medical/mr_t1_mprage_philips'), 6],
          [join(TRAIN, 'medical/ct_phantom_philips'), 4],
        ]
      : [
          [join(TRAIN, 'satellite/landsat8_rio_pansharpen'), 4],
          [join(TRAIN, 'satellite/naip'), 2],
          [join(TRAIN, 'satellite/misc'), 4],
        ];
  const crops: Float32Array[] = [];
  const used: string[] = [];
  for (const [dir, n] of dirs as [string, number][]) {
    for (const file of spread(dir, n)) {
      let bytes = new Uint8Array(readFileSync(file));
      if (file.endsWith('.gz')) bytes = new Uint8Array(gunzipSync(bytes));
      try {
        const src = await openRaster(bytes);
        const r = await src.read();
        await src.close();
        if (r.width < CROP || r.height < CROP) continue;
        const values = toModalityValues(r);
        const sel = { stride: r.samples, band: 0 };
        const plane = normalize(values, computeRange(values, sel), sel);
        const x0 = (r.width - CROP) >> 1;
        const y0 = (r.height - CROP) >> 1;
        const crop = new Float32Array(CROP * CROP);
        for (let y = 0; y < CROP; y++)
          crop.set(plane.subarray((y0 + y) * r.width + x0, (y0 + y) * r.width + x0 + CROP), y * CROP);
        crops.push(crop);
        used.push(file.slice(TRAIN.length + 1));
      } catch (err) {
        process.stderr.write(`calibration: skipped ${file}: ${String(err)}\n`);
      }
    }
  }
  if (crops.length === 0) return undefined;
  const data = new Float32Array(crops.length * CROP * CROP);
  crops.forEach((c, i) => data.set(c, i * CROP * CROP));
  return { data, n: crops.length, files: used };
}

interface Made {
  variant: Variant;
  path: string;
  bytes: number;
}

/** Runs quantize.py; returns the variants it wrote (fp32 = the shipped file). */
function makeVariants(onnxPath: string, dir: string, calib: string | undefined): Made[] {
  const which = calib ? 'int8,fp16' : 'fp16';
  if (!calib) process.stderr.write('int8 skipped: no calibration crops (../shared/data/train absent)\n');
  const r = spawnSync(
    PY,
    [
      join(ROOT, 'models/tools/quantize.py'),
      onnxPath,
      dir,
      ...(calib ? ['--calib', calib] : []),
      '--which',
      which,
    ],
    { encoding: 'utf8', timeout: 600_000 },
  );
  if (r.status !== 0) throw new Error(`quantize.py failed: ${r.stderr}`);
  const made: Made[] = [{ variant: 'fp32', path: onnxPath, bytes: readFileSync(onnxPath).length }];
  for (const line of r.stdout.split('\n').filter((l) => l.startsWith('{')))
    made.push(JSON.parse(line) as Made);
  return made;
}

/** A temp card for a variant: the shipped card with its name, file, size and sha256. */
async function writeCard(modelId: string, m: Made, dir: string): Promise<string> {
  const entry = getModel(modelId);
  const card = JSON.parse(readFileSync(join(ROOT, 'models/weights', `${entry.key}.json`), 'utf8')) as Record<
    string,
    unknown
  > & { onnx: Record<string, unknown>; name: string };
  const bytes = new Uint8Array(readFileSync(m.path));
  const out = {
    ...card,
    name: `${card.name}_${m.variant}`,
    onnx: { ...card.onnx, file: m.path, bytes: bytes.length, sha256: await sha256Hex(bytes) },
  };
  const file = join(dir, `${basename(m.path, '.onnx')}.card.json`);
  writeFileSync(file, JSON.stringify(out, null, 1));
  return file;
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
  const { startRepoServer, launchChromium } = await import('../../scripts/repo-server.ts');
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
      const crops = await calibrationCrops(entry.domain);
      let calib: string | undefined;
      if (crops) {
        calib = join(dir, `calib-${entry.domain}.npy`);
        writeFileSync(calib, npyBytes(crops.data, [crops.n, 1, CROP, CROP]));
        calibNotes.push(`${id}: ${crops.n} crops of ${CROP} px from ${crops.files.join(', ')}`);
      }
      const made = makeVariants(join(ROOT, 'models/weights', `${entry.key}.onnx`), dir, calib);
      process.stderr.write(`${id}: variants ${made.map((m) => `${m.variant} ${m.bytes} B`).join(', ')}\n`);

      // accuracy through the CLI, like the fp32 model
      const sets: [string, string, string[]][] = [];
      if (existsSync(SET5)) sets.push([`Set5 Y x${entry.scale}`, SET5, ['--y-channel']]);
      if (entry.domain === 'medical') sets.push(['MR slice (12-bit)', MR_SLICE, []]);
      const psnr = new Map<string, number>();
      for (const m of made) {
        const card = await writeCard(id, m, dir);
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
