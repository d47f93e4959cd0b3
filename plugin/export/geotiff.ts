/**
 * GeoTIFF export: the enhanced result as a georeferenced Cloud-Optimized GeoTIFF, written by our
 * own small writer (./tiff-writer.ts says why not geotiff.js's writer or GDAL-wasm).
 *
 * What is kept from the source: every GeoKey (same CRS), the geotransform re-anchored at the
 * enhanced region and divided by the scale (ModelPixelScale + ModelTiepoint, or ModelTransformation
 * with rotation), the sample type (integers rounded; values beyond the range clamped and counted,
 * never rescaled), nodata (NaN pixels written as it), band order, band descriptions / scale /
 * offset, dataset metadata. Added: provenance in GDAL_METADATA, ImageDescription and Software.
 * Layout: 256x256 tiles (512 above 16384 px a side), pixel-interleaved, Deflate with predictor 2
 * (integers) or 3 (floats), averaged overviews (nodata ignored) halved until one tile holds them.
 */
import type { ImageInfo, SampleType } from '../../formats/raster.ts';
import { ExportError, throwIfExportAborted } from './errors.ts';
import { encodeGeoKeys, georeferenceFields, isPixelIsPoint } from './geotiff-keys.ts';
import { exportItems, gdalMetadataXml, parseGdalMetadata, type MetadataItem } from './geotiff-metadata.ts';
import { overviewSizes, toStored, type ConversionStats } from './geotiff-pixels.ts';
import { cogTileSize, memoryLevels, writeCog } from './cog.ts';
import { FieldType, type TiffField } from './tiff-writer.ts';
import type { EnhanceResult } from '../pipeline/enhance.ts';
import type { ExportOutput, ExportRequest, ExportWriter } from './types.ts';

export { cogTileSize, writeCog, type CogDescription, type LevelSource } from './cog.ts';

/** What the dtype conversion lost, for the user. */
export function conversionNotes(s: ConversionStats, dtype: SampleType): string[] {
  const notes: string[] = [];
  if (s.clamped > 0)
    notes.push(
      `${s.clamped} enhanced samples (${s.below} below, ${s.above} above) were outside the ${dtype} range and were ` +
        `clamped to it; largest excursion ${s.maxExcursion.toPrecision(4)} (stored units)`,
    );
  if (s.nanWithoutNodata > 0)
    notes.push(`${s.nanWithoutNodata} no-data samples were written as 0: the source has no nodata value`);
  if (s.nodataCollisions > 0)
    notes.push(`${s.nodataCollisions} valid enhanced samples equal the nodata value after rounding`);
  return notes;
}

/** Throws UNSUPPORTED_EXPORT unless the source is a GeoTIFF. */
export function checkSource(info: ImageInfo): void {
  if (info.format !== 'geotiff')
    throw new ExportError(
      'UNSUPPORTED_EXPORT',
      `a GeoTIFF export needs a GeoTIFF source (its CRS and sample type); this source is ${info.format}`,
    );
}

/** Enhanced results of GeoTIFF sources as Cloud-Optimized GeoTIFF in the source's dtype and CRS. */
export const geotiffWriter: ExportWriter = {
  format: 'geotiff',
  mediaType: 'image/tiff',
  extensions: ['tif', 'tiff'],
  check: checkSource,
  write: (request) => exportGeotiff(request),
};

/** The shape of a GeoTIFF export, known before any pixel: size, dtype, tiling, colour model. */
export interface GeotiffTarget {
  width: number;
  height: number;
  samples: number;
  dtype: SampleType;
  /** Source band of each sample. */
  bands: number[];
  /** Written as RGB (photometric 2), else MinIsBlack with extra samples. */
  rgb: boolean;
  tileSize: number;
  overviews: Array<[number, number]>;
  nodata: number | undefined;
}

/** The target of exporting a `width` x `height` x `samples` result of `info`'s `bands`. */
export function geotiffTarget(
  info: ImageInfo,
  size: { width: number; height: number; samples: number; bands: number[] },
): GeotiffTarget {
  const { width, height, samples } = size;
  const dtype = info.dtype;
  const bands = size.bands.length === samples ? size.bands : [...Array(samples).keys()];
  const rgb =
    samples === 3 &&
    info.photometric === 'RGB' &&
    (dtype === 'uint8' || dtype === 'uint16') &&
    bands.every((b, i) => b === i);
  const tileSize = cogTileSize(width, height);
  const overviews = overviewSizes(width, height, tileSize);
  return { width, height, samples, dtype, bands, rgb, tileSize, overviews, nodata: info.valueMapping.nodata };
}

/**
 * The full-resolution IFD's own fields (GeoKeys, georeferencing, GDAL_METADATA with provenance and
 * the conversion record, description, software) and the notes for the user. Needs the conversion
 * stats, so a streaming writer calls it once every tile has been converted.
 */
export function geotiffFields(
  info: ImageInfo,
  target: GeotiffTarget,
  result: Pick<EnhanceResult, 'provenance' | 'spacing'>,
  stats: ConversionStats,
): { mainFields: TiffField[]; notes: string[] } {
  const { dtype, tileSize, overviews, bands, rgb } = target;
  const prov = result.provenance;
  const md = info.metadata;
  const notes = conversionNotes(stats, dtype);
  const mainFields: TiffField[] = [];
  const geoKeys = (md.geoKeys ?? {}) as Record<string, unknown>;
  const keys = encodeGeoKeys(geoKeys);
  mainFields.push(...keys.fields);
  if (keys.skipped.length)
    notes.push(`GeoKeys not written (unknown or malformed): ${keys.skipped.join(', ')}`);
  if (result.spacing?.kind === 'geotransform')
    mainFields.push(...georeferenceFields(result.spacing.geotransform, isPixelIsPoint(geoKeys)));
  else notes.push('the result has no geotransform: the file is not georeferenced');

  const exportRecord = { format: 'geotiff', dtype, tileSize, overviews, conversion: stats };
  const json = JSON.stringify({ ...prov, export: exportRecord }).replace(
    /[\u007f-\uffff]/g,
    (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'), // ASCII only, whatever reads the tag
  );
  const ours: MetadataItem[] = [
    { name: 'AI_ENHANCED', value: 'YES' },
    { name: 'TILESR_MODEL', value: prov.modelId },
    { name: 'TILESR_VARIANT', value: prov.variant },
    { name: 'TILESR_SHA256', value: prov.sha256 },
    { name: 'TILESR_SCALE', value: String(prov.scale) },
    { name: 'TILESR_PERCEPTUAL', value: prov.perceptual ? 'YES' : 'NO' },
    { name: 'TILESR_CLAMPED_SAMPLES', value: String(stats.clamped) },
    { name: 'TILESR_CLAMP_MAX_EXCURSION', value: String(stats.maxExcursion) },
    { name: 'TILESR_PROVENANCE', value: json },
  ];
  const items = exportItems({
    dataset: (md.gdalMetadata ?? {}) as Record<string, unknown>,
    bandItems: (md.gdalBandMetadata ?? []) as Array<Record<string, unknown>>,
    bands,
    ours,
    rgbSourceAsGray: info.photometric === 'RGB' && !rgb,
  });
  const version = prov.tilesrVersion;
  mainFields.push(
    { tag: 42112, type: FieldType.ASCII, value: gdalMetadataXml(items) },
    {
      tag: 270,
      type: FieldType.ASCII,
      value: `AI-enhanced · ${prov.modelId} · x${prov.scale} (tilesr ${version})`,
    },
    { tag: 305, type: FieldType.ASCII, value: `tilesr ${version}` },
  );
  return { mainFields, notes };
}

/** geotiffWriter.write with writer options (tests force BigTIFF on small images). */
export async function exportGeotiff(
  request: ExportRequest,
  options: { bigTiff?: boolean | 'auto' } = {},
): Promise<ExportOutput> {
  const { result, signal } = request;
  const info = request.source.info;
  throwIfExportAborted(signal);
  checkSource(info);
  const { width, height, samples } = result;
  if (result.data.length !== width * height * samples)
    throw new ExportError(
      'UNSUPPORTED_EXPORT',
      `result holds ${result.data.length} samples, not ${width}x${height}x${samples}`,
    );
  const { slope, intercept, nodata } = info.valueMapping;
  const target = geotiffTarget(info, { width, height, samples, bands: result.provenance.source.bands });
  const { data, stats } = toStored(result.data, target.dtype, { slope, intercept, nodata });
  throwIfExportAborted(signal);
  const { mainFields, notes } = geotiffFields(info, target, result, stats);
  const bytes = await writeCog(
    {
      samples,
      dtype: target.dtype,
      tileSize: target.tileSize,
      photometric: target.rgb ? 2 : 1,
      ...(nodata !== undefined ? { nodata } : {}),
      mainFields,
      bigTiff: options.bigTiff ?? 'auto',
      ...(signal ? { signal } : {}),
    },
    memoryLevels(data, width, height, samples, target.tileSize, nodata),
  );
  return { bytes, format: 'geotiff', mediaType: 'image/tiff', extension: 'tif', notes };
}

/**
 * The provenance a tilesr GeoTIFF carries: the TILESR_PROVENANCE JSON of GDAL_METADATA (with the
 * export record: dtype, clamped samples); failing that, what ImageDescription says; else {}.
 */
export async function readGeotiffProvenance(bytes: Uint8Array): Promise<Record<string, unknown>> {
  const ab = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const { fromArrayBuffer } = await import('geotiff'); // only readers pay for geotiff.js
  const tiff = await fromArrayBuffer(ab);
  const fd = (await tiff.getImage(0)).fileDirectory;
  const xml: unknown = fd.hasTag('GDAL_METADATA') ? await fd.loadValue('GDAL_METADATA') : undefined;
  if (typeof xml === 'string') {
    const item = parseGdalMetadata(xml).find((i) => i.name === 'TILESR_PROVENANCE' && i.sample === undefined);
    if (item) return JSON.parse(item.value) as Record<string, unknown>;
  }
  const desc: unknown = fd.hasTag('ImageDescription') ? await fd.loadValue('ImageDescription') : undefined;
  const m = typeof desc === 'string' ? /^AI-enhanced · (.+) · x(\d+) \(tilesr ([^)]+)\)/.exec(desc) : null;
  if (!m) return {};
  return { aiEnhanced: true, modelId: m[1], scale: Number(m[2]), tilesrVersion: m[3] };
}
