/**
 * `tilesr validate --gt FILES_OR_DIRS --json OUT.json [...]`: the QA protocol on the user's own ground
 * truth. Each image/frame/band is degraded (or paired with a real LR from --lr-dir), upsampled by the
 * baselines and the model, and measured; a file that fails is recorded in `errors` and the run goes
 * on. Exit code 1 only when something was recorded in `errors` (or on a usage error).
 */
import { readdir, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadExternalModel } from '../../models/registry.ts';
import { parseArgs } from 'node:util';
import { TILESR_VERSION } from '../../plugin/pipeline/provenance.ts';
import { rgbToY } from '../../validation/color.ts';
import { explicitDataRange, type DataRange } from '../../validation/datarange.ts';
import type { Quantize } from '../../validation/degrade.ts';
import { evaluate } from '../../validation/evaluate.ts';
import type { Plane } from '../../validation/image.ts';
import { reportToCsv } from '../../validation/report/csv.ts';
import { imageFigures, type ImageFigures } from '../../validation/report/figures.ts';
import { reportToHtml } from '../../validation/report/html.ts';
import {
  imageEntry,
  METHODS,
  reportToJson,
  SCHEMA_ID,
  summarize,
  type ImageEntry,
  type ReportError,
  type ValidationReport,
} from '../../validation/report/schema.ts';
import { parseIntOption } from '../args.ts';
import { openModel, type OpenedModel } from '../enhancer.ts';
import { toCoded, UsageError } from '../errors.ts';
import { deriveDataRange, openImage, parseDataRangeChoice, type LoadedImage } from '../images.ts';
import { writeFileAtomic } from '../output.ts';

const IMAGE_EXT = /\.(png|npy|dcm|dicom|tif|tiff|ima)$/i;

/** Expands directories (recursively, sorted) into image files; explicit files are always kept. */
export async function collectFiles(inputs: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const p of inputs) {
    // a missing path stays in the list: opening it fails and is recorded in the report's errors
    const isDir = await stat(p).then(
      (st) => st.isDirectory(),
      () => false,
    );
    if (isDir) {
      const names = (await readdir(p)).filter((n) => !n.startsWith('.')).sort();
      for (const n of names) {
        const full = join(p, n);
        if ((await stat(full)).isDirectory()) out.push(...(await collectFiles([full])));
        else if (IMAGE_EXT.test(n) || !n.includes('.')) out.push(full);
      }
    } else out.push(p);
  }
  return out;
}

/** `validate`'s options (`queue submit --validate` passes them through to the batch's jobs). */
export const OPTIONS = {
  gt: { type: 'string', multiple: true },
  model: { type: 'string' },
  'model-file': { type: 'string' },
  variant: { type: 'string', default: 'fidelity' },
  scale: { type: 'string' },
  frames: { type: 'string', default: 'all' },
  bands: { type: 'string' },
  json: { type: 'string' },
  csv: { type: 'string' },
  report: { type: 'string' },
  'lr-dir': { type: 'string' },
  'y-channel': { type: 'boolean', default: false },
  shave: { type: 'string' },
  degradation: { type: 'string', default: 'torch' },
  'data-range': { type: 'string' },
  'data-range-rule': { type: 'string' },
  'no-quantize': { type: 'boolean', default: false },
  tile: { type: 'string', default: '64' },
  'consistency-tile': { type: 'string', default: '32' },
  'consistency-threshold': { type: 'string', default: '35' },
  'max-figures': { type: 'string', default: '24' },
  threads: { type: 'string' },
} as const;

/** Parses `validate`'s arguments (`--gt` values and positionals together). */
export function parseValidateArgs(argv: string[]) {
  try {
    // `--gt dir/*.png` expands to one --gt and many positionals: take both
    const r = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
    return { values: r.values, gt: [...(r.values.gt ?? []), ...r.positionals] };
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

const WIDE = ['uint16', 'int16', 'uint32', 'int32'];

/** The integer grid of MATLAB-style quantization for a stored type (undefined for floats). */
function gridOf(img: LoadedImage): Quantize | undefined {
  if (img.dtype === 'uint8') return { min: 0, max: 255 };
  if (!WIDE.includes(img.dtype) || img.slope !== 1) return undefined;
  const bits = img.bitsStored || (img.dtype.endsWith('16') ? 16 : 32);
  return img.dtype.startsWith('int')
    ? { min: -(2 ** (bits - 1)), max: 2 ** (bits - 1) - 1 }
    : { min: 0, max: 2 ** bits - 1 };
}

function fmt(v: number | null | undefined, d: number): string {
  return v === null || v === undefined ? '–' : v.toFixed(d);
}

/** One file's share of a report: its rows, figures, errors, inputs and the quantize grid it used. */
export interface ValidationPart {
  images: ImageEntry[];
  /** Aligned with `images`; undefined where no figure was kept. */
  figures: Array<ImageFigures | undefined>;
  errors: ReportError[];
  inputs: Array<{ file: string; sha256: string }>;
  quantize: Quantize | null;
}

/** A validation run with its options checked and its model open (shared by the batch worker). */
export interface ValidationRun {
  model: OpenedModel | undefined;
  /** --max-figures, and whether an HTML report (which wants figures) was asked for. */
  maxFigures: number;
  /**
   * Measures one file; `budget` = how many of its rows may keep figures. Paths are opened relative to
   * `base` (default: the working directory) but recorded as given.
   */
  measure(file: string, budget: number, base?: string): Promise<ValidationPart>;
  /** The report of the parts, in order (a part per file, as `validate` measures them). */
  report(parts: ValidationPart[]): ValidationReport;
  close(): Promise<void>;
}

/**
 * Checks `validate`'s options (not --gt or the outputs) and opens the model through `open` (a batch
 * worker passes one that reuses its session).
 */
export async function openValidation(
  argv: string[],
  open: typeof openModel = openModel,
  withFigures = parseValidateArgs(argv).values.report !== undefined,
): Promise<ValidationRun> {
  const { values: v } = parseValidateArgs(argv);
  if (v.degradation !== 'torch' && v.degradation !== 'matlab')
    throw new UsageError(`--degradation must be torch or matlab, got "${v.degradation}"`);
  if (v.frames !== 'all' && v.frames !== 'mid')
    throw new UsageError(`--frames must be all or mid, got "${v.frames}"`);
  if (v.variant !== 'fidelity' && v.variant !== 'perceptual')
    throw new UsageError(`--variant must be fidelity or perceptual, got "${v.variant}"`);
  const bands = v.bands?.split(',').map((b) => parseIntOption('bands', b.trim()) as number);
  const choice = parseDataRangeChoice(v['data-range-rule'], v['data-range']);
  const tile = parseIntOption('tile', v.tile) as number;
  const ctile = parseIntOption('consistency-tile', v['consistency-tile']) as number;
  const threshold = Number(v['consistency-threshold']);
  const maxFigures = parseIntOption('max-figures', v['max-figures']) as number;
  const degradation = v.degradation;
  const framesChoice = v.frames;

  let model: OpenedModel | undefined;
  if (v['model-file']) {
    if (v.model) throw new UsageError('--model and --model-file are exclusive');
    // an external card (tilesr train): registered, then opened like a shipped model (sha256 checked)
    const ext = await loadExternalModel(pathToFileURL(resolve(v['model-file'])));
    model = await open(ext.id, v.variant, parseIntOption('threads', v.threads));
  } else if (v.model && v.model !== 'none')
    model = await open(v.model, v.variant, parseIntOption('threads', v.threads));
  const scale = parseIntOption('scale', v.scale) ?? model?.entry.scale;
  if (!scale || scale < 1) throw new UsageError('--scale N is required without --model');
  if (model && scale !== model.entry.scale)
    throw new UsageError(`--scale ${scale} differs from ${model.entry.id}'s x${model.entry.scale}`);
  const shave = parseIntOption('shave', v.shave) ?? scale;

  const measure = async (file: string, budget: number, base = '.'): Promise<ValidationPart> => {
    const part: ValidationPart = { images: [], figures: [], errors: [], inputs: [], quantize: null };
    const { images, figures, errors, inputs } = part;
    let img: LoadedImage | undefined;
    let lrImg: LoadedImage | undefined;
    try {
      img = await openImage(resolve(base, file));
      inputs.push({ file, sha256: img.sha256 });
      const lrFile = v['lr-dir'] ? join(v['lr-dir'], basename(file)) : undefined;
      if (lrFile) {
        lrImg = await openImage(resolve(base, lrFile));
        inputs.push({ file: lrFile, sha256: lrImg.sha256 });
      }
      const frames = framesChoice === 'mid' ? [Math.floor(img.frames / 2)] : [...Array(img.frames).keys()];
      for (const frame of frames) {
        const planes = await img.read(frame);
        const lrPlanes = lrImg ? await lrImg.read(frame) : undefined;
        const targets: Array<{ band: number | 'Y'; gt: Plane; lr?: Plane }> = [];
        if (v['y-channel'] && planes.length === 3) {
          const white = img.dtype === 'uint16' ? 65535 : 255;
          const [r, g, b] = planes as [Plane, Plane, Plane];
          const lrY =
            lrPlanes?.length === 3 ? rgbToY(...(lrPlanes as [Plane, Plane, Plane]), white) : lrPlanes?.[0];
          targets.push({ band: 'Y', gt: rgbToY(r, g, b, white), lr: lrY });
        } else {
          for (const [bi, p] of planes.entries())
            if (!bands || bands.includes(bi)) targets.push({ band: bi, gt: p, lr: lrPlanes?.[bi] });
        }
        for (const t of targets) {
          const yMode = t.band === 'Y';
          const range: DataRange =
            typeof choice === 'number'
              ? explicitDataRange(choice)
              : yMode && choice === 'auto'
                ? { value: 255, rule: 'dtype', detail: 'Y (BT.601 studio range) on the 0..255 scale' }
                : deriveDataRange(img, t.gt, choice);
          const grid = yMode ? { min: 0, max: 255 } : gridOf(img);
          const quantize = degradation === 'matlab' && !v['no-quantize'] && !lrImg ? grid : undefined;
          if (quantize) part.quantize = quantize;
          const keep = withFigures && figures.length < budget;
          const ev = await evaluate(t.gt, {
            scale,
            degradation,
            dataRange: range.value,
            shave,
            quantize,
            lr: t.lr,
            enhance: model?.enhance,
            tileSize: tile,
            consistencyTileSize: ctile,
            consistencyThresholdDb: threshold,
            keepPlanes: keep,
          });
          const notes: string[] = [];
          if (t.gt.width % scale || t.gt.height % scale)
            notes.push(`ground truth cropped to ${ev.width}x${ev.height} (multiple of ${scale})`);
          if (ev.methods.bicubic?.metrics.ms_ssim_note) notes.push(ev.methods.bicubic.metrics.ms_ssim_note);
          images.push(
            imageEntry(ev, { file, frame, band: t.band, lr: lrFile ?? 'degraded', dataRange: range, notes }),
          );
          figures.push(keep ? imageFigures(ev, range.value) : undefined);
        }
      }
    } catch (err) {
      const { code, message } = toCoded(err);
      errors.push({ file, code, message });
      if (code === 'INTERNAL' && process.env.TILESR_DEBUG) console.error(err);
    } finally {
      await img?.close().catch(() => undefined);
      await lrImg?.close().catch(() => undefined);
    }
    return part;
  };

  const report = (parts: ValidationPart[]): ValidationReport => {
    const images = parts.flatMap((p) => p.images);
    return {
      schema: SCHEMA_ID,
      model: model?.report ?? null,
      settings: {
        scale,
        degradation,
        shave,
        y_channel: v['y-channel'],
        frames: framesChoice,
        bands: bands ?? 'all',
        lr_dir: v['lr-dir'] ?? null,
        // the grid of the last image that was quantized
        quantize: parts.reduce<Quantize | null>((q, p) => p.quantize ?? q, null),
        tile_size: tile,
        consistency_tile_size: ctile,
        consistency_threshold_db: threshold,
      },
      provenance: {
        tilesr_version: TILESR_VERSION,
        created_at: new Date().toISOString(),
        runtime: `node ${process.version} ${process.platform}-${process.arch}`,
        inputs: parts.flatMap((p) => p.inputs),
      },
      images,
      summary: summarize(images),
      errors: parts.flatMap((p) => p.errors),
    };
  };
  return { model, maxFigures, measure, report, close: async () => model?.close() };
}

/** Writes the report's JSON, CSV and HTML (figures: the first --max-figures of the parts' rows). */
export async function writeReports(
  report: ValidationReport,
  parts: ValidationPart[],
  out: { json: string; csv?: string; report?: string },
  maxFigures: number,
): Promise<void> {
  await writeFileAtomic(out.json, reportToJson(report));
  if (out.csv) await writeFileAtomic(out.csv, reportToCsv(report));
  const figures = parts.flatMap((p) => p.figures).map((f, i) => (i < maxFigures ? f : undefined));
  if (out.report) await writeFileAtomic(out.report, reportToHtml(report, figures));
}

/** Runs `validate`. */
export async function validate(argv: string[]): Promise<number> {
  const { values: v, gt } = parseValidateArgs(argv);
  if (gt.length === 0) throw new UsageError('--gt FILES_OR_DIRS is required');
  if (!v.json) throw new UsageError('--json OUT.json is required');
  const run = await openValidation(argv);
  const files = await collectFiles(gt);
  if (files.length === 0) {
    await run.close();
    throw new UsageError('no image files under --gt');
  }

  const parts: ValidationPart[] = [];
  let rows = 0;
  const tty = process.stderr.isTTY;
  try {
    for (const [k, file] of files.entries()) {
      if (tty) process.stderr.write(`\r\x1b[K[${k + 1}/${files.length}] ${file}`);
      const part = await run.measure(file, run.maxFigures - rows);
      rows += part.images.length;
      parts.push(part);
    }
  } finally {
    if (tty) process.stderr.write('\r\x1b[K');
    await run.close();
  }

  const report = run.report(parts);
  await writeReports(report, parts, { json: v.json, csv: v.csv, report: v.report }, run.maxFigures);

  const lines = [
    `${'method'.padEnd(10)} ${'n'.padStart(5)} ${'PSNR'.padStart(8)} ${'SSIM'.padStart(7)} ${'MS-SSIM'.padStart(7)} ${'cons.PSNR'.padStart(9)}`,
  ];
  for (const m of METHODS) {
    const s = report.summary[m];
    if (!s) continue;
    lines.push(
      `${m.padEnd(10)} ${String(s.n).padStart(5)} ${fmt(s.psnr, 2).padStart(8)} ${fmt(s.ssim, 4).padStart(7)} ${fmt(s.ms_ssim, 4).padStart(7)} ${fmt(s.consistency_psnr, 2).padStart(9)}`,
    );
  }
  const { images, errors } = report;
  lines.push(`${images.length} image(s) measured, ${errors.length} error(s)`);
  for (const e of errors) lines.push(`error ${e.code}: ${e.file}: ${e.message.split('\n')[0]}`);
  process.stdout.write(lines.join('\n') + '\n');
  return errors.length > 0 ? 1 : 0;
}
