/** Header facts: dicom-parser DataSet -> ImageInfo, plus the layout the frame decoder needs. */
import type { DataSet } from 'dicom-parser';
import { FormatError } from '../errors.ts';
import type { DecodeLimits, ImageInfo, Photometric, SampleType, Spacing, WindowPreset } from '../raster.ts';
import { codecEntry } from './codecs/index.ts';
import { containerType } from './codecs/container.ts';
import { readPalette } from './color.ts';
import { readEnhancement } from './derivation.ts';
import { readMetadata } from './metadata.ts';

/** What decoding a frame needs beyond ImageInfo. */
export interface PixelLayout {
  rows: number;
  columns: number;
  frames: number;
  /** Samples per pixel as stored (1 for PALETTE COLOR, delivered as 3). */
  samples: number;
  bitsAllocated: number;
  bitsStored: number;
  signed: boolean;
  /** Float / Double Float Pixel Data (7FE0,0008 / 0009). */
  float: boolean;
  planar: boolean;
  photometric: string;
  transferSyntaxUID: string;
}

const T = {
  rows: 'x00280010',
  columns: 'x00280011',
  frames: 'x00280008',
  samples: 'x00280002',
  photometric: 'x00280004',
  planar: 'x00280006',
  bitsAllocated: 'x00280100',
  bitsStored: 'x00280101',
  pixelRepresentation: 'x00280103',
  windowCenter: 'x00281050',
  windowWidth: 'x00281051',
  intercept: 'x00281052',
  slope: 'x00281053',
  rescaleType: 'x00281054',
  windowExplanation: 'x00281055',
  pixelSpacing: 'x00280030',
  imagerPixelSpacing: 'x00181164',
  lossy: 'x00282110',
  modality: 'x00080060',
  shared: 'x52009229',
  perFrame: 'x52009230',
  pixelValueTransformation: 'x00289145',
  pixelMeasures: 'x00289110',
  frameVoiLut: 'x00289132',
};

/** Reads Rows/Columns/... and checks them against `limits` before anything is allocated. */
export function readLayout(ds: DataSet, transferSyntaxUID: string, limits: DecodeLimits): PixelLayout {
  const need = (tag: string, name: string): number => {
    const v = ds.uint16(tag);
    if (v === undefined || ds.elements[tag]?.length === 0)
      throw new FormatError('MISSING_ATTRIBUTE', `${name} ${tag.slice(1)} is missing`);
    return v;
  };
  const rows = need(T.rows, 'Rows');
  const columns = need(T.columns, 'Columns');
  const bitsAllocated = need(T.bitsAllocated, 'BitsAllocated');
  const framesText = ds.string(T.frames);
  const frames = framesText === undefined ? 1 : Number(framesText);
  const samples = ds.uint16(T.samples) ?? 1;
  if (rows === 0 || columns === 0)
    throw new FormatError('MISSING_ATTRIBUTE', `image size ${columns}x${rows} is empty`);
  if (!Number.isInteger(frames) || frames < 1)
    throw new FormatError('MISSING_ATTRIBUTE', `NumberOfFrames "${framesText}" is not a positive integer`);
  if (samples !== 1 && samples !== 3)
    throw new FormatError('UNSUPPORTED_SAMPLE_FORMAT', `SamplesPerPixel ${samples} is neither 1 nor 3`);
  const photometric = (ds.string(T.photometric) ?? (samples === 3 ? 'RGB' : 'MONOCHROME2')).trim();
  deliveredPhotometric(photometric, samples); // UNSUPPORTED_PHOTOMETRIC before any work
  const max = Math.max(rows, columns, frames);
  const deliveredSamples = photometric === 'PALETTE COLOR' ? 3 : samples;
  const total = rows * columns * deliveredSamples * frames;
  if (max > limits.maxDimension || total > limits.maxSamples)
    throw new FormatError(
      'DIMENSIONS_TOO_LARGE',
      `${columns}x${rows}x${samples} x ${frames} frames exceeds the limits (${limits.maxDimension} per side, ${limits.maxSamples} samples)`,
    );
  const signed = (ds.uint16(T.pixelRepresentation) ?? 0) === 1;
  const float = ds.elements['x7fe00008'] !== undefined || ds.elements['x7fe00009'] !== undefined;
  containerType(bitsAllocated, signed, float); // UNSUPPORTED_SAMPLE_FORMAT for 12-bit packed...
  const bitsStored = ds.uint16(T.bitsStored) ?? bitsAllocated;
  if (bitsStored < 1 || bitsStored > bitsAllocated)
    throw new FormatError('MISSING_ATTRIBUTE', `BitsStored ${bitsStored} is outside 1..${bitsAllocated}`);
  codecEntry(transferSyntaxUID); // fail early with UNSUPPORTED_TRANSFER_SYNTAX
  return {
    rows,
    columns,
    frames,
    samples,
    bitsAllocated,
    bitsStored,
    signed,
    float,
    planar: samples > 1 && ds.uint16(T.planar) === 1,
    photometric,
    transferSyntaxUID,
  };
}

/** Delivered photometric interpretation: color always as RGB. */
function deliveredPhotometric(stored: string, samples: number): Photometric {
  if (samples === 1 && (stored === 'MONOCHROME1' || stored === 'MONOCHROME2')) return stored;
  if (samples === 1 && stored === 'PALETTE COLOR') return 'RGB';
  if (samples === 3 && (stored === 'RGB' || stored.startsWith('YBR_'))) return 'RGB';
  throw new FormatError(
    'UNSUPPORTED_PHOTOMETRIC',
    `PhotometricInterpretation ${stored} with ${samples} samples per pixel is not supported`,
  );
}

/** The dtype of delivered samples: the container type, or the palette's entry size. */
export function deliveredType(ds: DataSet, layout: PixelLayout): SampleType {
  if (layout.photometric === 'PALETTE COLOR') return readPalette(ds).depth === 8 ? 'uint8' : 'uint16';
  return containerType(layout.bitsAllocated, layout.signed, layout.float);
}

/** Item 0 of a functional-group macro: Shared first, then the first PerFrame item. */
function functionalGroup(ds: DataSet, macro: string): DataSet | undefined {
  for (const group of [T.shared, T.perFrame]) {
    const item = ds.elements[group]?.items?.[0]?.dataSet?.elements[macro]?.items?.[0]?.dataSet;
    if (item) return item;
  }
  return undefined;
}

function numbers(ds: DataSet, tag: string): number[] {
  const n = ds.numStringValues(tag) ?? 0;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const v = ds.floatString(tag, i);
    if (v !== undefined && Number.isFinite(v)) out.push(v);
  }
  return out;
}

/** ImageInfo from the dataset (already validated by readLayout). */
export function readInfo(ds: DataSet, layout: PixelLayout): ImageInfo {
  const samples = layout.photometric === 'PALETTE COLOR' ? 3 : layout.samples;
  const photometric = deliveredPhotometric(layout.photometric, layout.samples);
  const mapping = functionalGroup(ds, T.pixelValueTransformation) ?? ds;
  const voi = functionalGroup(ds, T.frameVoiLut) ?? ds;
  const measures = functionalGroup(ds, T.pixelMeasures);
  const modality = ds.string(T.modality) ?? '';
  const rescaleType = mapping.string(T.rescaleType);
  const slope = numbers(mapping, T.slope)[0] ?? 1;
  const intercept = numbers(mapping, T.intercept)[0] ?? 0;
  const unit = rescaleType && rescaleType !== 'US' ? rescaleType : modality === 'CT' ? 'HU' : undefined;
  const centers = numbers(voi, T.windowCenter);
  const widths = numbers(voi, T.windowWidth);
  const windows: WindowPreset[] = centers.flatMap((center, i) => {
    const width = widths[i];
    if (width === undefined) return [];
    const explanation = voi.string(T.windowExplanation, i);
    return [explanation ? { center, width, explanation } : { center, width }];
  });
  const entry = codecEntry(layout.transferSyntaxUID);
  const lossyFlag = ds.string(T.lossy) === '01';
  return {
    format: 'dicom',
    width: layout.columns,
    height: layout.rows,
    frames: layout.frames,
    samples,
    dtype: deliveredType(ds, layout),
    bitsStored: layout.bitsStored,
    signed: layout.signed && layout.photometric !== 'PALETTE COLOR',
    photometricStored: layout.photometric,
    photometric,
    valueMapping: unit ? { slope, intercept, unit } : { slope, intercept },
    windows,
    ...spacingOf(ds, measures),
    transferSyntaxUID: layout.transferSyntaxUID,
    lossy: entry.lossy || lossyFlag,
    metadata: readMetadata(ds, layout),
    ...withEnhancement(ds),
  };
}

function spacingOf(ds: DataSet, measures: DataSet | undefined): { spacing?: Spacing } {
  for (const [src, tag, kind] of [
    [measures, T.pixelSpacing, 'PixelSpacing'],
    [ds, T.pixelSpacing, 'PixelSpacing'],
    [ds, T.imagerPixelSpacing, 'ImagerPixelSpacing'],
  ] as const) {
    const v = src ? numbers(src, tag) : [];
    if (v.length >= 2) return { spacing: { kind, rowMm: v[0] as number, columnMm: v[1] as number } };
  }
  return {};
}

function withEnhancement(ds: DataSet): Pick<ImageInfo, 'enhancement'> {
  const enhancement = readEnhancement(ds);
  return enhancement ? { enhancement } : {};
}
