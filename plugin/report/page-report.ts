/**
 * The validation protocol on one decoded raster, in a page or worker: degrade the raster (the ground
 * truth), enhance the LR with a registry model through enhanceRaster, compare model and baselines
 * with validation/, and return a `tilesr.validation/1` report plus the model run's provenance.
 * The same functions as `tilesr validate`, so numbers agree with the CLI on the same pixels.
 */
import type { Raster } from '../../formats/raster.ts';
import type { BackendPreference } from '../../models/backend/types.ts';
import type { Variant } from '../../models/card.ts';
import { getModel } from '../../models/registry.ts';
import {
  dataRangeFromSpan,
  evaluate,
  imageEntry,
  SCHEMA_ID,
  summarize,
  type Plane,
  type ValidationReport,
} from '../../validation/index.ts';
import { enhanceRaster } from '../pipeline/enhance.ts';
import { TILESR_VERSION, type Provenance } from '../pipeline/provenance.ts';

/** Options of validateRaster. */
export interface PageReportOptions {
  modelId: string;
  variant?: Variant;
  backend?: BackendPreference;
  /** Band measured (default 0). */
  band?: number;
  /** Name written into the report. */
  file: string;
  /** sha256 of the input file bytes, when known. */
  inputSha256?: string;
  signal?: AbortSignal;
}

/** The report and the provenance of the model's run on the degraded image. */
export interface PageReport {
  report: ValidationReport;
  provenance: Provenance | null;
}

/** One band in real units (slope/intercept applied), nodata as NaN. */
export function bandPlane(raster: Raster, band = 0): Plane {
  const { slope, intercept, nodata } = raster.info.valueMapping;
  const n = raster.width * raster.height;
  const data = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = raster.data[i * raster.samples + band] as number;
    data[i] = v === nodata ? NaN : v * slope + intercept;
  }
  return { width: raster.width, height: raster.height, data };
}

/** Wraps an LR plane as a one-band float raster so enhanceRaster can take it. */
function planeRaster(template: Raster, p: Plane): Raster {
  const data = Float32Array.from(p.data);
  return {
    info: {
      ...template.info,
      width: p.width,
      height: p.height,
      frames: 1,
      samples: 1,
      dtype: 'float32',
      valueMapping: { slope: 1, intercept: 0 },
    },
    frame: 0,
    window: { x: 0, y: 0, width: p.width, height: p.height },
    width: p.width,
    height: p.height,
    samples: 1,
    dtype: 'float32',
    data,
  };
}

/** Runs the protocol (torch degradation, shave = scale) on one band of `raster`. */
export async function validateRaster(raster: Raster, opts: PageReportOptions): Promise<PageReport> {
  const entry = getModel(opts.modelId, opts.variant);
  const band = opts.band ?? 0;
  const gt = bandPlane(raster, band);
  // the ground truth's own span, the CLI's default for DICOM and GeoTIFF (cli/images.ts deriveDataRange)
  const range = dataRangeFromSpan(gt);
  let provenance: Provenance | null = null;
  const ev = await evaluate(gt, {
    scale: entry.scale,
    degradation: 'torch',
    dataRange: range.value,
    shave: entry.scale,
    enhance: async (lr) => {
      const out = await enhanceRaster(planeRaster(raster, lr), {
        modelId: entry.id,
        variant: entry.variant,
        backend: opts.backend,
        signal: opts.signal,
      });
      provenance = out.provenance;
      return { width: out.width, height: out.height, data: out.data };
    },
  });
  const notes: string[] = [];
  if (ev.methods.bicubic?.metrics.ms_ssim_note) notes.push(ev.methods.bicubic.metrics.ms_ssim_note);
  const images = [
    imageEntry(ev, { file: opts.file, frame: raster.frame, band, lr: 'degraded', dataRange: range, notes }),
  ];
  const used = provenance as Provenance | null;
  const report: ValidationReport = {
    schema: SCHEMA_ID,
    model: {
      id: entry.id,
      variant: entry.variant,
      key: entry.key,
      sha256: entry.sha256,
      scale: entry.scale,
      perceptual: entry.perceptual,
      backend: used ? Object.keys(used.backends).join('+') : undefined,
      card: { ...entry.card },
    },
    settings: {
      scale: entry.scale,
      degradation: 'torch',
      shave: entry.scale,
      y_channel: false,
      frames: 'all',
      bands: [band],
      lr_dir: null,
      quantize: null,
      tile_size: 64,
      consistency_tile_size: 32,
      consistency_threshold_db: 35,
    },
    provenance: {
      tilesr_version: TILESR_VERSION,
      created_at: new Date().toISOString(),
      runtime: typeof navigator !== 'undefined' ? navigator.userAgent : 'unknown',
      inputs: opts.inputSha256 ? [{ file: opts.file, sha256: opts.inputSha256 }] : [],
    },
    images,
    summary: summarize(images),
    errors: [],
  };
  return { report, provenance: used };
}
