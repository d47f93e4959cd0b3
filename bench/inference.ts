/**
 * Inference on onnxruntime-node (CPU): per-tile latency and output MP/s at LR tile sizes 64..512 for
 * medical-x2 and medical-x4 (fidelity), on real CT pixels normalized with models/normalize; then the
 * whole-image overhead of the tiling pipeline: enhanceRaster on a real 384x384 MR slice, its wall
 * time against the sum of its per-tile inference times (halo, normalization, stitching, scheduling).
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { openRaster } from '../formats/index.ts';
import { createNodeCpuBackend } from '../models/backend/ort-node.ts';
import { createSession } from '../models/backend/select.ts';
import type { InferenceSession, TileTensor } from '../models/backend/types.ts';
import { getModel, loadModel } from '../models/registry.ts';
import { enhanceRaster } from '../plugin/pipeline/enhance.ts';
import { fixtureTiles, outputMps, TILE_FIXTURE } from './tiles.ts';
import { fmt, median } from './timing.ts';

/** The models measured (fidelity variants). */
export const INFERENCE_MODELS = ['medical-x2', 'medical-x4'] as const;
/** LR tile sides measured per tile. */
export const TILE_SIZES = [64, 128, 256, 512] as const;
/** The whole-image fixture (384x384 12-bit MR, uncompressed). */
export const IMAGE_FIXTURE = 'fixtures/dicom/mr384_12bit_explicit_le.dcm';

/** Timed runs after one warm-up: fewer at large tiles to keep the suite near 3 minutes on 2 cores. */
export function runsFor(n: number, scale: number): number {
  if (n <= 64) return 7;
  if (n <= 128) return 5;
  if (n <= 256) return 3;
  return scale >= 4 ? 1 : 2;
}

/** One measured tile: median ms over `runs` runs after a warm-up. */
export interface TileTiming {
  model: string;
  scale: number;
  size: number;
  runs: number;
  /** Median ms. */
  ms: number;
  /** Fastest run (ms): less sensitive to other work on a shared machine. */
  minMs: number;
}

/** Per-tile latency of a session over the given tiles (one warm-up per size, then `runsFor` runs). */
export async function timeTiles(
  session: InferenceSession,
  model: string,
  tiles: Map<number, TileTensor>,
  runs: (n: number, scale: number) => number = runsFor,
): Promise<TileTiming[]> {
  const out: TileTiming[] = [];
  for (const [n, tile] of tiles) {
    const r = runs(n, session.scale);
    await session.run(tile); // warm-up: first run of a shape allocates and plans
    const times: number[] = [];
    for (let i = 0; i < r; i++) {
      const t0 = performance.now();
      await session.run(tile);
      times.push(performance.now() - t0);
    }
    out.push({ model, scale: session.scale, size: n, runs: r, ms: median(times), minMs: Math.min(...times) });
    process.stderr.write('.');
  }
  return out;
}

/** Formats MP/s with 3 significant digits (the software WebGPU adapter runs at ~0.001 MP/s). */
export function fmtMps(x: number): string {
  return Number.isFinite(x) ? x.toPrecision(3) : 'n/a';
}

/** Counts LR pixels sent to a session (to report the halo's share of the work). */
class CountingSession implements InferenceSession {
  lrPixels = 0;
  constructor(private readonly inner: InferenceSession) {}
  get backend() {
    return this.inner.backend;
  }
  get modelId() {
    return this.inner.modelId;
  }
  get scale() {
    return this.inner.scale;
  }
  run(tile: TileTensor, signal?: AbortSignal): Promise<TileTensor> {
    this.lrPixels += tile.width * tile.height;
    return this.inner.run(tile, signal);
  }
  dispose(): Promise<void> {
    return this.inner.dispose();
  }
}

/** Runs the Node inference benchmark and returns Markdown. */
export async function benchInference(): Promise<string> {
  const loadStart = loadavg()[0] ?? NaN;
  const tiles = await fixtureTiles(new Uint8Array(readFileSync(TILE_FIXTURE)), [...TILE_SIZES]);
  const perTile: TileTiming[] = [];
  for (const id of INFERENCE_MODELS) {
    const session = await createNodeCpuBackend().createSession(await loadModel(getModel(id)));
    try {
      perTile.push(...(await timeTiles(session, id, tiles)));
    } finally {
      await session.dispose();
    }
  }

  const src = await openRaster(new Uint8Array(readFileSync(IMAGE_FIXTURE)));
  const raster = await src.read();
  await src.close();
  const imagePx = raster.width * raster.height;
  const whole: string[] = [];
  for (const id of INFERENCE_MODELS) {
    const t0 = performance.now();
    const session = new CountingSession(
      await createSession(await loadModel(getModel(id)), { preference: 'node-cpu' }),
    );
    const createMs = performance.now() - t0;
    try {
      for (const tile of [128, 256]) {
        const runs = session.scale >= 4 ? 2 : 3;
        const totals: number[] = [];
        const sums: number[] = [];
        const ratios: number[] = [];
        let count = 0;
        for (let i = 0; i <= runs; i++) {
          session.lrPixels = 0;
          const r = await enhanceRaster(raster, { modelId: id, tile, session });
          if (i === 0) continue; // warm-up: first shapes of this tile plan
          const { totalMs, inferenceMs } = r.provenance.timings;
          totals.push(totalMs);
          sums.push(inferenceMs);
          ratios.push(totalMs / inferenceMs);
          count = r.provenance.tile.count;
          process.stderr.write('.');
        }
        const total = median(totals);
        whole.push(
          `| ${id} | ${tile} | ${count} | ${fmt(session.lrPixels / imagePx, 2)} | ${fmt(createMs, 0)} | ${fmt(total, 0)} | ${fmt(median(sums), 0)} | ${fmt(median(ratios), 3)} | ${fmtMps(outputMps(Math.sqrt(imagePx), session.scale, total))} | ${runs} |`,
        );
      }
    } finally {
      await session.dispose();
    }
  }
  process.stderr.write('\n');

  return [
    `Backend node-cpu (onnxruntime-node, all cores), fidelity weights. Per-tile inputs: centred crops of`,
    `\`${TILE_FIXTURE}\` normalized over the whole slice; median of the timed runs after one warm-up.`,
    '',
    `1-min load average at the start / end of this suite: ${fmt(loadStart, 2)} / ${fmt(loadavg()[0] ?? NaN, 2)}.`,
    '',
    '| model | LR tile | SR tile | runs | median ms / tile | min ms | output MP/s (median) |',
    '|---|---|---|---|---|---|---|',
    ...perTile.map(
      (t) =>
        `| ${t.model} | ${t.size}x${t.size} | ${t.size * t.scale}x${t.size * t.scale} | ${t.runs} | ${fmt(t.ms, 1)} | ${fmt(t.minMs, 1)} | ${fmtMps(outputMps(t.size, t.scale, t.ms))} |`,
    ),
    '',
    `Whole image: \`enhanceRaster\` on \`${IMAGE_FIXTURE}\` (${raster.width}x${raster.height}), default halo`,
    '(receptive field + 4), an open warm session (session creation listed apart), median of the timed runs',
    'after a warm-up. "sum of tile inference" is `provenance.timings.inferenceMs`; total / sum is the',
    "pipeline's own overhead (normalization, cropping, stitching, scheduling). LR px computed / image px is",
    "the halo's extra work, already inside the sum.",
    '',
    '| model | tile | tiles | LR px computed / image px | session create ms | total ms | sum of tile inference ms | total / sum | output MP/s | runs |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...whole,
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(await benchInference());
