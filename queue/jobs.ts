/**
 * What travels through Redis: job names, job data (metadata only: paths, URLs, model ids and options;
 * never pixels, never credentials) and the per-batch bookkeeping keys.
 */
import type { JobsOptions } from 'bullmq';
import type { StacAsset } from './stac.ts';

/** The default BullMQ queue every worker pulls from (`--queue` overrides). */
export const DEFAULT_QUEUE = 'tilesr';

/** Job names: one image / one DICOMweb series to enhance; one image of a validate batch; the report merge. */
export type JobName = 'enhance' | 'enhance-series' | 'validate-part' | 'validate-merge';

/** Output formats of `queue submit --format`, by file extension. */
export const FORMATS = ['dcm', 'tif', 'png', 'jpg', 'npy'] as const;
/** One of FORMATS. */
export type OutFormat = (typeof FORMATS)[number];

/** Where an image comes from: a local path or a URL the worker fetches itself. */
export interface SourceRef {
  /** Absolute path or http(s) URL (no userinfo: credentials come from the worker's environment). */
  src: string;
  /** What reports and logs call it: the input as the user gave it. */
  label: string;
  /** A DICOMweb series URL (one job, one derived series). */
  series?: boolean;
  /** A STAC asset: the item it belongs to, for the derived Item and the batch's Collection. */
  stac?: StacAsset & { collection: string };
}

/** The options that change an output: part of the idempotency key. */
export interface EnhanceOptions {
  model: string;
  variant: 'fidelity' | 'perceptual';
  format: OutFormat;
  frame?: number;
  band?: number;
  tile?: number;
  burnIn?: boolean;
  pngBits?: 8 | 16;
  /** Run a model of another domain than the file's (a batch mixing DICOM and GeoTIFF with one model). */
  allowDomainMismatch?: boolean;
}

/** Data of an `enhance` job. */
export interface EnhanceJobData {
  batch: string;
  index: number;
  source: SourceRef;
  /** Absolute output path; written to a temp name and renamed. */
  out: string;
  /** The batch's options with this output's format. */
  options: EnhanceOptions;
}

/** Data of an `enhance-series` job: the derived series goes to `out` (a directory) or by STOW-RS to `stow`. */
export interface SeriesJobData {
  batch: string;
  index: number;
  source: SourceRef;
  out?: string;
  stow?: string;
  options: EnhanceOptions;
}

/** Data of a `validate-part` job: `args` are `validate`'s options without --gt and the outputs. */
export interface ValidatePartData {
  batch: string;
  index: number;
  /** The file as the user gave it (what the report records) and the directory it is relative to. */
  file: string;
  base: string;
  args: string[];
  /** Directory (beside the report) where the part's figures wait for the merge; none without --report. */
  figures?: string;
}

/** Data of the `validate-merge` job (the flow's parent). */
export interface ValidateMergeData {
  batch: string;
  files: string[];
  base: string;
  args: string[];
  out: { json: string; csv?: string; report?: string };
  figures?: string;
}

/** What a `validate-part` job returns through Redis: the metrics rows of one file. */
export interface ValidatePartResult {
  index: number;
  part: unknown;
}

/** Retries and retention of every job: a poison input fails after `attempts`, never blocks. */
export function jobOptions(attempts: number): JobsOptions {
  return {
    attempts,
    backoff: { type: 'exponential', delay: 1000 },
    // status reads finished jobs back: keep them a week, then Redis forgets the batch
    removeOnComplete: { age: 7 * 86400 },
    removeOnFail: { age: 7 * 86400 },
  };
}

/** Redis key listing a batch's job ids in input order. */
export const batchJobsKey = (queue: string, batch: string) => `tilesr:${queue}:batch:${batch}:jobs`;
/** Redis hash describing a batch (kind, created, total). */
export const batchInfoKey = (queue: string, batch: string) => `tilesr:${queue}:batch:${batch}`;

/** The job id of input `index` of `batch` (BullMQ ids may not contain ':'). */
export const jobId = (batch: string, index: number | 'merge') => `${batch}-${index}`;
