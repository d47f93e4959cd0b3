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

const OPTIONS = {
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

function parseValidateArgs(argv: string[]) {
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

/** Runs `validate`. */
export async function validate(argv: string[]): Promise<number> {
  const { values: v, gt } = parseValidateArgs(argv);
  if (gt.length === 0) throw new UsageError('--gt FILES_OR_DIRS is required');
  if (!v.json) throw new UsageError('--json OUT.json is required');
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
  const files = await collectFiles(gt);
  if (files.length === 0) throw new UsageError('no image files under --gt');

  let model: OpenedModel | undefined;
  if (v['model-file']) {
    if (v.model) throw new UsageError('--model and --model-file are exclusive');
    // an external card (tilesr train): registered, then opened like a shipped model (sha256 checked)
    const ext = await loadExternalModel(pathToFileURL(resolve(v['model-file'])));
    model = await openModel(ext.id, v.variant, parseIntOption('threads', v.threads));
  } else if (v.model && v.model !== 'none')
    model = await openModel(v.model, v.variant, parseIntOption('threads', v.threads));
  const scale = parseIntOption('scale', v.scale) ?? model?.entry.scale;
  if (!scale || scale < 1) throw new UsageError('--scale N is required without --model');
  if (model && scale !== model.entry.scale)
    throw new UsageError(`--scale ${scale} differs from ${model.entry.id}'s x${model.entry.scale}`);
  const shave = parseIntOption('shave', v.shave) ?? scale;

  const images: ImageEntry[] = [];
  const figures: Array<ImageFigures | undefined> = [];
  const errors: ReportError[] = [];
  const inputs: Array<{ file: string; sha256: string }> = [];
  let quantizeUsed: Quantize | null = null;
  const tty = process.stderr.isTTY;
  try {
    for (const [k, file] of files.entries()) {
      if (tty) process.stderr.write(`\r\x1b[K[${k + 1}/${files.length}] ${file}`);
      let img: LoadedImage | undefined;
      let lrImg: LoadedImage | undefined;
      try {
        img = await openImage(file);
        inputs.push({ file, sha256: img.sha256 });
        if (v['lr-dir']) {
          lrImg = await openImage(join(v['lr-dir'], basename(file)));
          inputs.push({ file: lrImg.file, sha256: lrImg.sha256 });
        }
        const frames = v.frames === 'mid' ? [Math.floor(img.frames / 2)] : [...Array(img.frames).keys()];
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
            if (quantize) quantizeUsed = quantize;
            const keep = v.report !== undefined && figures.length < maxFigures;
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
              imageEntry(ev, {
                file,
                frame,
                band: t.band,
                lr: lrImg?.file ?? 'degraded',
                dataRange: range,
                notes,
              }),
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
    }
  } finally {
    if (tty) process.stderr.write('\r\x1b[K');
    await model?.close();
  }

  const report: ValidationReport = {
    schema: SCHEMA_ID,
    model: model?.report ?? null,
    settings: {
      scale,
      degradation,
      shave,
      y_channel: v['y-channel'],
      frames: v.frames,
      bands: bands ?? 'all',
      lr_dir: v['lr-dir'] ?? null,
      quantize: quantizeUsed,
      tile_size: tile,
      consistency_tile_size: ctile,
      consistency_threshold_db: threshold,
    },
    provenance: {
      tilesr_version: TILESR_VERSION,
      created_at: new Date().toISOString(),
      runtime: `node ${process.version} ${process.platform}-${process.arch}`,
      inputs,
    },
    images,
    summary: summarize(images),
    errors,
  };
  await writeFileAtomic(v.json, reportToJson(report));
  if (v.csv) await writeFileAtomic(v.csv, reportToCsv(report));
  if (v.report) await writeFileAtomic(v.report, reportToHtml(report, figures));

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
  lines.push(`${images.length} image(s) measured, ${errors.length} error(s)`);
  for (const e of errors) lines.push(`error ${e.code}: ${e.file}: ${e.message.split('\n')[0]}`);
  process.stdout.write(lines.join('\n') + '\n');
  return errors.length > 0 ? 1 : 0;
}
