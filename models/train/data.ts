/**
 * Training data as inference sees it: every file is decoded by formats/ (the same decoders the
 * viewer and the CLI use), turned into real units, and each frame/band gets the card's normalization
 * contract (models/normalize.ts: one robust 0.1-99.9 % range per image/band, clipped to [0,1]).
 * The result is one float32 .npy per frame/band for the Python trainer. Items carry a group key
 * (DICOM: patient, else study/series; GeoTIFF: the scene file) so the split never puts slices of one
 * subject or bands of one scene on both sides.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { openRaster, toModalityValues } from '../../formats/index.ts';
import { encodeNpy } from '../../formats/npy.ts';
import { computeRange, normalize } from '../normalize.ts';
import { TrainError } from './errors.ts';

/** One normalized training image (a frame/band of a file). */
export interface TrainItem {
  file: string;
  frame: number;
  band: number;
  width: number;
  height: number;
  /** Subject/series/scene key: items sharing it are always on the same side of the split. */
  group: string;
  /** The normalized float32 [0,1] image. */
  npy: string;
  /** The robust range used (original units). */
  lo: number;
  hi: number;
}

/** Options of `prepareItems`. */
export interface PrepareOptions {
  cacheDir: string;
  /** At most this many frames per file (evenly spaced); default all. */
  maxFramesPerFile?: number;
  signal?: AbortSignal;
  onFile?: (done: number, total: number, file: string) => void;
}

function metaString(meta: Record<string, unknown>, key: string): string | undefined {
  const v = meta[key];
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

/** The split key of a file: the patient (or study/series) for DICOM, the scene for GeoTIFF. */
export function groupKey(format: string, metadata: Record<string, unknown>, file: string): string {
  if (format === 'dicom') {
    const id =
      metaString(metadata, 'PatientID') ??
      metaString(metadata, 'StudyInstanceUID') ??
      metaString(metadata, 'SeriesInstanceUID');
    if (id) return `dicom:${id}`;
  }
  return `file:${file}`;
}

function framesOf(n: number, max: number | undefined): number[] {
  if (!max || n <= max) return [...Array(n).keys()];
  return [...Array(max).keys()].map((i) => Math.floor(((i + 0.5) * n) / max));
}

/** Decodes and normalizes every file into .npy images under `cacheDir`. */
export async function prepareItems(files: string[], opts: PrepareOptions): Promise<TrainItem[]> {
  await mkdir(opts.cacheDir, { recursive: true });
  const items: TrainItem[] = [];
  for (const [k, file] of files.entries()) {
    if (opts.signal?.aborted) throw new TrainError('ABORTED', 'aborted');
    opts.onFile?.(k, files.length, file);
    const source = await openRaster(file);
    try {
      const { info } = source;
      const group = groupKey(info.format, info.metadata as Record<string, unknown>, file);
      for (const frame of framesOf(info.frames, opts.maxFramesPerFile)) {
        const r = await source.read({ frame, signal: opts.signal });
        const values = toModalityValues(r);
        for (let band = 0; band < r.samples; band++) {
          const sel = { stride: r.samples, band };
          let range;
          try {
            range = computeRange(values, sel);
          } catch {
            continue; // a band without valid samples teaches nothing
          }
          if (range.constant) continue;
          const data = normalize(values, range, sel);
          const npy = join(
            opts.cacheDir,
            `${items.length}_${basename(file).replace(/[^\w.-]/g, '_')}_f${frame}_b${band}.npy`,
          );
          await writeFile(npy, encodeNpy({ shape: [r.height, r.width], dtype: 'float32', data }));
          items.push({
            file,
            frame,
            band,
            width: r.width,
            height: r.height,
            group,
            npy,
            lo: range.lo,
            hi: range.hi,
          });
        }
      }
    } finally {
      await source.close();
    }
  }
  if (items.length === 0) throw new TrainError('TRAIN_NO_DATA', 'no usable image in the training data');
  return items;
}

/** FNV-1a of a string: a seed-stable order of groups that does not depend on file order. */
function hash(s: string, seed: number): number {
  let h = (2166136261 ^ seed) >>> 0;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619) >>> 0;
  return h;
}

/** A split by group: which groups are held out for validation. */
export interface Split {
  train: TrainItem[];
  val: TrainItem[];
  trainGroups: string[];
  valGroups: string[];
  rule: string;
}

/**
 * Holds out about `fraction` of the groups (at least one when there are two or more; none with a
 * single group, which then cannot be validated on unseen data and says so). Never splits a group.
 */
export function splitByGroup(items: TrainItem[], fraction: number, seed: number): Split {
  const groups = [...new Set(items.map((i) => i.group))].sort(
    (a, b) => hash(a, seed) - hash(b, seed) || (a < b ? -1 : 1),
  );
  const nVal =
    groups.length < 2 ? 0 : Math.min(groups.length - 1, Math.max(1, Math.round(groups.length * fraction)));
  const valGroups = groups.slice(0, nVal).sort();
  const valSet = new Set(valGroups);
  return {
    train: items.filter((i) => !valSet.has(i.group)),
    val: items.filter((i) => valSet.has(i.group)),
    trainGroups: groups.slice(nVal).sort(),
    valGroups,
    rule: `by subject/series/scene: ${nVal} of ${groups.length} group(s) held out (FNV-1a order, seed ${seed}); DICOM groups by PatientID (else StudyInstanceUID, SeriesInstanceUID), GeoTIFF by scene file; never by slice or band`,
  };
}
