/**
 * The card of a trained model: the shipped cards' fields (so the registry and `--model-file` treat it
 * like shipped weights) plus the recipe, the split, the trainer's numbers and the held-out validation.
 */
import type { Split, TrainItem } from './data.ts';
import type { TrainerConfig, TrainOptions } from './recipe.ts';

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

/**
 * Measures a registered model on held-out items exactly as `tilesr validate` would; null when no item
 * could be measured. models/ cannot run validation/ itself, so the caller (the CLI) supplies this.
 */
export type HeldOutValidator = (request: {
  modelId: string;
  variant: 'fidelity' | 'perceptual';
  items: TrainItem[];
  scale: number;
  threads: number;
  signal: AbortSignal;
}) => Promise<CardValidation | null>;

/** What the card is built from: the run's options and everything measured along the way. */
export interface CardInput {
  options: TrainOptions;
  name: string;
  files: number;
  split: Split;
  /** train.py's result.json. */
  result: Record<string, unknown>;
  config: TrainerConfig;
  threads: number;
  torch: string;
  /** The normalization contract of the shipped model of the same domain and scale. */
  normalization: unknown;
  onnx: { bytes: number; ops: string[]; unexpected: string[]; diff: number; sha256: string };
  tilesrVersion: string;
}

/** The card before validation (`validation`, `val_psnr` and `bicubic_psnr` null). */
export function buildCard(c: CardInput): Record<string, unknown> {
  const o = c.options;
  const { result, config, split } = c;
  return {
    name: c.name,
    domain: o.domain,
    scale: o.scale,
    params: result['params'],
    architecture: result['architecture'],
    // the same contract as the shipped models: what the pipeline applies at inference
    normalization: c.normalization,
    degradation:
      o.degradation === 'bicubic'
        ? 'HR -> LR: bicubic downsample with antialias (torch F.interpolate, align_corners=False), clamp [0,1]'
        : 'HR -> LR: realistic (Gaussian blur sigma 0.2-1.2 x scale/2, antialiased bicubic, noise sigma 0-0.01, then 8-12 bit quantization or 8-bit JPEG q60-95)',
    data: {
      files: c.files,
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
    device: `cpu (${c.threads} thread(s))`,
    torch: c.torch,
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
      file: `${c.name}.onnx`,
      opset: result['opset'],
      input: 'lr',
      output: 'sr',
      dynamic_axes: {
        lr: { 0: 'batch', 2: 'height', 3: 'width' },
        sr: { 0: 'batch', 2: 'out_height', 3: 'out_width' },
      },
      bytes: c.onnx.bytes,
      ops: c.onnx.ops,
      unexpected_ops: c.onnx.unexpected,
      ort_check: 'pass',
      ort_max_abs_diff: c.onnx.diff,
      sha256: c.onnx.sha256,
    },
    receptive_field_lr_px: result['receptive_field_lr_px'],
    receptive_field_method:
      'architectural bound: one LR pixel per 3x3 conv at LR resolution, 1/2 after the first PixelShuffle, 1/scale for the tail (conservative; measure with models/tools/receptive-field.ts for a tighter halo)',
    validation: null,
    tilesr_version: c.tilesrVersion,
    created_at: new Date().toISOString(),
  };
}

/** The card's validation line of the run's log. */
export function describeValidation(v: CardValidation | null): string {
  if (!v) return 'train: no held-out image (one subject/scene only): no validation result; pass --val DIR';
  return `train: validation PSNR ${v.model.psnr} dB vs bicubic ${v.bicubic.psnr} dB (${v.gain_db >= 0 ? '+' : ''}${v.gain_db} dB), SSIM ${v.model.ssim} vs ${v.bicubic.ssim}, worse than bicubic on ${v.worse_than_bicubic}/${v.images}`;
}

/** Completes `card` in place with the validation and the run's total wall time. */
export function addValidation(
  card: Record<string, unknown>,
  validation: CardValidation | null,
  startedMs: number,
): void {
  card['validation'] = validation;
  card['val_psnr'] = validation?.model.psnr ?? null;
  card['bicubic_psnr'] = validation?.bicubic.psnr ?? null;
  card['wall_minutes_total'] = Number(((Date.now() - startedMs) / 60000).toFixed(3));
  // val_psnr must be a number for the registry's card check; null results are written as NaN-free 0 with a note
  if (card['val_psnr'] === null) {
    card['val_psnr'] = 0;
    card['bicubic_psnr'] = 0;
    card['validation_note'] = 'no held-out data: val_psnr/bicubic_psnr are placeholders (0)';
  }
}
