/**
 * `tilesr train --domain medical|satellite --scale 2|4 --data DIR_OR_FILES... --out DIR`: fine-tunes
 * (or trains, or distils) a generator on the user's own scans and writes DIR/<name>.onnx + its card
 * DIR/<name>.json, which `enhance|validate --model-file` then run with the shipped models' sha256 check.
 * TypeScript decodes and normalizes the data (formats/ + models/normalize.ts: what inference sees),
 * splits it by subject/series/scene, and runs Python + PyTorch (models/train/train.py) for the
 * training itself; afterwards the exported ONNX is checked here against PyTorch through
 * onnxruntime-node (to 1e-4) and validated in real units against bicubic with validation/.
 * Everything happens in a temporary folder inside DIR and is renamed into place at the end, so an
 * error or Ctrl-C leaves no half-written model; an interrupted run keeps DIR/<name>.ckpt.pt
 * (`--resume` continues it).
 */
import { availableParallelism } from 'node:os';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { decodeNpy } from '../../formats/npy.ts';
import { createNodeCpuBackend } from '../../models/backend/ort-node.ts';
import { sha256Hex } from '../../models/integrity.ts';
import { getModel, loadExternalModel, loadModelBytes } from '../../models/registry.ts';
import { prepareItems, splitByGroup, type TrainItem } from '../../models/train/data.ts';
import { TrainError } from '../../models/train/errors.ts';
import { findPython, runTrainer, type TrainerEvent } from '../../models/train/python.ts';
import { TILESR_VERSION } from '../../plugin/pipeline/provenance.ts';
import { evaluate } from '../../validation/evaluate.ts';
import { openModel } from '../enhancer.ts';
import { UsageError } from '../errors.ts';
import { deriveDataRange, openImage } from '../images.ts';
import type { CommandContext } from '../main.ts';
import { collectFiles } from './validate.ts';

/** Named recipes; `--minutes` caps any of them by wall-clock time. */
export const PRESETS = {
  /** A pipeline check: a few iterations on tiny crops (minutes on a 2-core CPU). */
  smoke: {
    iterations: 30,
    batch: 4,
    lrPatch: 16,
    minutes: 5,
    valCrop: 96,
    valMax: 2,
    logEvery: 5,
    valEvery: 0,
    ema: 0,
    maxFrames: 2,
    valFraction: 0.5,
  },
  /** A CPU fine-tune (an hour) or a short GPU run. */
  standard: {
    iterations: 20000,
    batch: 16,
    lrPatch: 48,
    minutes: 60,
    valCrop: 384,
    valMax: 32,
    logEvery: 50,
    valEvery: 500,
    ema: 0.999,
    maxFrames: 0,
    valFraction: 0.05,
  },
  /** The shipped models' recipe (GPU: ~6 min per model on an H100 at ~35 it/s; days on a CPU). */
  full: {
    iterations: 300000,
    batch: 16,
    lrPatch: 64,
    minutes: 480,
    valCrop: 384,
    valMax: 32,
    logEvery: 200,
    valEvery: 2000,
    ema: 0.999,
    maxFrames: 0,
    valFraction: 0.05,
  },
} as const;

/** Preset names. */
export type Preset = keyof typeof PRESETS;

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

/** The validation result the card carries: real units, `tilesr validate`'s protocol, vs bicubic. */
export interface CardValidation {
  protocol: string;
  images: number;
  model: { psnr: number; ssim: number };
  bicubic: { psnr: number; ssim: number };
  gain_db: number;
  worse_than_bicubic: number;
  per_image: Array<{
    file: string;
    frame: number;
    band: number;
    psnr: number;
    ssim: number;
    bicubic_psnr: number;
    bicubic_ssim: number;
  }>;
}

const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / Math.max(1, a.length);

/** Measures the registered model on held-out items exactly as `tilesr validate` would. */
async function validateItems(
  modelId: string,
  variant: 'fidelity' | 'perceptual',
  items: TrainItem[],
  scale: number,
  threads: number,
  signal: AbortSignal,
): Promise<CardValidation | null> {
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
}

/** Runs the ONNX through onnxruntime-node on PyTorch's probe input; returns the max |difference|. */
async function ortParity(onnx: Uint8Array, scale: number, work: string): Promise<number> {
  const input = decodeNpy(new Uint8Array(await readFile(join(work, 'probe_in.npy'))));
  const expected = decodeNpy(new Uint8Array(await readFile(join(work, 'probe_torch.npy'))));
  const [, , h, w] = input.shape as [number, number, number, number];
  const session = await createNodeCpuBackend({ threads: 1 }).createSession({
    id: 'parity',
    scale,
    bytes: onnx,
  });
  try {
    const out = await session.run({
      data: Float32Array.from(input.data as ArrayLike<number>),
      width: w,
      height: h,
    });
    const exp = expected.data as ArrayLike<number>;
    if (out.data.length !== exp.length)
      throw new TrainError(
        'TRAIN_PARITY_FAILED',
        `onnxruntime gave ${out.data.length} values, PyTorch ${exp.length}`,
      );
    let max = 0;
    for (let i = 0; i < exp.length; i++)
      max = Math.max(max, Math.abs((out.data[i] as number) - (exp[i] as number)));
    return max;
  } finally {
    await session.dispose();
  }
}

/** Progress line of a trainer event, or undefined to stay quiet. */
function describe(e: TrainerEvent): string | undefined {
  if (e.event === 'data')
    return `train: ${String(e['train_images'])} training image(s) (${String(e['train_megapixels'])} MP), ${String(e['val_images'])} for the trainer's own validation`;
  if (e.event === 'progress') {
    const vp = e['val_psnr'] !== undefined ? ` · val ${String(e['val_psnr'])} dB` : '';
    return `train: it ${String(e['it'])}/${String(e['of'])} loss ${String(e['loss'])}${vp} · ${String(e['elapsed'])} s, ETA ${String(e['eta'])} s`;
  }
  if (e.event === 'aborted') return `train: interrupted at it ${String(e['it'])}; checkpoint written`;
  return undefined;
}

/** Options of `runTrain` (what the CLI parses). */
export interface TrainOptions {
  domain: 'medical' | 'satellite';
  scale: 2 | 4;
  data: string[];
  out: string;
  preset: Preset;
  minutes?: number;
  iterations?: number;
  /** Overrides the preset's batch size. */
  batch?: number;
  /** Overrides the preset's LR patch size (px). */
  patch?: number;
  /** Overrides the learning rate (default 1e-4 for a same-architecture fine-tune or perceptual, else 2e-4). */
  lr?: number;
  init?: string;
  variant: 'fidelity' | 'perceptual';
  arch: 'srresnet' | 'fast';
  degradation: 'bicubic' | 'realistic';
  val?: string[];
  name?: string;
  seed: number;
  threads?: number;
  python?: string;
  resume?: string;
  signal?: AbortSignal;
  log?: (line: string) => void;
}

/** What `runTrain` wrote. */
export interface TrainOutput {
  onnx: string;
  card: string;
  cardJson: Record<string, unknown>;
}

/** The whole pipeline (the CLI command is a thin wrapper around it). */
export async function runTrain(o: TrainOptions): Promise<TrainOutput> {
  const log = o.log ?? ((l: string) => process.stderr.write(l + '\n'));
  const signal = o.signal ?? new AbortController().signal;
  const preset = PRESETS[o.preset];
  const python = await findPython(o.python);
  const name = o.name ?? `${o.domain}_x${o.scale}_${o.arch}_${o.variant}`;
  if (!/^[\w.-]+$/.test(name))
    throw new UsageError(`--name may hold letters, digits, _ . - only, got "${name}"`);
  const outDir = resolve(o.out);
  await mkdir(outDir, { recursive: true });
  const work = join(outDir, `.${name}.train-${process.pid}`);
  await rm(work, { recursive: true, force: true });
  await mkdir(work, { recursive: true });
  const threads = o.threads ?? Math.max(1, availableParallelism());
  const started = Date.now();
  try {
    log(`train: ${python.exe} (torch ${python.torch}), ${threads} thread(s), preset ${o.preset}`);
    const files = await collectFiles(o.data);
    if (files.length === 0) throw new TrainError('TRAIN_NO_DATA', 'no image files under --data');
    const maxFrames = preset.maxFrames || undefined;
    const items = await prepareItems(files, {
      cacheDir: join(work, 'cache'),
      maxFramesPerFile: maxFrames,
      signal,
      onFile: (k, n, f) => log(`train: decoding [${k + 1}/${n}] ${f}`),
    });
    let split = splitByGroup(items, preset.valFraction, o.seed);
    if (o.val?.length) {
      const valFiles = await collectFiles(o.val);
      const valItems = await prepareItems(valFiles, {
        cacheDir: join(work, 'cache-val'),
        maxFramesPerFile: maxFrames,
        signal,
      });
      split = {
        train: items,
        val: valItems,
        trainGroups: [...new Set(items.map((i) => i.group))].sort(),
        valGroups: [...new Set(valItems.map((i) => i.group))].sort(),
        rule: 'validation from --val (separate files); all --data groups train',
      };
    }
    if (split.train.length === 0) throw new TrainError('TRAIN_NO_DATA', 'the split left no training image');
    log(`train: ${split.train.length} train / ${split.val.length} val image(s); split ${split.rule}`);

    // --init: a shipped id (fidelity weights) or an external card, both sha256-checked before use
    let initOnnx: string | undefined;
    let initLabel: string | undefined;
    let initSameArch = false;
    if (o.init) {
      const entry = o.init.endsWith('.json')
        ? await loadExternalModel(pathToFileURL(resolve(o.init)))
        : getModel(o.init, 'fidelity');
      if (entry.scale !== o.scale)
        throw new UsageError(`--init ${o.init} is x${entry.scale}, training x${o.scale}`);
      initOnnx = join(work, 'init.onnx');
      await writeFile(initOnnx, await loadModelBytes(entry, signal));
      initLabel = `${entry.key} (sha256 ${entry.sha256.slice(0, 12)}...)`;
      // a fast student of a full teacher starts from random weights (distillation): scratch learning rate
      const want = o.arch === 'fast' ? { channels: 32, blocks: 6 } : { channels: 64, blocks: 16 };
      initSameArch =
        entry.card.architecture['channels'] === want.channels &&
        entry.card.architecture['blocks'] === want.blocks;
    }

    const perceptual = o.variant === 'perceptual';
    const config = {
      scale: o.scale,
      arch: o.arch,
      variant: o.variant,
      degradation: o.degradation,
      seed: o.seed,
      threads,
      iterations: o.iterations ?? preset.iterations,
      minutes: o.minutes ?? preset.minutes,
      batch: o.batch ?? preset.batch,
      lr_patch: o.patch ?? (o.scale === 4 && preset.lrPatch > 48 ? 48 : preset.lrPatch),
      lr: o.lr ?? (perceptual || (initOnnx && initSameArch) ? 1e-4 : 2e-4),
      ema: preset.ema,
      log_every: preset.logEvery,
      val_every: preset.valEvery,
      val_crop: preset.valCrop,
      val_max: preset.valMax,
      checkpoint_seconds: 60,
      adv_weight: 5e-3,
      fm_weight: 1.0,
      distill_weight: 1.0,
      train: split.train.map((i) => i.npy),
      val: split.val.map((i) => i.npy),
      init_onnx: initOnnx ?? null,
      init_label: initLabel ?? null,
      resume: o.resume ? resolve(o.resume) : null,
      work,
    };
    const configPath = join(work, 'config.json');
    await writeFile(configPath, JSON.stringify(config, null, 1));
    try {
      await runTrainer(python.exe, configPath, {
        signal,
        onEvent: (e) => {
          const l = describe(e);
          if (l) log(l);
        },
      });
    } catch (err) {
      if (err instanceof TrainError && err.code === 'ABORTED') {
        // the one thing an interrupted run leaves: its last checkpoint, complete (written atomically)
        await rename(join(work, 'checkpoint.pt'), join(outDir, `${name}.ckpt.pt`)).catch(() => undefined);
      }
      throw err;
    }
    const result = JSON.parse(await readFile(join(work, 'result.json'), 'utf8')) as Record<string, unknown>;

    const onnxBytes = new Uint8Array(await readFile(join(work, 'model.onnx')));
    const ops = (result['ops'] as string[]) ?? [];
    const allowed = ['Conv', 'Relu', 'PRelu', 'Add', 'Mul', 'DepthToSpace'];
    const unexpected = ops.filter((op) => !allowed.includes(op));
    if (unexpected.length)
      throw new TrainError('TRAIN_EXPORT_INVALID', `exported graph uses ${unexpected.join(', ')}`);
    const diff = await ortParity(onnxBytes, o.scale, work);
    log(`train: onnxruntime-node vs PyTorch max |diff| ${diff.toExponential(2)} (limit 1e-4)`);
    if (!(diff <= 1e-4))
      throw new TrainError(
        'TRAIN_PARITY_FAILED',
        `onnxruntime-node differs from PyTorch by ${diff} (> 1e-4)`,
      );

    const shipped = getModel(`${o.domain}-x${o.scale}`, 'fidelity').card;
    const sha256 = await sha256Hex(onnxBytes);
    const card: Record<string, unknown> = {
      name,
      domain: o.domain,
      scale: o.scale,
      params: result['params'],
      architecture: result['architecture'],
      // the same contract as the shipped models: what the pipeline applies at inference
      normalization: shipped.normalization,
      degradation:
        o.degradation === 'bicubic'
          ? 'HR -> LR: bicubic downsample with antialias (torch F.interpolate, align_corners=False), clamp [0,1]'
          : 'HR -> LR: realistic (Gaussian blur sigma 0.2-1.2 x scale/2, antialiased bicubic, noise sigma 0-0.01, then 8-12 bit quantization or 8-bit JPEG q60-95)',
      data: {
        files: files.length,
        train_images: split.train.length,
        val_images: split.val.length,
        train_usable: result['train_images_usable'],
        split: {
          rule: split.rule,
          train_groups: split.trainGroups,
          val_groups: split.valGroups,
          seed: o.seed,
        },
        val_files: [...new Set(split.val.map((i) => i.file))],
        content_crop: 'bounding box of normalized values > 0.02, 4 px margin',
        normalization: 'models/normalize.ts computeRange (0.1-99.9 %) per image/band, clipped to [0,1]',
      },
      training: {
        preset: o.preset,
        batch: config.batch,
        lr_patch: config.lr_patch,
        hr_patch: config.lr_patch * o.scale,
        augment: 'random crop, flips, rot90',
        optimizer: 'Adam(0.9,0.99)',
        schedule: 'linear warm-up (5 %) + cosine decay over min(iterations, wall-clock budget)',
        ema: config.ema,
        seed: o.seed,
        init: result['init'],
        resumed_from: o.resume ?? null,
        iterations_budget: config.iterations,
        minutes_budget: config.minutes,
      },
      recipe: {
        command: [
          'tilesr',
          'train',
          '--domain',
          o.domain,
          '--scale',
          String(o.scale),
          '--preset',
          o.preset,
          '--arch',
          o.arch,
          '--variant',
          o.variant,
          '--degradation',
          o.degradation,
          ...(o.init ? ['--init', o.init] : []),
        ].join(' '),
        arch: o.arch,
      },
      metric:
        'validation: see `validation`; val_psnr/bicubic_psnr are its means (real units, tilesr validate protocol)',
      device: `cpu (${threads} thread(s))`,
      torch: python.torch,
      phase: o.variant,
      losses: result['losses'],
      lr: config.lr,
      iterations: result['iterations'],
      wall_minutes: result['wall_minutes'],
      it_per_s: result['it_per_s'],
      val_psnr: null,
      bicubic_psnr: null,
      trainer_val: {
        psnr: result['python_val_psnr'],
        bicubic_psnr: result['python_bicubic_psnr'],
        scale: '[0,1] normalized, shave = scale',
      },
      history: result['history'],
      onnx: {
        file: `${name}.onnx`,
        opset: result['opset'],
        input: 'lr',
        output: 'sr',
        dynamic_axes: {
          lr: { 0: 'batch', 2: 'height', 3: 'width' },
          sr: { 0: 'batch', 2: 'out_height', 3: 'out_width' },
        },
        bytes: onnxBytes.length,
        ops,
        unexpected_ops: unexpected,
        ort_check: 'pass',
        ort_max_abs_diff: diff,
        sha256,
      },
      receptive_field_lr_px: result['receptive_field_lr_px'],
      receptive_field_method:
        'architectural bound: one LR pixel per 3x3 conv at LR resolution, 1/2 after the first PixelShuffle, 1/scale for the tail (conservative; measure with models/tools/receptive-field.ts for a tighter halo)',
      validation: null,
      tilesr_version: TILESR_VERSION,
      created_at: new Date().toISOString(),
    };
    // register the card from the work folder, then validate through the same path enhance uses
    const workOnnx = join(work, `${name}.onnx`);
    const workCard = join(work, `${name}.json`);
    await rename(join(work, 'model.onnx'), workOnnx);
    const provisional = { ...card, val_psnr: 0, bicubic_psnr: 0 };
    await writeFile(workCard, JSON.stringify(provisional, null, 1));
    const entry = await loadExternalModel(pathToFileURL(workCard));
    const valItems = split.val.slice(0, o.preset === 'smoke' ? preset.valMax : 64);
    log(`train: validating on ${valItems.length} held-out image(s) (real units, vs bicubic)`);
    const validation = await validateItems(entry.id, o.variant, valItems, o.scale, threads, signal);
    card['validation'] = validation;
    card['val_psnr'] = validation?.model.psnr ?? null;
    card['bicubic_psnr'] = validation?.bicubic.psnr ?? null;
    if (validation)
      log(
        `train: validation PSNR ${validation.model.psnr} dB vs bicubic ${validation.bicubic.psnr} dB (${validation.gain_db >= 0 ? '+' : ''}${validation.gain_db} dB), SSIM ${validation.model.ssim} vs ${validation.bicubic.ssim}, worse than bicubic on ${validation.worse_than_bicubic}/${validation.images}`,
      );
    else log('train: no held-out image (one subject/scene only): no validation result; pass --val DIR');
    card['wall_minutes_total'] = Number(((Date.now() - started) / 60000).toFixed(3));
    // val_psnr must be a number for the registry's card check; null results are written as NaN-free 0 with a note
    if (card['val_psnr'] === null) {
      card['val_psnr'] = 0;
      card['bicubic_psnr'] = 0;
      card['validation_note'] = 'no held-out data: val_psnr/bicubic_psnr are placeholders (0)';
    }
    await writeFile(workCard, JSON.stringify(card, null, 1) + '\n');
    if (signal.aborted) throw new TrainError('ABORTED', 'aborted');
    // weights first, card last: a card never points at missing weights
    const finalOnnx = join(outDir, `${name}.onnx`);
    const finalCard = join(outDir, `${name}.json`);
    await rename(workOnnx, finalOnnx);
    await rename(workCard, finalCard);
    await rename(join(work, 'checkpoint.pt'), join(outDir, `${name}.ckpt.pt`)).catch(() => undefined);
    log(`train: wrote ${finalOnnx} and ${finalCard} (sha256 ${sha256.slice(0, 12)}...)`);
    return { onnx: finalOnnx, card: finalCard, cardJson: card };
  } finally {
    await rm(work, { recursive: true, force: true });
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
