/** Test support: a validation report around one evaluated synthetic image (x2, torch degradation). */
import type { DataRange } from '../datarange.ts';
import type { Evaluation } from '../evaluate.ts';
import {
  imageEntry,
  SCHEMA_ID,
  summarize,
  type ReportError,
  type ValidationReport,
} from '../report/schema.ts';

export interface SampleReportOptions {
  /** The image's file name in the report. */
  file: string;
  dataRange: DataRange;
  /** settings.tile_size. */
  tileSize: number;
  provenance: ValidationReport['provenance'];
  errors?: ReportError[];
}

/** A report of `ev` as frame 0, band 0 of `file` (no model, default settings otherwise). */
export function reportFor(ev: Evaluation, opts: SampleReportOptions): ValidationReport {
  const images = [
    imageEntry(ev, { file: opts.file, frame: 0, band: 0, lr: 'degraded', dataRange: opts.dataRange }),
  ];
  return {
    schema: SCHEMA_ID,
    model: null,
    settings: {
      scale: 2,
      degradation: 'torch',
      shave: 2,
      y_channel: false,
      frames: 'all',
      bands: 'all',
      lr_dir: null,
      quantize: null,
      tile_size: opts.tileSize,
      consistency_tile_size: 32,
      consistency_threshold_db: 35,
    },
    provenance: opts.provenance,
    images,
    summary: summarize(images),
    errors: opts.errors ?? [],
  };
}
