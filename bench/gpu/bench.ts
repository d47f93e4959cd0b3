/**
 * The Node half of bench/gpu/run.sh, bundled by `run.sh pack` into one .mjs (onnxruntime-node external)
 * so that it runs on a GPU machine with a carried `node` and no npm: per-tile latency of every shipped
 * model (and the reduced-precision variants found in --variants) on onnxruntime-node's WebGPU EP (Dawn
 * on Vulkan) and on node-cpu, at LR tiles of 128-512 px, beside PyTorch fp32/fp16 on the same GPU
 * (rows from bench/gpu/torch_bench.py) and, when it ran, headless Chromium's WebGPU (bench/gpu/browser.ts).
 * Writes the JSON of bench/report.ts (suite `gpu`) and prints the Markdown.
 *
 * node bench.mjs --weights models/weights --plane tiles.f32 --out gpu.json [--torch torch.json]
 *   [--browser browser.json] [--variants DIR] [--sizes 128,256,512] [--cpu-sizes 128] [--runs 5]
 *   [--ort-package node_modules/onnxruntime-node/package.json] [--gpu-name NAME]
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, platform, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { createNodeCpuBackend, createNodeWebGpuBackend } from '../../models/backend/ort-node.ts';
import type { BackendFactory, InferenceSession, TileTensor } from '../../models/backend/types.ts';
import { verifySha256 } from '../../models/integrity.ts';
import { listModels } from '../../models/registry.ts';

type Cell = string | number | null;

/** One timed configuration, from any of the three sources. */
export interface GpuRow {
  model: string;
  backend: string;
  precision: string;
  size: number;
  scale: number;
  runs: number;
  ms: number | null;
  minMs: number | null;
  note?: string;
}

function arg(name: string, fallback = ''): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] ?? NaN) : ((s[m - 1] ?? NaN) + (s[m] ?? NaN)) / 2;
}

/** Centred n x n crops of the 512 x 512 normalized CT plane written by `run.sh pack`. */
function tiles(planeFile: string, sizes: number[]): Map<number, TileTensor> {
  const buf = readFileSync(planeFile);
  const plane = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
  const side = Math.round(Math.sqrt(plane.length));
  const out = new Map<number, TileTensor>();
  for (const n of sizes) {
    const o = (side - n) >> 1;
    const data = new Float32Array(n * n);
    for (let y = 0; y < n; y++) data.set(plane.subarray((o + y) * side + o, (o + y) * side + o + n), y * n);
    out.set(n, { data, width: n, height: n });
  }
  return out;
}

interface Job {
  model: string;
  precision: string;
  scale: number;
  bytes: Uint8Array;
}

async function jobs(weights: string, variantsDir: string): Promise<Job[]> {
  const out: Job[] = [];
  for (const e of listModels()) {
    const bytes = new Uint8Array(readFileSync(join(weights, `${e.key}.onnx`)));
    await verifySha256(bytes, e.sha256, `${e.key}.onnx`);
    const label = e.perceptual ? `${e.id} (perceptual)` : e.id;
    out.push({ model: label, precision: 'fp32', scale: e.scale, bytes });
    if (variantsDir && existsSync(variantsDir))
      for (const f of readdirSync(variantsDir).sort()) {
        const m = new RegExp(`^${e.key}_(int8|fp16)\\.onnx$`).exec(f);
        if (m?.[1])
          out.push({
            model: label,
            precision: `${m[1]} (not shipped)`,
            scale: e.scale,
            bytes: new Uint8Array(readFileSync(join(variantsDir, f))),
          });
      }
  }
  return out;
}

async function timeBackend(
  backend: string,
  factory: BackendFactory,
  all: Job[],
  t: Map<number, TileTensor>,
  runs: number,
): Promise<GpuRow[]> {
  const rows: GpuRow[] = [];
  for (const job of all) {
    let session: InferenceSession | undefined;
    try {
      session = await factory.createSession({ id: job.model, scale: job.scale, bytes: job.bytes });
      for (const [size, tile] of t) {
        await session.run(tile); // warm-up: shaders compiled, buffers planned
        const times: number[] = [];
        for (let i = 0; i < runs; i++) {
          const t0 = performance.now();
          await session.run(tile); // output read back to the host, as in the viewer
          times.push(performance.now() - t0);
        }
        rows.push({ ...job, backend, size, runs, ms: median(times), minMs: Math.min(...times) });
        process.stderr.write('.');
      }
    } catch (err) {
      const note = err instanceof Error ? err.message.split('\n')[0] : String(err);
      for (const size of t.keys())
        rows.push({ ...job, backend, size, runs: 0, ms: null, minMs: null, note: `failed: ${note}` });
      if (rows.length === t.size && /unavailable|adapter|vulkan|webgpu/i.test(note ?? '')) break;
    } finally {
      await session?.dispose();
    }
  }
  return rows;
}

const r2 = (x: number | null) => (x === null || !Number.isFinite(x) ? null : Math.round(x * 100) / 100);
const r3 = (x: number | null) => (x === null || !Number.isFinite(x) ? null : Math.round(x * 1000) / 1000);

async function main(): Promise<void> {
  const load0 = loadavg()[0] ?? NaN;
  const sizes = arg('sizes', '128,256,512').split(',').map(Number);
  const cpuSizes = arg('cpu-sizes', '128').split(',').filter(Boolean).map(Number);
  const runs = Number(arg('runs', '5'));
  const all = await jobs(arg('weights', 'models/weights'), arg('variants'));
  const plane = arg('plane');
  const t = tiles(plane, sizes);
  const rows: GpuRow[] = [];
  rows.push(
    ...(await timeBackend('onnxruntime-node WebGPU (Dawn, Vulkan)', createNodeWebGpuBackend(), all, t, runs)),
  );
  if (cpuSizes.length > 0)
    rows.push(
      ...(await timeBackend(
        `onnxruntime-node CPU (${cpus().length} threads)`,
        createNodeCpuBackend(),
        all.filter((j) => j.precision === 'fp32' || j.precision.startsWith('int8')),
        new Map([...tiles(plane, cpuSizes)]),
        Math.min(runs, 3),
      )),
    );
  for (const file of [arg('torch'), arg('browser')])
    if (file && existsSync(file)) rows.push(...(JSON.parse(readFileSync(file, 'utf8')) as GpuRow[]));
  process.stderr.write('\n');

  const torch16 = new Map(
    rows
      .filter((r) => r.backend.startsWith('PyTorch') && r.precision === 'fp16')
      .map((r) => [`${r.model}@${r.size}`, r.ms]),
  );
  const columns = [
    'model',
    'backend',
    'precision',
    'LR tile',
    'SR tile',
    'runs',
    'median ms / tile',
    'min ms',
    'output MP/s',
    'ms / PyTorch fp16 ms',
    'note',
  ];
  const table: Cell[][] = rows.map((r) => {
    const ref = torch16.get(`${r.model}@${r.size}`) ?? null;
    const mps = r.ms ? (r.size * r.scale) ** 2 / 1e6 / (r.ms / 1000) : null;
    return [
      r.model,
      r.backend,
      r.precision,
      `${r.size}x${r.size}`,
      `${r.size * r.scale}x${r.size * r.scale}`,
      r.runs,
      r2(r.ms),
      r2(r.minMs),
      r3(mps),
      r.ms !== null && ref ? r2(r.ms / ref) : null,
      r.note ?? null,
    ];
  });
  const ratios: Record<string, number | null> = {};
  for (const r of rows)
    if (r.backend.includes('WebGPU') && r.precision === 'fp32' && !r.model.includes('perceptual'))
      ratios[
        `${r.backend.startsWith('Chromium') ? 'chromium' : 'node'}_webgpu_over_torch_fp16_${r.model}_${r.size}`
      ] =
        r.ms !== null && torch16.get(`${r.model}@${r.size}`)
          ? r3(r.ms / (torch16.get(`${r.model}@${r.size}`) ?? NaN))
          : null;

  const ortPkg = arg('ort-package', 'node_modules/onnxruntime-node/package.json');
  const ortVersion = existsSync(ortPkg)
    ? (JSON.parse(readFileSync(ortPkg, 'utf8')) as { version: string }).version
    : null;
  const notes = [
    `Per tile: a centred crop of the normalized CT fixture, one warm-up, then the timed runs (median);`,
    `onnxruntime and PyTorch times include the upload and the read-back of the output to the host.`,
    `1-min load average at the start / end: ${r2(load0)} / ${r2(loadavg()[0] ?? NaN)}.`,
  ];
  const md = [
    ...notes,
    '',
    `| ${columns.join(' | ')} |`,
    `|${columns.map(() => '---').join('|')}|`,
    ...table.map((r) => `| ${r.map((c) => c ?? '').join(' | ')} |`),
  ].join('\n');
  console.log(md);
  const result = {
    suite: 'gpu',
    date: new Date().toISOString(),
    machine: {
      cpu: cpus()[0]?.model ?? 'unknown CPU',
      cores: cpus().length,
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      os: `${platform()} ${release()}`,
      node: process.version,
      browser: arg('browser-version') || null,
      gpu: arg('gpu-name') || null,
      onnxruntime: { node: ortVersion, web: null, common: ortVersion },
      load: [load0, loadavg()[0] ?? NaN],
    },
    rows: table.map((r) => Object.fromEntries([['table', 0], ...columns.map((c, j) => [c, r[j] ?? null])])),
    ratios,
    tables: [{ notes, columns, rows: table }],
  };
  writeFileSync(arg('out', 'gpu.json'), `${JSON.stringify(result, null, 1)}\n`);
  process.stderr.write(`wrote ${arg('out', 'gpu.json')}\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
