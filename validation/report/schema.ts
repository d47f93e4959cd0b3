/**
 * The validation report, versioned as `tilesr.validation/1`. Field names are snake_case and stable;
 * new fields may be added within version 1, none renamed or removed. Non-finite numbers (PSNR of
 * identical images) are written as null.
 */
import type { DataRange } from '../datarange.ts';
import type { Degradation } from '../degrade.ts';
import type { Evaluation, MethodName } from '../evaluate.ts';

/** Schema identifier written into every report. */
export const SCHEMA_ID = 'tilesr.validation/1';

/** Every method in report order. */
export const METHODS: readonly MethodName[] = ['nearest', 'bilinear', 'bicubic', 'lanczos3', 'model'];

/** Metrics of one method on one image/frame/band. */
export interface MethodEntry {
  psnr: number | null;
  ssim: number;
  ms_ssim: number | null;
  /** PSNR of degrade(output) against the LR input (dB). */
  consistency_psnr: number | null;
  consistency_bias: number;
  /** Share of LR tiles below the consistency threshold. */
  consistency_flagged_share: number;
  mse: number;
  rmse: number;
  mae: number;
  bias: number;
}

/** One measured image/frame/band. */
export interface ImageEntry {
  file: string;
  frame: number;
  /** Band index, or 'Y' for the luma of RGB ground truth (--y-channel). */
  band: number | 'Y';
  width: number;
  height: number;
  lr_width: number;
  lr_height: number;
  /** 'degraded' (made from ground truth) or the path of the real LR file. */
  lr: string;
  data_range: DataRange;
  methods: Partial<Record<MethodName, MethodEntry>>;
  /** Model vs bicubic per tile on ground truth. */
  hallucination?: { tile_size: number; tiles: number; worse_share: number; worse_share_rmse: number };
  notes?: string[];
}

/** Mean over images of one method (per-image PSNRs averaged, as the SR literature does). */
export interface SummaryEntry {
  n: number;
  psnr: number | null;
  ssim: number | null;
  ms_ssim: number | null;
  consistency_psnr: number | null;
}

/** The model under test, from its card and registry entry. */
export interface ReportModel {
  id: string;
  variant: string;
  key: string;
  sha256: string;
  scale: number;
  perceptual: boolean;
  backend?: string;
  card: Record<string, unknown>;
}

/** A file that could not be measured; the run goes on. */
export interface ReportError {
  file: string;
  code: string;
  message: string;
}

/** The whole report. */
export interface ValidationReport {
  schema: typeof SCHEMA_ID;
  model: ReportModel | null;
  settings: {
    scale: number;
    degradation: Degradation;
    shave: number;
    y_channel: boolean;
    frames: 'all' | 'mid';
    bands: number[] | 'all';
    lr_dir: string | null;
    /** Integer grid LR and outputs were rounded to (MATLAB-style on integer data), or null. */
    quantize: { min: number; max: number } | null;
    tile_size: number;
    consistency_tile_size: number;
    consistency_threshold_db: number;
  };
  provenance: {
    tilesr_version: string;
    created_at: string;
    runtime: string;
    inputs: Array<{ file: string; sha256: string }>;
  };
  images: ImageEntry[];
  summary: Partial<Record<MethodName, SummaryEntry>>;
  errors: ReportError[];
}

const finite = (v: number): number | null => (Number.isFinite(v) ? v : null);

/** Converts an Evaluation into the report's per-image entry. */
export function imageEntry(
  e: Evaluation,
  where: {
    file: string;
    frame: number;
    band: number | 'Y';
    lr: string;
    dataRange: DataRange;
    notes?: string[];
  },
): ImageEntry {
  const methods: Partial<Record<MethodName, MethodEntry>> = {};
  for (const name of METHODS) {
    const m = e.methods[name];
    if (!m) continue;
    methods[name] = {
      psnr: finite(m.metrics.psnr),
      ssim: m.metrics.ssim,
      ms_ssim: m.metrics.ms_ssim,
      consistency_psnr: finite(m.consistency.psnr),
      consistency_bias: m.consistency.bias,
      consistency_flagged_share: m.consistency.flaggedShare,
      mse: m.metrics.mse,
      rmse: m.metrics.rmse,
      mae: m.metrics.mae,
      bias: m.metrics.bias,
    };
  }
  const h = e.hallucination;
  return {
    file: where.file,
    frame: where.frame,
    band: where.band,
    width: e.width,
    height: e.height,
    lr_width: e.lrWidth,
    lr_height: e.lrHeight,
    lr: where.lr,
    data_range: where.dataRange,
    methods,
    ...(h
      ? {
          hallucination: {
            tile_size: h.tileSize,
            tiles: h.tiles,
            worse_share: h.worseShare,
            worse_share_rmse: h.worseShareRmse,
          },
        }
      : {}),
    ...(where.notes && where.notes.length > 0 ? { notes: where.notes } : {}),
  };
}

function mean(values: Array<number | null | undefined>): number | null {
  const v = values.filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
  return v.length > 0 ? v.reduce((a, b) => a + b, 0) / v.length : null;
}

/** Per-method means over images. */
export function summarize(images: ImageEntry[]): Partial<Record<MethodName, SummaryEntry>> {
  const out: Partial<Record<MethodName, SummaryEntry>> = {};
  for (const name of METHODS) {
    const ms = images.map((i) => i.methods[name]).filter((m): m is MethodEntry => m !== undefined);
    if (ms.length === 0) continue;
    out[name] = {
      n: ms.length,
      psnr: mean(ms.map((m) => m.psnr)),
      ssim: mean(ms.map((m) => m.ssim)),
      ms_ssim: mean(ms.map((m) => m.ms_ssim)),
      consistency_psnr: mean(ms.map((m) => m.consistency_psnr)),
    };
  }
  return out;
}

/** Serializes a report (non-finite numbers -> null), two-space indented. */
export function reportToJson(r: ValidationReport): string {
  return (
    JSON.stringify(r, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2) + '\n'
  );
}

/** Checks the shape of a parsed report; returns the problems found (empty = valid). */
export function checkReport(json: unknown): string[] {
  const problems: string[] = [];
  const r = json as Partial<ValidationReport> | null;
  if (!r || typeof r !== 'object') return ['not an object'];
  if (r.schema !== SCHEMA_ID) problems.push(`schema is ${String(r.schema)}, expected ${SCHEMA_ID}`);
  if (!Array.isArray(r.images)) problems.push('images is not an array');
  if (!Array.isArray(r.errors)) problems.push('errors is not an array');
  if (typeof r.summary !== 'object' || r.summary === null) problems.push('summary is not an object');
  if (!('model' in r)) problems.push('model is missing');
  for (const [i, img] of (r.images ?? []).entries()) {
    for (const k of ['file', 'frame', 'band', 'methods', 'data_range'] as const)
      if (!(k in img)) problems.push(`images[${i}].${k} is missing`);
    for (const [name, m] of Object.entries(img.methods ?? {}))
      for (const k of ['psnr', 'ssim', 'ms_ssim', 'consistency_psnr'] as const)
        if (!(k in (m as object))) problems.push(`images[${i}].methods.${name}.${k} is missing`);
  }
  for (const [i, e] of (r.errors ?? []).entries())
    for (const k of ['file', 'code', 'message'] as const)
      if (!(k in e)) problems.push(`errors[${i}].${k} is missing`);
  return problems;
}
