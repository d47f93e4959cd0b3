/**
 * What `tilesr train` runs: the named presets, the options a caller passes, and the config.json the
 * Python trainer (train.py) reads, resolved from both.
 */
import { resolve } from 'node:path';
import type { TrainItem } from './data.ts';

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

/** Options of a training run (what `tilesr train` parses). */
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

/** The default output name: `<domain>_x<scale>_<arch>_<variant>`. */
export function modelName(o: TrainOptions): string {
  return o.name ?? `${o.domain}_x${o.scale}_${o.arch}_${o.variant}`;
}

/** The `--init` weights as the trainer sees them. */
export interface InitWeights {
  /** The sha256-checked ONNX, copied into the work folder. */
  onnx: string;
  label: string;
  /** Same channels/blocks as the trained architecture: a fine-tune, not a distillation. */
  sameArch: boolean;
}

/** The config.json train.py reads (snake_case: Python's side of the contract). */
export function trainerConfig(
  o: TrainOptions,
  split: { train: TrainItem[]; val: TrainItem[] },
  init: InitWeights | undefined,
  threads: number,
  work: string,
) {
  const preset = PRESETS[o.preset];
  const perceptual = o.variant === 'perceptual';
  return {
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
    lr: o.lr ?? (perceptual || (init && init.sameArch) ? 1e-4 : 2e-4),
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
    init_onnx: init?.onnx ?? null,
    init_label: init?.label ?? null,
    resume: o.resume ? resolve(o.resume) : null,
    work,
  };
}

/** The resolved trainer config. */
export type TrainerConfig = ReturnType<typeof trainerConfig>;
