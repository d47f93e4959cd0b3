/**
 * `tilesr enhance FILE --model ID --out OUT.dcm|OUT.tif|OUT.png|OUT.jpg|OUT.npy`: super-resolves one
 * frame (or a window of it) and writes it through plugin/export's writer for the extension: a derived
 * DICOM (new series, derivation attributes, real units), a georeferenced COG (CRS, scaled geotransform,
 * nodata, provenance in GDAL_METADATA), a PNG/JPEG with the mark burned in and a C2PA manifest, or
 * float32 .npy in original units. The writer checks the combination before any work is done.
 */
import {
  FormatError,
  openRaster,
  toModalityValues,
  type PixelWindow,
  type RasterSource,
} from '../../formats/index.ts';
import type { BackendPreference } from '../../models/backend/types.ts';
import { computeRange, type NormRange } from '../../models/normalize.ts';
import { getModel } from '../../models/registry.ts';
import { DEFAULT_HALO_MARGIN, enhanceRaster } from '../../plugin/pipeline/enhance.ts';
import { formatForPath, getWriter, type ExportSigner, type ExportWriter } from '../../plugin/export/index.ts';
import { createPngWriter } from '../../plugin/export/picture.ts';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { CommandContext } from '../main.ts';
import { parse, parseIntOption, parseWindow } from '../args.ts';
import { UsageError } from '../errors.ts';
import { writeFileAtomic } from '../output.ts';
import { progressReporter } from '../progress.ts';

const BACKENDS: readonly BackendPreference[] = ['auto', 'node-cpu', 'node-webgpu'];

/** Largest overview side used to compute normalization ranges when only a window is enhanced. */
const RANGE_OVERVIEW = 1024;

/**
 * One robust range per band over the whole frame (read from an overview when the file has one), so
 * a window is normalized exactly as the whole image would be.
 */
async function wholeImageRanges(source: RasterSource, frame: number): Promise<NormRange[]> {
  const whole = await source.read({ frame, targetSize: { width: RANGE_OVERVIEW, height: RANGE_OVERVIEW } });
  const values = toModalityValues(whole);
  return Array.from({ length: whole.samples }, (_, b) =>
    computeRange(values, { stride: whole.samples, band: b }),
  );
}

/** The writer for `out`'s extension (PNG at the requested bit depth). */
async function writerFor(out: string, bits: 8 | 16): Promise<ExportWriter> {
  const format = formatForPath(out);
  return format === 'png' ? createPngWriter(bits) : getWriter(format);
}

/** `--sign-cert`/`--sign-key` PEM files, both or neither. */
async function readSigner(
  cert: string | undefined,
  key: string | undefined,
): Promise<ExportSigner | undefined> {
  if (cert === undefined && key === undefined) return undefined;
  if (cert === undefined || key === undefined)
    throw new UsageError('--sign-cert and --sign-key go together (PEM chain, PKCS#8 key)');
  return { certificateChainPem: await readFile(cert, 'utf8'), privateKeyPem: await readFile(key, 'utf8') };
}

/** Runs `enhance`. */
export async function enhance(argv: string[], context: CommandContext): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      model: { type: 'string' },
      variant: { type: 'string', default: 'fidelity' },
      frame: { type: 'string' },
      band: { type: 'string' },
      window: { type: 'string' },
      tile: { type: 'string' },
      backend: { type: 'string', default: 'auto' },
      out: { type: 'string' },
      'png-bits': { type: 'string', default: '8' },
      'burn-in': { type: 'boolean', default: false },
      'sign-cert': { type: 'string' },
      'sign-key': { type: 'string' },
    },
    1,
  );
  const out = values.out;
  if (!out) throw new UsageError('--out OUT.dcm|OUT.tif|OUT.png|OUT.jpg|OUT.npy is required');
  if (!values.model) throw new UsageError('--model ID is required (see `tilesr models`)');
  if (values.variant !== 'fidelity' && values.variant !== 'perceptual')
    throw new UsageError(`--variant must be fidelity or perceptual, got "${values.variant}"`);
  const backend = values.backend as BackendPreference;
  if (!BACKENDS.includes(backend)) throw new UsageError(`--backend must be one of ${BACKENDS.join('|')}`);
  const bits = values['png-bits'] === '16' ? 16 : values['png-bits'] === '8' ? 8 : undefined;
  if (!bits) throw new UsageError('--png-bits must be 8 or 16');
  const tile = parseIntOption('tile', values.tile);
  if (tile === 0) throw new UsageError('--tile must be > 0');
  const frame = parseIntOption('frame', values.frame) ?? 0;
  const band = parseIntOption('band', values.band);
  const window = parseWindow(values.window);
  // an unknown extension or an unreadable key fails here, before any file is opened or written
  const writer = await writerFor(out, bits);
  const signer = await readSigner(values['sign-cert'], values['sign-key']);
  // an unknown model fails here, before any file is opened or written
  const entry = getModel(values.model, values.variant);
  if (entry.perceptual)
    process.stderr.write(
      `warning: ${entry.id} perceptual is GAN-tuned and may invent texture; not for measurement or diagnosis\n`,
    );

  const path = positionals[0] as string;
  const source = await openRaster(path);
  const controller = new AbortController();
  const onSigint = () => controller.abort(new Error('interrupted'));
  process.once('SIGINT', onSigint);
  const progress = progressReporter(process.stderr);
  try {
    const { info } = source;
    // e.g. a DICOM export of a GeoTIFF: refused before any inference
    writer.check(info);
    const region: PixelWindow = window ?? { x: 0, y: 0, width: info.width, height: info.height };
    if (region.x + region.width > info.width || region.y + region.height > info.height)
      throw new FormatError(
        'WINDOW_OUT_OF_BOUNDS',
        `window ${region.x},${region.y},${region.width},${region.height} extends past the ${info.width}x${info.height} image`,
      );
    // read the window plus the halo so border tiles of the window see their real neighbours
    const halo = entry.receptiveFieldLrPx + DEFAULT_HALO_MARGIN;
    const x0 = Math.max(0, region.x - halo);
    const y0 = Math.max(0, region.y - halo);
    const x1 = Math.min(info.width, region.x + region.width + halo);
    const y1 = Math.min(info.height, region.y + region.height + halo);
    const raster = await source.read({
      frame,
      window: { x: x0, y: y0, width: Math.max(1, x1 - x0), height: Math.max(1, y1 - y0) },
      signal: controller.signal,
    });
    const whole = x0 === 0 && y0 === 0 && x1 === info.width && y1 === info.height;
    const ranges = whole ? undefined : await wholeImageRanges(source, frame);
    const result = await enhanceRaster(raster, {
      modelId: entry.id,
      variant: entry.variant,
      band,
      window: region,
      tile,
      halo,
      backend,
      ranges,
      signal: controller.signal,
      onProgress: (p) => progress.update(p.done, p.total, p.backend),
      onFallback: (r) => {
        progress.clear();
        process.stderr.write(`warning: ${r.from} failed (${r.reason}); using ${r.to}\n`);
      },
    });
    progress.done();
    const written = await writer.write({
      result,
      // the source's bytes: a derived DICOM carries its dataset over; C2PA hashes it as the ingredient
      source: { info, bytes: new Uint8Array(await readFile(path)), name: basename(path) },
      burnIn: values['burn-in'] ? true : undefined,
      signer,
      signal: controller.signal,
    });
    await writeFileAtomic(out, written.bytes);
    for (const note of written.notes) process.stderr.write(`note: ${note}\n`);
    const p = result.provenance;
    // --json: print the provenance for scripts
    if (context.json) process.stdout.write(JSON.stringify({ out, provenance: p }) + '\n');
    const used = Object.keys(p.backends).join('+');
    process.stderr.write(
      `wrote ${out}: ${result.width}x${result.height}x${result.samples} ${p.modelKey} x${p.scale} on ${used}, ` +
        `${p.tile.count * p.source.bands.length} tiles, ${(p.timings.totalMs / 1000).toFixed(1)} s\n`,
    );
  } finally {
    progress.clear();
    process.removeListener('SIGINT', onSigint);
    await source.close();
  }
  return 0;
}
