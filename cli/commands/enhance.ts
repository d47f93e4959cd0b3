/**
 * `tilesr enhance FILE --model ID --out OUT.dcm|OUT.tif|OUT.png|OUT.jpg|OUT.npy`: super-resolves one
 * frame (or a window of it) and writes it through plugin/export's writer for the extension: a derived
 * DICOM (new series, derivation attributes, real units), a georeferenced COG (CRS, scaled geotransform,
 * nodata, provenance in GDAL_METADATA), a PNG/JPEG with the mark burned in and a C2PA manifest, or
 * float32 .npy in original units. The writer checks the combination before any work is done.
 * A .tif is streamed (plugin/export/geotiff-stream.ts): enhanced block by block into the COG in
 * memory bounded by the blocks, so whole scenes fit; `--in-memory` keeps the one-piece path.
 */
import { checkWindow, openRaster, type PixelWindow } from '../../formats/index.ts';
import type { BackendPreference, InferenceSession } from '../../models/backend/types.ts';
import { getModel, loadExternalModel, type ModelEntry } from '../../models/registry.ts';
import { enhanceRaster } from '../../plugin/pipeline/enhance.ts';
import { growRect, haloFor } from '../../plugin/pipeline/tile.ts';
import { wholeImageRanges } from '../../plugin/pipeline/stream.ts';
import { assertDomain } from '../../plugin/pipeline/domain.ts';
import { assertEnhanceable } from '../../plugin/pipeline/derived.ts';
import type { Provenance } from '../../plugin/pipeline/provenance.ts';
import { formatForPath, getWriter, type ExportSigner, type ExportWriter } from '../../plugin/export/index.ts';
import type { DerivedSeries } from '../../plugin/export/types.ts';
import { createPngWriter } from '../../plugin/export/picture.ts';
import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CommandContext } from '../main.ts';
import { parse, parseIntOption, parseWindow } from '../args.ts';
import { UsageError } from '../errors.ts';
import { writeFileAtomic } from '../output.ts';
import { progressReporter } from '../progress.ts';
import { isSeriesUrl } from '../../dicomweb/url.ts';

const BACKENDS: readonly BackendPreference[] = ['auto', 'node-cpu', 'node-webgpu'];

/** The writer for `out`'s extension (PNG at the requested bit depth). */
export async function writerFor(out: string, bits: 8 | 16): Promise<ExportWriter> {
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

/** --backend checked. */
export function checkBackend(text: string | undefined): BackendPreference {
  const backend = (text ?? 'auto') as BackendPreference;
  if (!BACKENDS.includes(backend)) throw new UsageError(`--backend must be one of ${BACKENDS.join('|')}`);
  return backend;
}

/**
 * The model `--model ID` or `--model-file CARD.json` (an external card from `tilesr train`, its
 * weights sha256-checked like shipped ones) and `--variant` name; warns on stderr for perceptual.
 */
export async function modelFromOptions(values: {
  model?: string;
  'model-file'?: string;
  variant?: string;
}): Promise<ModelEntry> {
  const modelFile = values['model-file'];
  if (!values.model && !modelFile)
    throw new UsageError('--model ID (see `tilesr models`) or --model-file CARD.json is required');
  if (values.model && modelFile) throw new UsageError('--model and --model-file are exclusive');
  const variant = values.variant ?? 'fidelity';
  if (variant !== 'fidelity' && variant !== 'perceptual')
    throw new UsageError(`--variant must be fidelity or perceptual, got "${variant}"`);
  const entry = modelFile
    ? getModel((await loadExternalModel(pathToFileURL(resolve(modelFile)))).id, variant)
    : getModel(values.model as string, variant);
  if (entry.perceptual)
    process.stderr.write(
      `warning: ${entry.id} perceptual is GAN-tuned and may invent texture; not for measurement or diagnosis\n`,
    );
  return entry;
}

/** Runs `enhance` (a DICOMweb series URL goes to cli/enhance-series.ts). */
export async function enhance(argv: string[], context: CommandContext): Promise<number> {
  if (argv.some(isSeriesUrl))
    return (await import('../enhance-series.ts')).enhanceSeriesCommand(argv, context);
  const { values, positionals } = parse(
    argv,
    {
      model: { type: 'string' },
      'model-file': { type: 'string' },
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
      'in-memory': { type: 'boolean', default: false },
      'allow-domain-mismatch': { type: 'boolean', default: false },
      'allow-derived': { type: 'boolean', default: false },
    },
    1,
  );
  const out = values.out;
  if (!out) throw new UsageError('--out OUT.dcm|OUT.tif|OUT.png|OUT.jpg|OUT.npy is required');
  const backend = checkBackend(values.backend);
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
  const entry = await modelFromOptions(values);

  const path = positionals[0] as string;
  const controller = new AbortController();
  const onSigint = () => controller.abort(new Error('interrupted'));
  process.once('SIGINT', onSigint);
  try {
    const allowDomainMismatch = values['allow-domain-mismatch'];
    const opts = {
      entry,
      writer,
      frame,
      band,
      window,
      tile,
      backend,
      signer,
      allowDomainMismatch,
      allowDerived: values['allow-derived'],
      signal: controller.signal,
    };
    const inMemory = values['in-memory'];
    const done = await enhanceFile(path, out, { ...opts, burnIn: values['burn-in'], inMemory });
    for (const note of done.notes) process.stderr.write(`note: ${note}\n`);
    const p = done.provenance;
    // --json: print the provenance for scripts
    if (context.json) process.stdout.write(JSON.stringify({ out, provenance: p }) + '\n');
    const used = Object.keys(p.backends).join('+');
    process.stderr.write(
      `wrote ${out}: ${done.width}x${done.height}x${done.samples} ${p.modelKey} x${p.scale} on ${used}, ` +
        `${p.tile.count * p.source.bands.length} tiles, ${(p.timings.totalMs / 1000).toFixed(1)} s\n`,
    );
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
  return 0;
}

/** The checked options of one `enhance` run (what enhanceFile needs besides the paths). */
export interface EnhanceFileOptions {
  entry: ModelEntry;
  writer: ExportWriter;
  frame: number;
  band?: number;
  window?: PixelWindow;
  tile?: number;
  backend: BackendPreference;
  burnIn?: boolean;
  signer?: ExportSigner;
  /** A .tif in one piece instead of streamed. */
  inMemory?: boolean;
  /** Run a model of another domain than the file's (--allow-domain-mismatch); provenance records it. */
  allowDomainMismatch?: boolean;
  /** Enhance a source that is already AI-enhanced (--allow-derived); provenance names both steps. */
  allowDerived?: boolean;
  /** An open session reused across files (a batch worker); the caller keeps ownership. */
  session?: InferenceSession;
  /** DICOM: the derived series shared by every instance of one enhanced series (cli/enhance-series.ts). */
  series?: DerivedSeries;
  signal: AbortSignal;
}

/** What enhanceFile wrote. */
export interface EnhancedFile {
  width: number;
  height: number;
  samples: number;
  provenance: Provenance;
  notes: string[];
}

/**
 * Enhances one file into `out` exactly as `tilesr enhance` does (shared by the batch worker): the
 * writer's check before any inference, a .tif streamed block by block, every output written to a temp
 * name and renamed.
 */
export async function enhanceFile(path: string, out: string, o: EnhanceFileOptions): Promise<EnhancedFile> {
  const { entry, writer, frame, band, window, tile, backend, signer, session, signal, allowDomainMismatch } =
    o;
  const source = await openRaster(path);
  const progress = progressReporter(process.stderr);
  try {
    const { info } = source;
    // e.g. a DICOM export of a GeoTIFF: refused before any inference
    writer.check(info);
    // e.g. a CT with satellite-x2: refused before any inference unless --allow-domain-mismatch
    assertDomain(info, entry, { allowMismatch: allowDomainMismatch });
    // e.g. a derived DICOM tilesr wrote: ALREADY_ENHANCED before any inference unless --allow-derived
    assertEnhanceable(info, o);
    const region: PixelWindow = checkWindow(window, info);
    const onProgress = (p: { done: number; total: number; backend: string }) =>
      progress.update(p.done, p.total, p.backend);
    const onFallback = (r: { from: string; to: string; reason: string }) => {
      progress.clear();
      process.stderr.write(`warning: ${r.from} failed (${r.reason}); using ${r.to}\n`);
    };
    let done: EnhancedFile;
    if (writer.format === 'geotiff' && !o.inMemory) {
      // whole scenes: enhanced block by block straight into the COG, memory bounded by the blocks
      // (same pixels and fields as the in-memory writer; --in-memory keeps the old path to compare)
      const { streamGeotiffExport } = await import('../../plugin/export/geotiff-stream.ts');
      const { fileCogStorage } = await import('../../plugin/export/cog-storage.node.ts');
      const opts = {
        modelId: entry.id,
        variant: entry.variant,
        frame,
        band,
        window: region,
        tile,
        backend,
        session,
        allowDomainMismatch,
        allowDerived: o.allowDerived,
      };
      done = await streamGeotiffExport(
        source,
        { ...opts, signal, onProgress, onFallback },
        fileCogStorage(out),
      );
      progress.done();
    } else {
      // read the window plus the halo so border tiles of the window see their real neighbours
      const halo = haloFor(entry);
      const read = growRect(region, halo, info.width, info.height);
      const raster = await source.read({ frame, window: read, signal });
      const whole = read.width === info.width && read.height === info.height;
      const ranges = whole ? undefined : (await wholeImageRanges(source, frame, signal)).ranges;
      const result = await enhanceRaster(raster, {
        modelId: entry.id,
        variant: entry.variant,
        band,
        window: region,
        tile,
        halo,
        backend,
        session,
        ranges,
        allowDomainMismatch,
        allowDerived: o.allowDerived,
        signal,
        onProgress,
        onFallback,
      });
      progress.done();
      const written = await writer.write({
        result,
        // the source's bytes: a derived DICOM carries its dataset over; C2PA hashes it as the ingredient
        source: { info, bytes: new Uint8Array(await readFile(path)), name: basename(path) },
        burnIn: o.burnIn ? true : undefined,
        signer,
        series: o.series,
        signal,
      });
      await writeFileAtomic(out, written.bytes);
      done = { ...result, notes: written.notes };
    }
    return done;
  } finally {
    progress.clear();
    await source.close();
  }
}
