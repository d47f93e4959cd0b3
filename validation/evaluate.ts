/**
 * One ground-truth image through the whole protocol: make (or take) the LR, upsample it with every
 * baseline and the model, and measure each against ground truth (PSNR, SSIM, MS-SSIM), against its
 * own input (consistency) and, for the model, tile by tile against bicubic (hallucination view).
 * The model is a plain async function so validation/ stays free of any inference code.
 */
import { BASELINES, upsample, type BaselineMethod } from './baselines.ts';
import { consistency, type ConsistencyResult } from './consistency.ts';
import { conventionOf, downsample, modcrop, quantize, type Degradation, type Quantize } from './degrade.ts';
import { ValidationError } from './errors.ts';
import { hallucination, type HallucinationResult } from './hallucination.ts';
import { shaveMask, shavePlane, type Mask, type Plane } from './image.ts';
import { compare, type PairMetrics } from './metrics/index.ts';

/** A method's name in reports: a baseline or the model. */
export type MethodName = BaselineMethod | 'model';

/** Turns an LR plane into an SR plane `scale` times larger (the model under test). */
export type Enhancer = (lr: Plane) => Promise<Plane>;

/** Options of `evaluate`. */
export interface EvaluateOptions {
  scale: number;
  degradation: Degradation;
  dataRange: number;
  /** Border cropped before every ground-truth metric (benchmarks: the scale). */
  shave?: number;
  /** Round LR and method outputs onto this integer grid (MATLAB on 8-bit data; see degrade.ts). */
  quantize?: Quantize;
  /** A real LR image instead of degrading the ground truth. */
  lr?: Plane;
  enhance?: Enhancer;
  baselines?: readonly BaselineMethod[];
  /** Hallucination tile side in HR px (default 64) and consistency tile side in LR px (default 32). */
  tileSize?: number;
  consistencyTileSize?: number;
  consistencyThresholdDb?: number;
  /** Valid HR pixels (nodata, outside field of view). */
  mask?: Mask;
  /** Return the planes (for thumbnails). */
  keepPlanes?: boolean;
}

/** Metrics of one method. */
export interface MethodEvaluation {
  metrics: PairMetrics;
  consistency: ConsistencyResult;
}

/** Result of `evaluate`. */
export interface Evaluation {
  /** Ground truth after modcrop. */
  width: number;
  height: number;
  lrWidth: number;
  lrHeight: number;
  methods: Partial<Record<MethodName, MethodEvaluation>>;
  /** Model vs bicubic per tile (needs the model and the bicubic baseline). */
  hallucination?: HallucinationResult;
  planes?: { gt: Plane; lr: Plane; outputs: Partial<Record<MethodName, Plane>> };
}

/** LR pixels valid when every HR pixel under them is (a conservative box reduction). */
function lrMask(mask: Mask, w: number, h: number, s: number): Mask {
  const lw = w / s;
  const out = new Uint8Array(lw * (h / s)).fill(1);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      if (mask[y * w + x] === 0) out[Math.floor(y / s) * lw + Math.floor(x / s)] = 0;
  return out;
}

/** Runs the protocol on one band of one image. */
export async function evaluate(gtIn: Plane, opts: EvaluateOptions): Promise<Evaluation> {
  const s = opts.scale;
  const gt = modcrop(gtIn, s);
  const mask = opts.mask && gt !== gtIn ? shaveMaskTo(opts.mask, gtIn.width, gt.width, gt.height) : opts.mask;
  let lr: Plane;
  if (opts.lr) {
    lr = opts.lr;
    if (lr.width * s !== gt.width || lr.height * s !== gt.height) {
      throw new ValidationError(
        'SIZE_MISMATCH',
        `LR ${lr.width}x${lr.height} x${s} does not match ground truth ${gt.width}x${gt.height} (after modcrop)`,
      );
    }
  } else {
    lr = downsample(gt, s, { degradation: opts.degradation, quantize: opts.quantize });
  }
  const metricOpts = { dataRange: opts.dataRange, shave: opts.shave ?? 0, mask };
  const cons = {
    scale: s,
    degradation: opts.degradation,
    dataRange: opts.dataRange,
    tileSize: opts.consistencyTileSize,
    thresholdDb: opts.consistencyThresholdDb,
    mask: mask ? lrMask(mask, gt.width, gt.height, s) : undefined,
  };
  const outputs: Partial<Record<MethodName, Plane>> = {};
  const methods: Partial<Record<MethodName, MethodEvaluation>> = {};
  const measure = (name: MethodName, raw: Plane): void => {
    const out = opts.quantize ? quantize(raw, opts.quantize) : raw;
    outputs[name] = out;
    methods[name] = { metrics: compare(gt, out, metricOpts), consistency: consistency(lr, out, cons) };
  };
  for (const b of opts.baselines ?? BASELINES) measure(b, upsample(lr, s, b, conventionOf(opts.degradation)));
  if (opts.enhance) {
    const sr = await opts.enhance(lr);
    if (sr.width !== gt.width || sr.height !== gt.height) {
      throw new ValidationError(
        'SIZE_MISMATCH',
        `model output ${sr.width}x${sr.height}, expected ${gt.width}x${gt.height}`,
      );
    }
    measure('model', sr);
  }
  let hall: HallucinationResult | undefined;
  const model = outputs.model;
  const bicubic = outputs.bicubic;
  if (model && bicubic) {
    const sh = opts.shave ?? 0;
    hall = hallucination(shavePlane(gt, sh), shavePlane(model, sh), shavePlane(bicubic, sh), {
      dataRange: opts.dataRange,
      tileSize: opts.tileSize,
      mask: mask ? shaveMask(mask, gt.width, gt.height, sh) : undefined,
    });
  }
  return {
    width: gt.width,
    height: gt.height,
    lrWidth: lr.width,
    lrHeight: lr.height,
    methods,
    hallucination: hall,
    planes: opts.keepPlanes ? { gt, lr, outputs } : undefined,
  };
}

/** The mask cropped like modcrop (right/bottom). */
function shaveMaskTo(mask: Mask, srcWidth: number, w: number, h: number): Mask {
  const out = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) out.set(mask.subarray(y * srcWidth, y * srcWidth + w), y * w);
  return out;
}
