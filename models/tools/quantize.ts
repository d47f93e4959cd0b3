/**
 * int8 (QDQ) and fp16 variants of the shipped generators (issue 15): what goes in and what comes out.
 *
 * 1. Calibration crops: real training slices from ../shared/data/train/<domain> decoded by formats/,
 *    normalized by models/normalize over the whole image (what inference sees), centred 96 px crops,
 *    written as float32 .npy. Absent data: the int8 variant is skipped with a message.
 * 2. models/tools/quantize.py writes the variants (QDQ int8, fp16, and `fold`: fp32 with the residual
 *    scale folded, to separate folding from quantization) into a folder.
 * 3. Each variant gets a card: the shipped card with its own file, size and sha256, so that
 *    `tilesr validate --model-file` checks and runs it like the fp32 model.
 * Measuring the variants (accuracy guards, node and Chromium speed) and deciding is bench/quant.ts.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { openRaster, toModalityValues } from '../../formats/index.ts';
import { sha256Hex } from '../integrity.ts';
import { computeRange, normalize } from '../normalize.ts';
import { getModel } from '../registry.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TRAIN = join(ROOT, '../shared/data/train');
const PY = process.env.PYTHON ?? '/usr/bin/python3';
/** Side of the square calibration crops (px). */
export const CROP = 96;

/** The accuracy guards of issue 15 (dB of PSNR loss vs the fp32 model, on every validation set). */
export const GUARD_DB = { int8: 0.1, fp16: 0.05 } as const;
/** A model's variants: the shipped fp32, `fold` (residual scale folded), int8 (QDQ) and fp16. */
export type Variant = 'fp32' | 'fold' | 'int8' | 'fp16';

/** The shipped ONNX of a model id. */
export function shippedOnnx(modelId: string): string {
  return join(ROOT, 'models/weights', `${getModel(modelId).key}.onnx`);
}

/** float32 NumPy file of shape `shape`. */
export function npyBytes(data: Float32Array, shape: number[]): Buffer {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const head = Buffer.alloc(10);
  head.write('\x93NUMPY', 0, 'latin1');
  head[6] = 1;
  head[7] = 0;
  head.writeUInt16LE(header.length, 8);
  return Buffer.concat([
    head,
    Buffer.from(header, 'latin1'),
    Buffer.from(data.buffer, data.byteOffset, data.byteLength),
  ]);
}

/** Files of one training folder, every k-th so that `n` are taken. */
function spread(dir: string, n: number): string[] {
  if (!existsSync(dir)) return [];
  const all = readdirSync(dir)
    .filter((f) => /\.(dcm|dcm\.gz|tif|tiff)$/i.test(f))
    .sort();
  const step = Math.max(1, Math.floor(all.length / n));
  return all
    .filter((_, i) => i % step === Math.floor(step / 2))
    .slice(0, n)
    .map((f) => join(dir, f));
}

/** Centred CROP x CROP crops of real training images, normalized over each whole image (band 0). */
export async function calibrationCrops(
  domain: string,
): Promise<{ data: Float32Array; n: number; files: string[] } | undefined> {
  const dirs =
    domain === 'medical'
      ? [
          [join(TRAIN, 'medical/mr_t1_mprage_philips'), 6],
          [join(TRAIN, 'medical/ct_phantom_philips'), 4],
        ]
      : [
          [join(TRAIN, 'satellite/landsat8_rio_pansharpen'), 4],
          [join(TRAIN, 'satellite/naip'), 2],
          [join(TRAIN, 'satellite/misc'), 4],
        ];
  const crops: Float32Array[] = [];
  const used: string[] = [];
  for (const [dir, n] of dirs as [string, number][]) {
    for (const file of spread(dir, n)) {
      let bytes = new Uint8Array(readFileSync(file));
      if (file.endsWith('.gz')) bytes = new Uint8Array(gunzipSync(bytes));
      try {
        const src = await openRaster(bytes);
        const r = await src.read();
        await src.close();
        if (r.width < CROP || r.height < CROP) continue;
        const values = toModalityValues(r);
        const sel = { stride: r.samples, band: 0 };
        const plane = normalize(values, computeRange(values, sel), sel);
        const x0 = (r.width - CROP) >> 1;
        const y0 = (r.height - CROP) >> 1;
        const crop = new Float32Array(CROP * CROP);
        for (let y = 0; y < CROP; y++)
          crop.set(plane.subarray((y0 + y) * r.width + x0, (y0 + y) * r.width + x0 + CROP), y * CROP);
        crops.push(crop);
        used.push(file.slice(TRAIN.length + 1));
      } catch (err) {
        process.stderr.write(`calibration: skipped ${file}: ${String(err)}\n`);
      }
    }
  }
  if (crops.length === 0) return undefined;
  const data = new Float32Array(crops.length * CROP * CROP);
  crops.forEach((c, i) => data.set(c, i * CROP * CROP));
  return { data, n: crops.length, files: used };
}

/** A variant file quantize.py wrote (fp32: the shipped file itself). */
export interface Made {
  variant: Variant;
  path: string;
  bytes: number;
}

/** Runs quantize.py; returns the variants it wrote into `dir` (fp32 = the shipped file). */
export function makeVariants(onnxPath: string, dir: string, calib: string | undefined): Made[] {
  const which = calib ? 'int8,fp16' : 'fp16';
  if (!calib) process.stderr.write('int8 skipped: no calibration crops (../shared/data/train absent)\n');
  const r = spawnSync(
    PY,
    [
      join(ROOT, 'models/tools/quantize.py'),
      onnxPath,
      dir,
      ...(calib ? ['--calib', calib] : []),
      '--which',
      which,
    ],
    { encoding: 'utf8', timeout: 600_000 },
  );
  if (r.status !== 0) throw new Error(`quantize.py failed: ${r.stderr}`);
  const made: Made[] = [{ variant: 'fp32', path: onnxPath, bytes: readFileSync(onnxPath).length }];
  for (const line of r.stdout.split('\n').filter((l) => l.startsWith('{')))
    made.push(JSON.parse(line) as Made);
  return made;
}

/** Writes a card for a variant into `dir`: the shipped card with its name, file, size and sha256. */
export async function writeVariantCard(modelId: string, m: Made, dir: string): Promise<string> {
  const entry = getModel(modelId);
  const card = JSON.parse(readFileSync(join(ROOT, 'models/weights', `${entry.key}.json`), 'utf8')) as Record<
    string,
    unknown
  > & { onnx: Record<string, unknown>; name: string };
  const bytes = new Uint8Array(readFileSync(m.path));
  const out = {
    ...card,
    name: `${card.name}_${m.variant}`,
    onnx: { ...card.onnx, file: m.path, bytes: bytes.length, sha256: await sha256Hex(bytes) },
  };
  const file = join(dir, `${basename(m.path, '.onnx')}.card.json`);
  writeFileSync(file, JSON.stringify(out, null, 1));
  return file;
}

/**
 * Calibrates on real training crops (when ../shared/data/train is there; else int8 is skipped) and
 * writes the variants of model `modelId` into `dir`; `calibration` says what the crops were.
 */
export async function quantizeModel(
  modelId: string,
  dir: string,
): Promise<{ made: Made[]; calibration?: string }> {
  const { domain } = getModel(modelId);
  const crops = await calibrationCrops(domain);
  let calib: string | undefined;
  let calibration: string | undefined;
  if (crops) {
    calib = join(dir, `calib-${domain}.npy`);
    writeFileSync(calib, npyBytes(crops.data, [crops.n, 1, CROP, CROP]));
    calibration = `${modelId}: ${crops.n} crops of ${CROP} px from ${crops.files.join(', ')}`;
  }
  return { made: makeVariants(shippedOnnx(modelId), dir, calib), calibration };
}
