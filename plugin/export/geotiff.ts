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
import type { ImageInfo, SampleType, TypedPixels } from '../../formats/raster.ts';
import { ExportError, throwIfExportAborted } from './errors.ts';
import { encodeGeoKeys, georeferenceFields, isPixelIsPoint } from './geotiff-keys.ts';
import {
  exportItems,
  formatNoData,
  gdalMetadataXml,
  parseGdalMetadata,
  type MetadataItem,
} from './geotiff-metadata.ts';
import { downsample2, overviewSizes, toStored, type ConversionStats } from './geotiff-pixels.ts';
import { COMPRESSION_DEFLATE, cutTile, encodeTile, predictorFor } from './tiff-codec.ts';
import { FieldType, writeTiledTiff, type TiffField } from './tiff-writer.ts';
import type { ExportOutput, ExportRequest, ExportWriter } from './types.ts';

/** One resolution level as a tile provider ([tile, tile, samples] blocks, zero-padded at edges). */
export interface LevelSource {
  width: number;
  height: number;
  tile(tx: number, ty: number): TypedPixels | Promise<TypedPixels>;
}

/** Everything a COG needs besides its pixels. */
export interface CogDescription {
  samples: number;
  dtype: SampleType;
  tileSize: number;
  /** 1 MinIsBlack (extra bands as ExtraSamples), 2 RGB. */
  photometric: 1 | 2;
  nodata?: number;
  /** Fields of the full-resolution IFD only: georeferencing, GeoKeys, metadata, description. */
  mainFields: TiffField[];
  bigTiff?: boolean | 'auto';
  signal?: AbortSignal;
}

const SAMPLE_FORMAT: Record<SampleType, number> = {
  uint8: 1,
  uint16: 1,
  uint32: 1,
  int8: 2,
  int16: 2,
  int32: 2,
  float32: 3,
  float64: 3,
};
const BITS: Record<SampleType, number> = {
  uint8: 8,
  int8: 8,
  uint16: 16,
  int16: 16,
  uint32: 32,
  int32: 32,
  float32: 32,
  float64: 64,
};

/** Tile side: GDAL's COG default of 512 only for large images, where it saves IFD size and requests. */
export function cogTileSize(width: number, height: number): number {
  return Math.max(width, height) > 16384 ? 512 : 256;
}

/**
 * Writes a COG from level providers (full resolution first, then overviews by decreasing size).
 * Tiles are pulled once each, smallest overview first, so a streaming caller can produce them lazily.
 */
export async function writeCog(desc: CogDescription, levels: LevelSource[]): Promise<Uint8Array> {
  const { samples, dtype, tileSize: t } = desc;
  const predictor = dtype.startsWith('float') ? 3 : 2;
  const grid = levels.map((l) => ({ cols: Math.ceil(l.width / t), rows: Math.ceil(l.height / t) }));
  const extra = samples - (desc.photometric === 2 ? 3 : 1);
  const images = levels.map((l, i) => {
    const s = (v: number) => new Array<number>(samples).fill(v);
    const fields: TiffField[] = [
      { tag: 254, type: FieldType.LONG, value: [i === 0 ? 0 : 1] },
      { tag: 256, type: FieldType.LONG, value: [l.width] },
      { tag: 257, type: FieldType.LONG, value: [l.height] },
      { tag: 258, type: FieldType.SHORT, value: s(BITS[dtype]) },
      { tag: 259, type: FieldType.SHORT, value: [COMPRESSION_DEFLATE] },
      { tag: 262, type: FieldType.SHORT, value: [desc.photometric] },
      { tag: 277, type: FieldType.SHORT, value: [samples] },
      { tag: 284, type: FieldType.SHORT, value: [1] },
      { tag: 317, type: FieldType.SHORT, value: [predictor] },
      { tag: 322, type: FieldType.SHORT, value: [t] },
      { tag: 323, type: FieldType.SHORT, value: [t] },
      { tag: 339, type: FieldType.SHORT, value: s(SAMPLE_FORMAT[dtype]) },
    ];
    // extra bands are "unspecified" extra samples, as GDAL writes them (not alpha)
    if (extra > 0) fields.push({ tag: 338, type: FieldType.SHORT, value: new Array<number>(extra).fill(0) });
    if (desc.nodata !== undefined)
      fields.push({ tag: 42113, type: FieldType.ASCII, value: formatNoData(desc.nodata) });
    if (i === 0) fields.push(...desc.mainFields);
    const g = grid[i] as { cols: number; rows: number };
    return { fields, tileCount: g.cols * g.rows };
  });
  let pulled = 0;
  const { bytes } = await writeTiledTiff(
    images,
    async (i, k) => {
      // yield now and then: keeps a page responsive and lets an abort arrive between tiles
      if (++pulled % 16 === 0) await new Promise((r) => setTimeout(r, 0));
      throwIfExportAborted(desc.signal);
      const g = grid[i] as { cols: number };
      const block = await (levels[i] as LevelSource).tile(k % g.cols, Math.floor(k / g.cols));
      if (predictorFor(block) !== predictor)
        throw new TypeError('tile sample type differs from the description');
      return encodeTile(block, t, samples);
    },
    { bigTiff: desc.bigTiff ?? 'auto' },
  );
  return bytes;
}

/** In-memory levels: the full image and its overviews, averaged ignoring nodata. */
export function memoryLevels(
  data: TypedPixels,
  width: number,
  height: number,
  samples: number,
  tileSize: number,
  nodata: number | undefined,
): LevelSource[] {
  const levels = [{ data, width, height }];
  for (let i = 0; i < overviewSizes(width, height, tileSize).length; i++) {
    const prev = levels[levels.length - 1] as (typeof levels)[number];
    levels.push(downsample2(prev.data, prev.width, prev.height, samples, nodata));
  }
  return levels.map((l) => ({
    width: l.width,
    height: l.height,
    tile: (tx, ty) => cutTile(l.data, l.width, l.height, samples, tileSize, tx, ty),
  }));
}

function conversionNotes(s: ConversionStats, dtype: SampleType): string[] {
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

function checkSource(info: ImageInfo): void {
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

/** geotiffWriter.write with writer options (tests force BigTIFF on small images). */
export async function exportGeotiff(
  request: ExportRequest,
  options: { bigTiff?: boolean | 'auto' } = {},
): Promise<ExportOutput> {
  const { result, signal } = request;
  const info = request.source.info;
  throwIfExportAborted(signal);
  checkSource(info);
  const { width, height, samples, provenance: prov } = result;
  if (result.data.length !== width * height * samples)
    throw new ExportError(
      'UNSUPPORTED_EXPORT',
      `result holds ${result.data.length} samples, not ${width}x${height}x${samples}`,
    );
  const md = info.metadata;
  const dtype = info.dtype;
  const { slope, intercept, nodata } = info.valueMapping;
  const { data, stats } = toStored(result.data, dtype, { slope, intercept, nodata });
  throwIfExportAborted(signal);
  const bands = prov.source.bands.length === samples ? prov.source.bands : [...Array(samples).keys()];
  const rgb =
    samples === 3 &&
    info.photometric === 'RGB' &&
    (dtype === 'uint8' || dtype === 'uint16') &&
    bands.every((b, i) => b === i);
  const tileSize = cogTileSize(width, height);
  const overviews = overviewSizes(width, height, tileSize);
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
  const bytes = await writeCog(
    {
      samples,
      dtype,
      tileSize,
      photometric: rgb ? 2 : 1,
      ...(nodata !== undefined ? { nodata } : {}),
      mainFields,
      bigTiff: options.bigTiff ?? 'auto',
      ...(signal ? { signal } : {}),
    },
    memoryLevels(data, width, height, samples, tileSize, nodata),
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
