/**
 * A user's series for a StackViewport: files (several .dcm, a folder) or a DICOMweb series, sorted
 * into series by SeriesInstanceUID and into slices by position along the slice normal
 * (ImagePositionPatient · (row cosines × column cosines)), falling back to InstanceNumber (then the
 * name) when a slice has no position or the slices are not parallel. Every frame becomes a lazy
 * `tilesr:src/<n>` image id (loader.ts): its bytes are read (File) or retrieved (WADO-RS) and
 * decoded by formats/ only when Cornerstone3D loads it, so a large folder is not held decoded.
 */
import { errorCode } from '../../../core/errors.ts';
import { openRaster } from '../../../formats/index.ts';
import {
  createClient,
  num,
  retrieveInstance,
  retrieveSeriesMetadata,
  str,
  TAGS,
  type DicomJson,
  type DicomWebOptions,
} from '../../../dicomweb/index.ts';
import { registerStackSource, type StackSourceOpener } from './loader.ts';

/** One frame found in the input, before sorting. */
export interface SliceEntry {
  /** What the slice is called in messages and the last sort key (file name, SOP Instance UID). */
  name: string;
  seriesUid: string;
  seriesDescription?: string;
  modality?: string;
  /** ImagePositionPatient (mm). */
  position?: readonly number[];
  /** ImageOrientationPatient (row then column cosines). */
  orientation?: readonly number[];
  instance?: number;
  /** Frame of a multi-frame file (0 for single-frame). */
  frame: number;
  open: StackSourceOpener;
}

/** A series ready for a StackViewport: its slices' image ids in display order. */
export interface StackSeries {
  seriesUid: string;
  description: string;
  modality: string;
  /** `tilesr:src/<n>` ids, sorted. */
  imageIds: string[];
  /** The slice names in the same order (file names or SOP Instance UIDs). */
  names: string[];
  /** How the slices were ordered. */
  orderedBy: 'position' | 'instance';
}

/** A file that was not an image formats/ could open (a DICOMDIR, a text file...). */
export interface SkippedFile {
  name: string;
  code: string;
  message: string;
}

const EPS = 1e-3;

function normalOf(o: readonly number[]): [number, number, number] {
  const [a = 0, b = 0, c = 0, d = 0, e = 0, f = 0] = o;
  return [b * f - c * e, c * d - a * f, a * e - b * d];
}

/** Whether all slices have a position and one orientation (parallel slices). */
function sortableByPosition(slices: readonly SliceEntry[]): boolean {
  const o0 = slices[0]?.orientation;
  if (!o0 || o0.length < 6) return false;
  return slices.every(
    (s) =>
      s.position?.length === 3 &&
      s.orientation?.length === 6 &&
      s.orientation.every((v, i) => Math.abs(v - (o0[i] as number)) < EPS),
  );
}

/**
 * Groups slices into series (first seen first) and orders each: by distance along the slice normal
 * when every slice has a position and all share an orientation, else by InstanceNumber; ties by
 * InstanceNumber, then frame, then name. Registers each frame as a lazy `tilesr:src/` image id.
 */
export function groupSeries(slices: readonly SliceEntry[]): StackSeries[] {
  const bySeries = new Map<string, SliceEntry[]>();
  for (const s of slices) {
    const list = bySeries.get(s.seriesUid) ?? [];
    list.push(s);
    bySeries.set(s.seriesUid, list);
  }
  return [...bySeries.entries()].map(([seriesUid, list]) => {
    const byPosition = sortableByPosition(list);
    const n = byPosition ? normalOf(list[0]?.orientation ?? []) : [0, 0, 0];
    const dist = (s: SliceEntry) =>
      byPosition ? (s.position ?? []).reduce((acc, v, i) => acc + v * (n[i] as number), 0) : 0;
    const sorted = [...list].sort(
      (a, b) =>
        dist(a) - dist(b) ||
        (a.instance ?? Infinity) - (b.instance ?? Infinity) ||
        a.frame - b.frame ||
        a.name.localeCompare(b.name),
    );
    const first = sorted[0];
    return {
      seriesUid,
      description: first?.seriesDescription ?? '',
      modality: first?.modality ?? '',
      imageIds: sorted.map((s) => registerStackSource(s.open, s.frame, s.name)),
      names: sorted.map((s) => s.name),
      orderedBy: byPosition ? 'position' : 'instance',
    };
  });
}

function nums(v: unknown): number[] | undefined {
  if (Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isFinite(x))) return v as number[];
  if (typeof v === 'string' && v.length > 0) {
    const parts = v.split('\\').map(Number);
    return parts.every((x) => Number.isFinite(x)) ? parts : undefined;
  }
  return undefined;
}

function text(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : typeof v === 'number' ? String(v) : undefined;
}

/** What a file or folder opened into: its series (first one first) and the files left out. */
export interface OpenedFiles {
  series: StackSeries[];
  skipped: SkippedFile[];
}

/**
 * Reads the headers of `files` (formats/: DICOM or GeoTIFF) and sorts their frames into series.
 * Files formats/ cannot open are listed in `skipped` (with their FormatError code), not thrown.
 * Files without a SeriesInstanceUID (GeoTIFF, bare DICOM) form one series each.
 */
export async function openSeriesFiles(files: readonly File[], signal?: AbortSignal): Promise<OpenedFiles> {
  const slices: SliceEntry[] = [];
  const skipped: SkippedFile[] = [];
  for (const file of files) {
    const name = file.webkitRelativePath || file.name;
    try {
      const src = await openRaster(file, { signal });
      const { metadata: md, frames } = src.info;
      await src.close();
      const open = () => Promise.resolve<File>(file);
      for (let frame = 0; frame < Math.max(1, frames); frame++)
        slices.push({
          name,
          seriesUid: text(md['SeriesInstanceUID']) ?? `file:${name}`,
          seriesDescription: text(md['SeriesDescription']),
          modality: text(md['Modality']),
          position: nums(md['ImagePositionPatient']),
          orientation: nums(md['ImageOrientationPatient']),
          instance: Number(text(md['InstanceNumber']) ?? NaN) || undefined,
          frame,
          open,
        });
    } catch (e) {
      if (signal?.aborted) throw e;
      skipped.push({ name, code: errorCode(e) ?? 'LOAD_FAILED', message: (e as Error).message });
    }
  }
  return { series: groupSeries(slices), skipped };
}

/** Where a DICOMweb series is. */
export interface DicomWebSeriesSource {
  /** The DICOMweb root (QIDO/WADO), e.g. `/dicomweb` behind a same-origin proxy. */
  root: string;
  study: string;
  series: string;
  /** Request headers (e.g. `Authorization`); never logged. */
  headers?: Record<string, string>;
  /** The client's other options (fetch hook, timeouts, retries, concurrency). */
  client?: Omit<DicomWebOptions, 'root' | 'headers'>;
}

/**
 * Lists a DICOMweb series' instances (WADO-RS series metadata: positions, orientation, instance
 * numbers, frames) and orders them like files; each frame's instance is retrieved (WADO-RS, Part 10)
 * and decoded by formats/ when Cornerstone3D first loads it. Errors are the client's DicomWebError.
 */
export async function openDicomWebSeries(
  src: DicomWebSeriesSource,
  signal?: AbortSignal,
): Promise<StackSeries> {
  const root = new URL(src.root, globalThis.location?.href).href.replace(/\/$/, '');
  const client = createClient({ ...src.client, root, headers: src.headers });
  const instances: DicomJson[] = await retrieveSeriesMetadata(client, src.study, src.series, signal);
  const slices: SliceEntry[] = [];
  for (const ds of instances) {
    const sop = str(ds, TAGS.SOPInstanceUID);
    if (!sop) continue;
    // one retrieval per instance, shared by its frames
    let bytes: Promise<Uint8Array> | undefined;
    const open = (s?: AbortSignal) => {
      bytes ??= retrieveInstance(client, src.study, src.series, sop, { signal: s }).catch((e: unknown) => {
        bytes = undefined; // a failed retrieval is tried again on the next load
        throw e;
      });
      return bytes;
    };
    const frames = num(ds, TAGS.NumberOfFrames) ?? 1;
    for (let frame = 0; frame < Math.max(1, frames); frame++)
      slices.push({
        name: sop,
        seriesUid: src.series,
        seriesDescription: str(ds, TAGS.SeriesDescription),
        modality: str(ds, TAGS.Modality),
        position: nums(ds['00200032']?.Value?.map(Number)),
        orientation: nums(ds['00200037']?.Value?.map(Number)),
        instance: num(ds, TAGS.InstanceNumber),
        frame,
        open,
      });
  }
  const [series] = groupSeries(slices);
  return (
    series ?? {
      seriesUid: src.series,
      description: '',
      modality: '',
      imageIds: [],
      names: [],
      orderedBy: 'instance',
    }
  );
}
