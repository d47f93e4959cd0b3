/**
 * `tilesr train --domain medical|satellite --scale 2|4 --data DIR_OR_FILES... --out DIR`: fine-tunes
 * (or trains, or distils) a generator on the user's own scans and writes DIR/<name>.onnx + its card
 * DIR/<name>.json, which `enhance|validate --model-file` then run with the shipped models' sha256 check.
 * The pipeline itself (data, Python trainer, ONNX parity, card, publishing) is models/train/run.ts;
 * this front parses the options, handles Ctrl-C and supplies what models/ may not import: input
 * folder listing and the held-out validation against bicubic in real units (validation/).
 */
import { parseArgs } from 'node:util';
import type { CardValidation, HeldOutValidator } from '../../models/train/card.ts';
import { TrainError } from '../../models/train/errors.ts';
import type { TrainOptions } from '../../models/train/recipe.ts';
import { trainModel, type TrainOutput } from '../../models/train/run.ts';
import { TILESR_VERSION } from '../../plugin/pipeline/provenance.ts';
import { evaluate } from '../../validation/evaluate.ts';
import { openModel } from '../enhancer.ts';
import { UsageError } from '../errors.ts';
import { deriveDataRange, openImage } from '../images.ts';
import type { CommandContext } from '../main.ts';
import { collectFiles } from './validate.ts';

export type { TrainOptions, TrainOutput };

const OPTIONS = {
  domain: { type: 'string' },
  scale: { type: 'string' },
  data: { type: 'string', multiple: true },
  out: { type: 'string' },
  preset: { type: 'string', default: 'standard' },
  minutes: { type: 'string' },
  iterations: { type: 'string' },
  batch: { type: 'string' },
  patch: { type: 'string' },
  lr: { type: 'string' },
  init: { type: 'string' },
  variant: { type: 'string', default: 'fidelity' },
  arch: { type: 'string', default: 'srresnet' },
  degradation: { type: 'string', default: 'bicubic' },
  val: { type: 'string', multiple: true },
  name: { type: 'string' },
  seed: { type: 'string', default: '0' },
  threads: { type: 'string' },
  python: { type: 'string' },
  resume: { type: 'string' },
} as const;

function choice<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value))
    throw new UsageError(`--${name} must be ${allowed.join('|')}, got "${value}"`);
  return value as T;
}

function positiveNumber(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!(n > 0) || !Number.isFinite(n))
    throw new UsageError(`--${name} wants a positive number, got "${text}"`);
  return n;
}

const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / Math.max(1, a.length);

/** Measures the registered model on held-out items exactly as `tilesr validate` would. */
const validateHeldOut: HeldOutValidator = async ({ modelId, variant, items, scale, threads, signal }) => {
  if (items.length === 0) return null;
  const model = await openModel(modelId, variant, threads);
  const per: CardValidation['per_image'] = [];
  try {
    for (const it of items) {
      if (signal.aborted) throw new TrainError('ABORTED', 'aborted');
      const img = await openImage(it.file);
      try {
        const gt = (await img.read(it.frame))[it.band];
        if (!gt || gt.width < 8 * scale || gt.height < 8 * scale) continue;
        const range = deriveDataRange(img, gt, 'auto');
        const ev = await evaluate(gt, {
          scale,
          degradation: 'torch',
          dataRange: range.value,
          shave: scale,
          enhance: model.enhance,
          baselines: ['bicubic'],
        });
        const m = ev.methods.model?.metrics;
        const b = ev.methods.bicubic?.metrics;
        if (m && b)
          per.push({
            file: it.file,
            frame: it.frame,
            band: it.band,
            psnr: m.psnr,
            ssim: m.ssim,
            bicubic_psnr: b.psnr,
            bicubic_ssim: b.ssim,
          });
      } finally {
        await img.close();
      }
    }
  } finally {
    await model.close();
  }
  if (per.length === 0) return null;
  const r = (v: number, d = 3) => Number(v.toFixed(d));
  const psnr = mean(per.map((p) => p.psnr));
  const bpsnr = mean(per.map((p) => p.bicubic_psnr));
  return {
    protocol:
      "tilesr validate: antialiased bicubic degradation (torch), real units, data range rule 'auto' (ground-truth span for DICOM/GeoTIFF), shave = scale, mean over held-out images",
    images: per.length,
    model: { psnr: r(psnr), ssim: r(mean(per.map((p) => p.ssim)), 4) },
    bicubic: { psnr: r(bpsnr), ssim: r(mean(per.map((p) => p.bicubic_ssim)), 4) },
    gain_db: r(psnr - bpsnr),
    worse_than_bicubic: per.filter((p) => p.psnr < p.bicubic_psnr).length,
    per_image: per.map((p) => ({
      ...p,
      psnr: r(p.psnr),
      ssim: r(p.ssim, 4),
      bicubic_psnr: r(p.bicubic_psnr),
      bicubic_ssim: r(p.bicubic_ssim, 4),
    })),
  };
};

/** The whole pipeline (models/train/run.ts) with what only the layers above models/ provide. */
export async function runTrain(o: TrainOptions): Promise<TrainOutput> {
  try {
    return await trainModel(o, { collectFiles, validate: validateHeldOut, tilesrVersion: TILESR_VERSION });
  } catch (err) {
    // models/ cannot import UsageError: its option errors arrive as TrainError 'USAGE'
    if (err instanceof TrainError && err.code === 'USAGE') throw new UsageError(err.message, { cause: err });
    throw err;
  }
}

function parseTrainArgs(argv: string[]) {
  try {
    const r = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
    return { values: r.values, data: [...(r.values.data ?? []), ...r.positionals] };
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** Runs `train`. */
export async function train(argv: string[], context: CommandContext): Promise<number> {
  const { values: v, data } = parseTrainArgs(argv);
  if (!v.domain) throw new UsageError('--domain medical|satellite is required');
  if (!v.scale) throw new UsageError('--scale 2|4 is required');
  if (data.length === 0) throw new UsageError('--data DIR_OR_FILES... is required');
  if (!v.out) throw new UsageError('--out DIR is required');
  const scale = Number(choice('scale', v.scale, ['2', '4'])) as 2 | 4;
  const seed = Number(v.seed);
  if (!Number.isInteger(seed) || seed < 0)
    throw new UsageError(`--seed wants a non-negative integer, got "${v.seed}"`);
  const iterations = positiveNumber('iterations', v.iterations);
  const threads = positiveNumber('threads', v.threads);
  const batch = positiveNumber('batch', v.batch);
  if (batch !== undefined && !Number.isInteger(batch))
    throw new UsageError(`--batch wants a positive integer, got "${v.batch}"`);
  const patch = positiveNumber('patch', v.patch);
  if (patch !== undefined && (!Number.isInteger(patch) || patch < 8))
    throw new UsageError(`--patch wants an integer >= 8 (LR px), got "${v.patch}"`);
  const controller = new AbortController();
  const onSigint = () => controller.abort(new Error('interrupted'));
  process.once('SIGINT', onSigint);
  try {
    const r = await runTrain({
      domain: choice('domain', v.domain, ['medical', 'satellite']),
      scale,
      data,
      out: v.out,
      preset: choice('preset', v.preset, ['smoke', 'standard', 'full']),
      minutes: positiveNumber('minutes', v.minutes),
      iterations: iterations === undefined ? undefined : Math.round(iterations),
      batch,
      patch,
      lr: positiveNumber('lr', v.lr),
      init: v.init,
      variant: choice('variant', v.variant, ['fidelity', 'perceptual']),
      arch: choice('arch', v.arch, ['srresnet', 'fast']),
      degradation: choice('degradation', v.degradation, ['bicubic', 'realistic']),
      val: v.val,
      name: v.name,
      seed,
      threads: threads === undefined ? undefined : Math.round(threads),
      python: v.python,
      resume: v.resume,
      signal: controller.signal,
    });
    if (context.json)
      process.stdout.write(
        JSON.stringify({ onnx: r.onnx, card: r.card, validation: r.cardJson['validation'] }) + '\n',
      );
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
  return 0;
}
