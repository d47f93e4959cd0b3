/** Header facts of a GeoTIFF image -> the shared ImageInfo (no pixel is decoded here). */
import type { GeoTIFFImage } from 'geotiff';
import { FormatError } from '../errors.ts';
import type { DecodeLimits, ImageInfo, Photometric, SampleType, Spacing } from '../raster.ts';
import { COMPRESSION_NAMES, KNOWN_UNSUPPORTED } from './codecs/registry.ts';

const PHOTOMETRIC_NAMES: Record<number, string> = {
  0: 'MinIsWhite',
  1: 'MinIsBlack',
  2: 'RGB',
  3: 'Palette',
  4: 'Mask',
  5: 'Separated',
  6: 'YCbCr',
  8: 'CIELab',
  9: 'ICCLab',
  10: 'ITULab',
  32844: 'LogL',
  32845: 'LogLuv',
};

/** The layout facts the tile reader needs, validated once at open. */
export interface Layout {
  width: number;
  height: number;
  samples: number;
  dtype: SampleType;
  bytesPerSample: number;
  compression: number;
  photometric: number;
  planar: 1 | 2;
  tiled: boolean;
  tileWidth: number;
  tileHeight: number;
  littleEndian: boolean;
  predictor: number;
}

const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
const arr = (v: unknown): number[] | undefined =>
  v === undefined || v === null
    ? undefined
    : typeof v === 'number'
      ? [v]
      : Array.from(v as ArrayLike<number>);

/** Reads and validates the layout; throws a FormatError for anything we cannot decode. */
export async function readLayout(image: GeoTIFFImage, limits: DecodeLimits): Promise<Layout> {
  const fd = image.fileDirectory;
  const width = num(fd.getValue('ImageWidth'));
  const height = num(fd.getValue('ImageLength'));
  const samples = num(fd.getValue('SamplesPerPixel')) ?? 1;
  if (!width || !height || width < 1 || height < 1 || samples < 1)
    throw new FormatError('MISSING_ATTRIBUTE', 'ImageWidth/ImageLength/SamplesPerPixel missing or zero');
  if (
    width > limits.maxDimension ||
    height > limits.maxDimension ||
    width * height * samples > limits.maxSamples
  )
    throw new FormatError(
      'DIMENSIONS_TOO_LARGE',
      `declared ${width}x${height}x${samples} exceeds the limits (max dimension ${limits.maxDimension}, max samples ${limits.maxSamples})`,
    );
  const compression = num(fd.getValue('Compression')) ?? 1;
  if (!COMPRESSION_NAMES.has(compression)) {
    const name = KNOWN_UNSUPPORTED.get(compression);
    throw new FormatError(
      'UNSUPPORTED_COMPRESSION',
      `TIFF Compression ${compression}${name ? ` (${name})` : ''} is not supported`,
    );
  }
  const bps = arr(fd.getValue('BitsPerSample')) ?? [1];
  const fmt = arr(fd.getValue('SampleFormat')) ?? [1];
  const bits = bps[0] ?? 1;
  const format = fmt[0] ?? 1;
  if (bps.some((b) => b !== bits) || fmt.some((f) => f !== format))
    throw new FormatError(
      'UNSUPPORTED_SAMPLE_FORMAT',
      `mixed BitsPerSample/SampleFormat per band: ${bps}/${fmt}`,
    );
  const dtype = sampleType(format, bits);
  const photometric = num(fd.getValue('PhotometricInterpretation')) ?? (samples >= 3 ? 2 : 1);
  if (![0, 1, 2, 6].includes(photometric) || (photometric === 6 && (compression !== 7 || samples !== 3)))
    throw new FormatError(
      'UNSUPPORTED_PHOTOMETRIC',
      `PhotometricInterpretation ${PHOTOMETRIC_NAMES[photometric] ?? photometric}` +
        (photometric === 6 ? ' without JPEG compression' : '') +
        ' is not supported',
    );
  const tiled = !fd.hasTag('StripOffsets');
  if (tiled && !fd.hasTag('TileOffsets'))
    throw new FormatError('NO_PIXEL_DATA', 'neither StripOffsets nor TileOffsets present');
  const tileWidth = tiled ? (num(fd.getValue('TileWidth')) ?? 0) : width;
  const rows = num(fd.getValue('RowsPerStrip')) ?? height;
  const tileHeight = tiled ? (num(fd.getValue('TileLength')) ?? 0) : Math.min(rows, height);
  if (tileWidth < 1 || tileHeight < 1)
    throw new FormatError('MISSING_ATTRIBUTE', `invalid tile/strip size ${tileWidth}x${tileHeight}`);
  if (
    tileWidth > limits.maxDimension ||
    tileHeight > limits.maxDimension ||
    tileWidth * tileHeight * samples > limits.maxSamples
  )
    throw new FormatError(
      'DIMENSIONS_TOO_LARGE',
      `declared tile ${tileWidth}x${tileHeight} exceeds the limits`,
    );
  const planar = num(fd.getValue('PlanarConfiguration')) === 2 ? 2 : 1;
  const predictor = num(await fd.loadValue('Predictor')) ?? 1;
  if (predictor === 2 && !image.littleEndian && bits > 8)
    // geotiff.js undoes predictor 2 with host-order typed arrays, wrong for big-endian samples
    throw new FormatError(
      'UNSUPPORTED_SAMPLE_FORMAT',
      'big-endian samples with Predictor 2 are not supported',
    );
  return {
    width,
    height,
    samples,
    dtype,
    bytesPerSample: bits / 8,
    compression,
    photometric,
    planar,
    tiled,
    tileWidth,
    tileHeight,
    littleEndian: image.littleEndian,
    predictor,
  };
}

function sampleType(format: number, bits: number): SampleType {
  const t: Record<string, SampleType> = {
    '1/8': 'uint8',
    '1/16': 'uint16',
    '1/32': 'uint32',
    '2/8': 'int8',
    '2/16': 'int16',
    '2/32': 'int32',
    '3/32': 'float32',
    '3/64': 'float64',
  };
  const d = t[`${format}/${bits}`];
  if (!d)
    throw new FormatError(
      'UNSUPPORTED_SAMPLE_FORMAT',
      `SampleFormat ${format} with ${bits} bits is not supported`,
    );
  return d;
}

/** Parses GDAL_NODATA (ASCII, possibly NUL-terminated; "nan", "inf" allowed). */
export function parseNoData(v: unknown): number | undefined {
  if (typeof v !== 'string') return undefined;
  const s = v.replace(/\0+$/, '').trim().toLowerCase();
  if (s === '') return undefined;
  if (s === 'nan') return NaN;
  if (s === 'inf' || s === '+inf') return Infinity;
  if (s === '-inf') return -Infinity;
  const n = Number(s);
  return Number.isNaN(n) ? undefined : n;
}

/** Affine geotransform (GDAL order) from ModelTransformation or ModelTiepoint+ModelPixelScale. */
export function geotransform(image: GeoTIFFImage): Spacing | undefined {
  const fd = image.fileDirectory;
  const keys = image.getGeoKeys() ?? {};
  let gt: [number, number, number, number, number, number] | undefined;
  const m = arr(fd.getValue('ModelTransformation'));
  const tie = arr(fd.getValue('ModelTiepoint'));
  const scale = arr(fd.getValue('ModelPixelScale'));
  if (m && m.length >= 16) {
    gt = [m[3] ?? 0, m[0] ?? 0, m[1] ?? 0, m[7] ?? 0, m[4] ?? 0, m[5] ?? 0];
  } else if (tie && tie.length >= 6 && scale && scale.length >= 2) {
    const [i = 0, j = 0, , x = 0, y = 0] = tie;
    const [sx = 1, sy = 1] = scale;
    gt = [x - i * sx, sx, 0, y + j * sy, 0, -sy];
  }
  if (!gt) return undefined;
  // PixelIsPoint: GDAL moves the origin half a pixel so the geotransform stays corner-based.
  if (keys.GTRasterTypeGeoKey === 2) {
    gt[0] -= gt[1] * 0.5 + gt[2] * 0.5;
    gt[3] -= gt[4] * 0.5 + gt[5] * 0.5;
  }
  const proj = num(keys.ProjectedCSTypeGeoKey);
  const geog = num(keys.GeographicTypeGeoKey);
  const epsg =
    proj !== undefined && proj !== 32767 ? proj : geog !== undefined && geog !== 32767 ? geog : undefined;
  return epsg === undefined
    ? { kind: 'geotransform', geotransform: gt }
    : { kind: 'geotransform', geotransform: gt, epsg };
}

/** Builds ImageInfo; `extra` carries facts found by the caller (overviews, lossiness). */
export async function buildInfo(
  image: GeoTIFFImage,
  layout: Layout,
  extra: { overviews: Array<[number, number]>; lossy: boolean; bigTiff: boolean },
): Promise<ImageInfo> {
  const fd = image.fileDirectory;
  const gdal = (await image.getGDALMetadata()) ?? {};
  const band0 = (await image.getGDALMetadata(0)) ?? {};
  const slope = Number(band0.SCALE ?? gdal.SCALE ?? 1);
  const intercept = Number(band0.OFFSET ?? gdal.OFFSET ?? 0);
  const nodata = parseNoData(fd.getValue('GDAL_NODATA'));
  const photometricStored = PHOTOMETRIC_NAMES[layout.photometric] ?? String(layout.photometric);
  const photometric: Photometric =
    layout.samples === 1
      ? layout.photometric === 0
        ? 'MONOCHROME1'
        : 'MONOCHROME2'
      : layout.samples === 3 && (layout.photometric === 2 || layout.photometric === 6)
        ? 'RGB'
        : 'MULTIBAND';
  const spacing = geotransform(image);
  const bandMetadata: Record<string, unknown>[] = [];
  for (let s = 0; s < layout.samples; s++) bandMetadata.push((await image.getGDALMetadata(s)) ?? {});
  return {
    format: 'geotiff',
    width: layout.width,
    height: layout.height,
    frames: 1,
    samples: layout.samples,
    dtype: layout.dtype,
    bitsStored: layout.bytesPerSample * 8,
    signed: layout.dtype.startsWith('int') || layout.dtype.startsWith('float'),
    photometricStored,
    photometric,
    valueMapping: {
      slope: Number.isFinite(slope) ? slope : 1,
      intercept: Number.isFinite(intercept) ? intercept : 0,
      ...(nodata !== undefined ? { nodata } : {}),
    },
    windows: [],
    ...(spacing ? { spacing } : {}),
    compression: COMPRESSION_NAMES.get(layout.compression) ?? String(layout.compression),
    lossy: extra.lossy,
    metadata: {
      geoKeys: image.getGeoKeys() ?? {},
      gdalMetadata: gdal,
      gdalBandMetadata: bandMetadata,
      compressionValue: layout.compression,
      overviews: extra.overviews.map(([width, height]) => ({ width, height })),
      layout: layout.tiled
        ? { kind: 'tiled', tileWidth: layout.tileWidth, tileHeight: layout.tileHeight }
        : { kind: 'striped', rowsPerStrip: layout.tileHeight },
      planarConfiguration: layout.planar === 1 ? 'chunky' : 'planar',
      predictor: layout.predictor,
      byteOrder: layout.littleEndian ? 'little' : 'big',
      bigTiff: extra.bigTiff,
    },
  };
}
