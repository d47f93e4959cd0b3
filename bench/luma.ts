/**
 * Colour through luma vs one run per band, side by side with the same model and session: Set5 and
 * Set14 x4 (../shared/data/benchmarks, read in place, never committed; skipped with a message when
 * absent), degraded the published way (MATLAB bicubic per channel, 8-bit rounding), each LR image
 * enhanced whole (one tile) by the pipeline's per-tile entry (plugin/pipeline/tile.ts) on both paths
 * (plugin/pipeline/luma.ts). Measured: Y PSNR/SSIM (BT.601 studio Y, shave 4: what SR tables
 * report), RGB PSNR (all three channels), model runs and inference time, onnxruntime-node CPU.
 * `node --import tsx bench/luma.ts` prints Markdown; `benchLuma()` also returns ratios.
 */
import { existsSync, readdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { upsample } from '../core/resample.ts';
import { openImage } from '../cli/images.ts';
import { createNodeCpuBackend } from '../models/backend/ort-node.ts';
import { getModel, loadModel } from '../models/registry.ts';
import type { ColorPath } from '../plugin/pipeline/luma.ts';
import { bindTileEnhancer } from '../plugin/pipeline/tile.ts';
import { rgbToY } from '../validation/color.ts';
import { downsample, modcrop, quantize } from '../validation/degrade.ts';
import type { Plane } from '../validation/image.ts';
import { mse, psnrFromMse, ssim } from '../validation/metrics/index.ts';
import { fmt } from './timing.ts';

const BENCH = fileURLToPath(new URL('../../shared/data/benchmarks/', import.meta.url));
const SCALE = 4;
const MODELS = ['satellite-x4', 'medical-x4'];
const Q = { min: 0, max: 255 };

interface Sums {
  n: number;
  yPsnr: number;
  ySsim: number;
  rgbPsnr: number;
  runs: number;
  inferenceMs: number;
  wallMs: number;
}

const zero = (): Sums => ({ n: 0, yPsnr: 0, ySsim: 0, rgbPsnr: 0, runs: 0, inferenceMs: 0, wallMs: 0 });

/** One band of interleaved [h, w, 3] data as a plane, rounded to 8 bits as the published tables do. */
function band8(data: ArrayLike<number>, width: number, height: number, b: number): Plane {
  const out = new Float64Array(width * height);
  for (let i = 0; i < out.length; i++) out[i] = data[i * 3 + b] as number;
  return quantize({ width, height, data: out }, Q);
}

/** Y PSNR/SSIM and RGB PSNR of SR bands against HR bands (shave = scale, data range 255). */
function measure(hr: Plane[], sr: Plane[], into: Sums): void {
  const opts = { dataRange: 255, shave: SCALE };
  const yh = rgbToY(...(hr as [Plane, Plane, Plane]));
  const ys = rgbToY(...(sr as [Plane, Plane, Plane]));
  into.yPsnr += psnrFromMse(mse(yh, ys, opts), 255);
  into.ySsim += ssim(yh, ys, opts);
  into.rgbPsnr += psnrFromMse(hr.reduce((s, h, b) => s + mse(h, sr[b] as Plane, opts), 0) / 3, 255);
  into.n++;
}

/** Runs both paths (and bicubic) over Set5/Set14 with each model; Markdown and ratios. */
export async function benchLuma(): Promise<{ markdown: string; ratios: Record<string, number | null> }> {
  const load0 = loadavg()[0] ?? NaN;
  const rows = [
    '| model | set | images | path | model runs | Y PSNR (dB) | Y SSIM | RGB PSNR (dB) | inference s | wall s |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  const ratios: Record<string, number | null> = {};
  const sets = ['Set5', 'Set14'].filter((s) => existsSync(join(BENCH, s)));
  if (sets.length === 0)
    return {
      markdown: `Set5/Set14 absent (${BENCH}): nothing measured.`,
      ratios: { luma_minus_per_band_y_psnr: null },
    };
  // LR and HR planes once per image, shared by every model and path
  const images: Array<{ set: string; hr: Plane[]; lr: Float32Array; w: number; h: number }> = [];
  for (const set of sets)
    for (const f of readdirSync(join(BENCH, set))
      .filter((x) => x.endsWith('.png'))
      .sort()) {
      const planes = await (await openImage(join(BENCH, set, f))).read(0);
      if (planes.length !== 3) continue; // the grey images of Set14 have no colour to compare
      const hr = planes.map((p) => modcrop(p as Plane, SCALE));
      const lrPlanes = hr.map((p) => downsample(p, SCALE, { degradation: 'matlab', quantize: Q }));
      const { width: w, height: h } = lrPlanes[0] as Plane;
      const lr = new Float32Array(w * h * 3);
      lrPlanes.forEach((p, b) => p.data.forEach((v, i) => (lr[i * 3 + b] = v)));
      images.push({ set, hr, lr, w, h });
    }
  for (const modelId of MODELS) {
    const session = await createNodeCpuBackend({ threads: 2 }).createSession(
      await loadModel(getModel(modelId)),
    );
    try {
      for (const set of sets) {
        const sums: Record<ColorPath | 'bicubic', Sums> = {
          'per-band': zero(),
          luma: zero(),
          bicubic: zero(),
        };
        for (const [k, img] of images.filter((i) => i.set === set).entries()) {
          for (const path of ['per-band', 'luma'] as const) {
            const t0 = performance.now();
            const tile = await bindTileEnhancer({
              values: img.lr,
              width: img.w,
              height: img.h,
              samples: 3,
              imageId: `${set}-${k}-${path}`,
              modelId,
              bands: [0, 1, 2],
              session,
              colorPath: path,
            }).enhanceTile({ x: 0, y: 0, width: img.w, height: img.h });
            const s = sums[path];
            s.wallMs += performance.now() - t0;
            s.runs += tile.inferences;
            s.inferenceMs += tile.inferenceMs;
            const sr = [0, 1, 2].map((b) => band8(tile.data, tile.width, tile.height, b));
            measure(img.hr, sr, s);
          }
          if (modelId === MODELS[0]) {
            const bic = [0, 1, 2].map((b) => {
              const p = band8(img.lr, img.w, img.h, b);
              return quantize(upsample(p, SCALE, 'bicubic', 'matlab'), Q);
            });
            measure(img.hr, bic, sums.bicubic);
          }
        }
        for (const [path, s] of Object.entries(sums)) {
          if (s.n === 0) continue;
          const n = s.n;
          rows.push(
            `| ${path === 'bicubic' ? '–' : modelId} | ${set} | ${n} | ${path} | ${path === 'bicubic' ? '–' : s.runs} | ${fmt(s.yPsnr / n, 2)} | ${fmt(s.ySsim / n, 4)} | ${fmt(s.rgbPsnr / n, 2)} | ${path === 'bicubic' ? '–' : fmt(s.inferenceMs / 1000, 2)} | ${path === 'bicubic' ? '–' : fmt(s.wallMs / 1000, 2)} |`,
          );
        }
        const l = sums.luma;
        const p = sums['per-band'];
        const key = `${modelId.replace('-', '_')}_${set.toLowerCase()}`;
        ratios[`luma_minus_per_band_y_psnr_${key}`] = (l.yPsnr - p.yPsnr) / l.n;
        ratios[`luma_minus_per_band_rgb_psnr_${key}`] = (l.rgbPsnr - p.rgbPsnr) / l.n;
        ratios[`luma_over_per_band_inference_${key}`] = l.inferenceMs / p.inferenceMs;
      }
    } finally {
      await session.dispose();
    }
  }
  const markdown = [
    `Set5/Set14 x${SCALE} RGB (greyscale images skipped), MATLAB bicubic degradation with 8-bit rounding, each LR`,
    'image enhanced whole (one tile) on onnxruntime-node CPU, 2 threads; SR rounded to 8 bits; shave 4.',
    'per-band: one model run per band; luma: one run on BT.601 luma of the clipped normalized bands,',
    'chroma bicubic (plugin/pipeline/luma.ts). Y: MATLAB rgb2ycbcr Y (the published tables); RGB: mean',
    'MSE over the three channels. Bicubic: MATLAB imresize per channel.',
    `1-min load average at the start / end: ${fmt(load0, 2)} / ${fmt(loadavg()[0] ?? NaN, 2)} (shared machine: times are indicative, the ratio is the number).`,
    '',
    ...rows,
  ].join('\n');
  return { markdown, ratios };
}

if (import.meta.url === `file://${process.argv[1]}`) console.log((await benchLuma()).markdown);
