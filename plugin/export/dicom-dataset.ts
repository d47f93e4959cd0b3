/**
 * Turns a copy of the source's naturalized dataset into the derived instance: new series and
 * instance in the same study and SOP class, derivation attributes (PS3.3 C.7.6.1 General Image,
 * C.12.1 SOP Common contributing equipment), the enhanced pixels and what no longer holds removed.
 */
import type { NaturalDataset } from 'dcmjs';
import type { Provenance } from '../pipeline/provenance.ts';
import type { EncodedPixels } from './dicom-pixels.ts';
import type { DerivedSeries } from './types.ts';
import { firstItem, nums, type Item } from './dicom-geometry.ts';
import { CODES, dicomDateTime, fit, formatDS, newUid } from './dicom-values.ts';

/** Explicit VR Little Endian: the derived file is always written uncompressed in it. */
export const EXPLICIT_VR_LE = '1.2.840.10008.1.2.1';

/** SOP classes whose IOD has no Multi-frame module: Number of Frames must go. */
const SINGLE_FRAME = new Set([
  '1.2.840.10008.5.1.4.1.1.1', // CR
  '1.2.840.10008.5.1.4.1.1.2', // CT
  '1.2.840.10008.5.1.4.1.1.4', // MR
  '1.2.840.10008.5.1.4.1.1.7', // Secondary Capture
  '1.2.840.10008.5.1.4.1.1.128', // PET
  '1.2.840.10008.5.1.4.1.1.6.1', // US
]);

/** Enhanced multi-frame SOP classes (functional groups; Image Type Value 2 is PRIMARY only there). */
const ENHANCED = new Set([
  '1.2.840.10008.5.1.4.1.1.2.1', // Enhanced CT
  '1.2.840.10008.5.1.4.1.1.2.2', // Legacy Converted Enhanced CT
  '1.2.840.10008.5.1.4.1.1.4.1', // Enhanced MR
  '1.2.840.10008.5.1.4.1.1.4.3', // Enhanced MR Color
  '1.2.840.10008.5.1.4.1.1.4.4', // Legacy Converted Enhanced MR
  '1.2.840.10008.5.1.4.1.1.6.2', // Enhanced US Volume
  '1.2.840.10008.5.1.4.1.1.12.1.1', // Enhanced XA
  '1.2.840.10008.5.1.4.1.1.12.2.1', // Enhanced XRF
  '1.2.840.10008.5.1.4.1.1.13.1.3', // Breast Tomosynthesis
  '1.2.840.10008.5.1.4.1.1.128.1', // Legacy Converted Enhanced PET
  '1.2.840.10008.5.1.4.1.1.130', // Enhanced PET
]);

/**
 * MR Pulse Sequence and Bulk Motion attributes of Enhanced MR: required when Image Type Value 1 is
 * ORIGINAL or MIXED, and (as dciodvfy checks PS3.3 C.8.13.4) not to be present for DERIVED.
 */
const ENHANCED_MR_ORIGINAL_ONLY = [
  'PulseSequenceName',
  'MRAcquisitionType',
  'EchoPulseSequence',
  'MultiPlanarExcitation',
  'PhaseContrast',
  'TimeOfFlightContrast',
  'SteadyStatePulseSequence',
  'EchoPlanarPulseSequence',
  'SaturationRecovery',
  'SpectrallySelectedSuppression',
  'OversamplingPhase',
  'GeometryOfKSpaceTraversal',
  'RectilinearPhaseEncodeReordering',
  'SegmentedKSpaceTraversal',
  'CoverageOfKSpace',
  'NumberOfKSpaceTrajectories',
  'BulkMotionCompensationTechnique',
];

/** Lossy Image Compression Method per lossy transfer syntax (PS3.3 C.7.6.1.1.5.1). */
const LOSSY_METHOD: Record<string, string> = {
  '1.2.840.10008.1.2.4.50': 'ISO_10918_1',
  '1.2.840.10008.1.2.4.51': 'ISO_10918_1',
  '1.2.840.10008.1.2.4.81': 'ISO_14495_1',
  '1.2.840.10008.1.2.4.91': 'ISO_15444_1',
  '1.2.840.10008.1.2.4.203': 'ISO_15444_15',
};

/** Attributes that describe the source's pixels, encoding or series and do not hold for ours. */
const STALE = [
  'PixelData',
  'FloatPixelData',
  'DoubleFloatPixelData',
  'IconImageSequence',
  'PixelDataProviderURL',
  'ExtendedOffsetTable',
  'ExtendedOffsetTableLengths',
  'PixelPaddingValue',
  'PixelPaddingRangeLimit',
  'SmallestPixelValueInSeries',
  'LargestPixelValueInSeries',
  'PlanarConfiguration',
  'FrameIncrementPointer',
  'FrameTimeVector',
  'SliceVector',
  'TimeSlotVector',
  'DetectorVector',
  'EnergyWindowVector',
  'PhaseVector',
  'RotationVector',
  'RRIntervalVector',
  'AngularViewVector',
];

/** Everything the derived dataset is made from. */
export interface DeriveInput {
  source: NaturalDataset;
  provenance: Provenance;
  width: number;
  height: number;
  samples: number;
  enc: EncodedPixels;
  burnIn: boolean;
  /** Whether the source pixels were lossy-compressed, and with which transfer syntax. */
  lossy: boolean;
  transferSyntaxUID: string | undefined;
  /** The Per-frame Functional Groups item of the enhanced frame (enhanced multi-frame only). */
  frameItem: Item | undefined;
  now: Date;
  /** The derived series shared with other instances (ExportRequest.series); default: a new one. */
  series?: DerivedSeries;
}

/** PACS UIs show the first 64 characters of Derivation Description and cut it at 256. */
export const DESCRIPTION_LEAD = 64;
export const DESCRIPTION_MAX = 256;

/** "AI-enhanced (tilesr medical-x2 x2), not for primary diagnosis": always whole within 64 characters. */
export function derivationLead(p: Pick<Provenance, 'modelId' | 'scale'>): string {
  const around = (model: string) => `AI-enhanced (tilesr ${model} x${p.scale}), not for primary diagnosis`;
  return around(fit(p.modelId, DESCRIPTION_LEAD - around('').length));
}

/**
 * The DERIVED description (ST; kept within 256): the lead, then the earlier step when the source was
 * already enhanced, then what fits of the source's own derivation. Details (versions, sha256,
 * region) are in the Contributing Equipment item (contributionDescription).
 */
export function derivationDescription(p: Provenance, burnIn: boolean, previous?: string): string {
  const prior = p.derivedFrom;
  const priorText = prior
    ? `; applied to an image already ${prior.by === 'tilesr' ? 'AI-enhanced by ' : 'resampled by '}` +
      (prior.by === 'tilesr'
        ? ['tilesr', prior.model, prior.scale ? `x${prior.scale}` : ''].filter(Boolean).join(' ')
        : 'another tool') +
      (prior.scale ? ` (x${prior.scale * p.scale} in all)` : '')
    : '';
  const text =
    derivationLead(p) +
    `; ${p.variant}${p.perceptual ? ' (texture may be invented)' : ''}` +
    (burnIn ? '; label burned in' : '') +
    priorText +
    // another tool's derivation of the source is kept as far as it fits (tilesr's is said above)
    (previous && prior?.by !== 'tilesr' ? `; source: ${previous}` : '');
  return fit(text, DESCRIPTION_MAX);
}

/** The full record of the step (Contribution Description, ST 1024): model, versions, region, earlier step. */
export function contributionDescription(p: Provenance, burnIn: boolean): string {
  const w = p.source.window;
  const prior = p.derivedFrom;
  return fit(
    `AI super-resolution x${p.scale} (${p.modelId}, variant ${p.variant}, version ${p.modelVersion}, ` +
      `sha256 ${p.sha256}; tilesr ${p.tilesrVersion}; source frame ${p.source.frame + 1} region ` +
      `x=${w.x} y=${w.y} ${w.width}x${w.height} px${burnIn ? '; label burned into the pixels' : ''}` +
      (prior
        ? `; source already enhanced: ${prior.by === 'tilesr' ? `tilesr ${prior.model ?? '?'} x${prior.scale ?? '?'}` : 'DCM 113085 spatial resampling'}`
        : '') +
      `): AI-enhanced, not for primary diagnosis` +
      (p.perceptual ? ' (perceptual: texture may be invented)' : ''),
    1024,
  );
}

/**
 * SeriesNumber of a derived series: the source's + 1000 x scale + a hash of model and variant below
 * 1000, so x2 and x4 (or two models) of one source land in distinct, reproducible series.
 */
export function derivedSeriesNumber(
  sourceNumber: number,
  p: Pick<Provenance, 'scale' | 'modelId' | 'variant'>,
): number {
  let h = 0;
  for (const ch of `${p.modelId}/${p.variant}`) h = (h * 31 + ch.charCodeAt(0)) % 1000;
  return Math.min(2 ** 31 - 1, Math.max(0, sourceNumber) + 1000 * p.scale + h);
}

/** Applies the derivation to `ds` (a copy of the source dataset) in place; returns notes. */
export function deriveDataset(ds: NaturalDataset, input: DeriveInput): string[] {
  const { source, provenance: p, now } = input;
  const notes: string[] = [];
  const keepPalette = supplementalPaletteHolds(source, input);
  for (const key of Object.keys(ds)) {
    // unknown/private tags (dcmjs keeps them as hex keys), group lengths and overlays describe the
    // source's pixels or encoding and cannot be checked to still hold
    if (/^[0-9A-F]{8}$/i.test(key) || key.startsWith('Overlay') || (/PaletteColor/.test(key) && !keepPalette))
      delete ds[key];
  }
  for (const key of STALE) delete ds[key];
  const t = dicomDateTime(now);

  // identity: same study and SOP class, new series and instance
  ds.SeriesInstanceUID = input.series?.uid ?? newUid();
  ds.SOPInstanceUID = newUid();
  ds.SeriesNumber = String(input.series?.number ?? derivedSeriesNumber(nums(source.SeriesNumber)[0] ?? 0, p));
  const suffix = input.series?.descriptionSuffix ? ` ${input.series.descriptionSuffix}` : '';
  ds.SeriesDescription =
    fit(`AI-enhanced x${p.scale} ${String(source.SeriesDescription ?? '')}`.trim(), 64 - suffix.length) +
    suffix;
  ds.SeriesDate = t.date;
  ds.SeriesTime = t.time;
  ds.ContentDate = t.date;
  ds.ContentTime = t.time;
  ds.InstanceCreationDate = t.date;
  ds.InstanceCreationTime = t.time;

  // derivation
  const enhanced = ENHANCED.has(String(source.SOPClassUID));
  const type = Array.isArray(source.ImageType) ? source.ImageType.map(String) : [];
  // Image Type Value 2 of enhanced IODs is PRIMARY only (C.8.16.1.2): keep the source's there
  // a Siemens MOSAIC (tiled slices) value does not hold for one enhanced image
  const derivedType = (t: string[]) => [
    'DERIVED',
    enhanced ? (t[1] ?? 'PRIMARY') : 'SECONDARY',
    ...t.slice(2).filter((v) => v.trim().toUpperCase() !== 'MOSAIC'),
  ];
  ds.ImageType = derivedType(type);
  if (enhanced && source.SOPClassUID === '1.2.840.10008.5.1.4.1.1.4.1') {
    const dropped = ENHANCED_MR_ORIGINAL_ONLY.filter((k) => ds[k] !== undefined);
    for (const k of dropped) delete ds[k];
    if (dropped.length > 0)
      notes.push(
        `MR pulse sequence attributes removed (present for ORIGINAL images only): ${dropped.join(', ')}`,
      );
  }
  const previous =
    typeof source.DerivationDescription === 'string' ? source.DerivationDescription : undefined;
  const description = derivationDescription(p, input.burnIn, previous);
  const derivationCodes = [CODES.spatialResampling()];
  const sourceRef: Item = {
    ReferencedSOPClassUID: String(source.SOPClassUID),
    ReferencedSOPInstanceUID: String(source.SOPInstanceUID),
    ...(source.NumberOfFrames !== undefined ? { ReferencedFrameNumber: String(p.source.frame + 1) } : {}),
    PurposeOfReferenceCodeSequence: [CODES.sourceForProcessing()],
  };
  for (const group of [firstItem(ds, 'SharedFunctionalGroupsSequence'), input.frameItem]) {
    // enhanced IODs repeat the image type per frame (MR/CT Image Frame Type functional groups)
    for (const key of Object.keys(group ?? {}).filter((k) => k.endsWith('FrameTypeSequence'))) {
      const item = firstItem(group, key);
      const ft = item && Array.isArray(item.FrameType) ? item.FrameType.map(String) : undefined;
      if (item && ft) item.FrameType = derivedType(ft);
    }
  }
  if (input.frameItem) {
    // enhanced IODs describe derivation per frame (Derivation Image functional group) and list
    // every instance it references by study and series (Source Image Evidence Sequence)
    ds.SourceImageEvidenceSequence = [
      {
        StudyInstanceUID: String(source.StudyInstanceUID),
        ReferencedSeriesSequence: [
          {
            SeriesInstanceUID: String(source.SeriesInstanceUID),
            ReferencedSOPSequence: [
              {
                ReferencedSOPClassUID: String(source.SOPClassUID),
                ReferencedSOPInstanceUID: String(source.SOPInstanceUID),
              },
            ],
          },
        ],
      },
    ];
    // the IOD puts derivation in the functional groups only: none at the top level or shared
    for (const key of ['DerivationDescription', 'DerivationCodeSequence', 'SourceImageSequence'])
      delete ds[key];
    delete firstItem(ds, 'SharedFunctionalGroupsSequence')?.DerivationImageSequence;
    input.frameItem.DerivationImageSequence = [
      {
        DerivationDescription: description,
        DerivationCodeSequence: derivationCodes,
        SourceImageSequence: [sourceRef],
      },
    ];
  } else {
    ds.DerivationDescription = description;
    ds.DerivationCodeSequence = derivationCodes;
    ds.SourceImageSequence = [sourceRef];
  }
  const equipment = Array.isArray(source.ContributingEquipmentSequence)
    ? (source.ContributingEquipmentSequence as Item[])
    : [];
  ds.ContributingEquipmentSequence = [
    ...equipment,
    {
      PurposeOfReferenceCodeSequence: [CODES.processingEquipment()],
      Manufacturer: 'tilesr',
      ManufacturerModelName: fit(`${p.modelId} ${p.variant}`, 64),
      SoftwareVersions: [`tilesr ${p.tilesrVersion}`, fit(p.modelVersion, 64)],
      ContributionDateTime: t.dateTime,
      ContributionDescription: contributionDescription(p, input.burnIn),
    },
  ];
  ds.BurnedInAnnotation = input.burnIn ? 'YES' : 'NO';
  if (input.lossy && ds.LossyImageCompression !== '01') {
    // the enhanced pixels inherit the source's lossy history even though we write them losslessly
    ds.LossyImageCompression = '01';
    const method = LOSSY_METHOD[input.transferSyntaxUID ?? ''];
    if (method && ds.LossyImageCompressionMethod === undefined) ds.LossyImageCompressionMethod = method;
  }

  // frames: one single-frame instance of the enhanced frame
  if (source.NumberOfFrames !== undefined) {
    if (SINGLE_FRAME.has(String(source.SOPClassUID))) delete ds.NumberOfFrames;
    else ds.NumberOfFrames = '1';
  }
  if (ds.PerFrameFunctionalGroupsSequence !== undefined)
    ds.PerFrameFunctionalGroupsSequence = input.frameItem ? [input.frameItem] : [];

  setPixelModule(ds, input, notes);
  if (!keepPalette) monochromePresentation(ds, input.frameItem, notes);
  return notes;
}

/**
 * A Supplemental Palette Color LUT (Pixel Presentation COLOR/MIXED of enhanced IODs) maps stored
 * values to colours: it still holds when the enhanced values are stored on the source's grid.
 */
function supplementalPaletteHolds(source: NaturalDataset, input: DeriveInput): boolean {
  const mono = String(source.PhotometricInterpretation ?? '').startsWith('MONOCHROME');
  const sameGrid =
    !input.enc.rescaleChanged && input.enc.pixelRepresentation === Number(source.PixelRepresentation ?? 0);
  return mono && input.samples === 1 && sameGrid && source.RedPaletteColorLookupTableDescriptor !== undefined;
}

/** Without its palette an image is presented MONOCHROME (top level and per-frame Frame Type items). */
function monochromePresentation(ds: NaturalDataset, frameItem: Item | undefined, notes: string[]): void {
  const holders: Item[] = [
    ds,
    ...[firstItem(ds, 'SharedFunctionalGroupsSequence'), frameItem].flatMap((g) =>
      Object.keys(g ?? {})
        .filter((k) => k.endsWith('FrameTypeSequence'))
        .flatMap((k): Item[] => {
          const item = firstItem(g, k);
          return item ? [item] : [];
        }),
    ),
  ];
  let changed = false;
  for (const h of holders)
    if (h.PixelPresentation === 'COLOR' || h.PixelPresentation === 'MIXED') {
      h.PixelPresentation = 'MONOCHROME';
      changed = true;
    }
  if (changed)
    notes.push('Pixel Presentation set to MONOCHROME: the source palette no longer maps the stored values');
}

function setPixelModule(ds: NaturalDataset, input: DeriveInput, notes: string[]): void {
  const { enc, samples } = input;
  ds.Rows = input.height;
  ds.Columns = input.width;
  ds.SamplesPerPixel = samples;
  if (samples === 3) {
    ds.PhotometricInterpretation = 'RGB';
    ds.PlanarConfiguration = 0;
  }
  ds.BitsAllocated = enc.bitsAllocated;
  ds.BitsStored = enc.bitsStored;
  ds.HighBit = enc.bitsStored - 1;
  ds.PixelRepresentation = enc.pixelRepresentation;
  const vrMap: Record<string, string> = { ...(ds._vrMap ?? {}) };
  const xs = enc.pixelRepresentation === 1 ? 'SS' : 'US';
  for (const key of ['SmallestImagePixelValue', 'LargestImagePixelValue'] as const) {
    if (ds[key] === undefined) continue;
    ds[key] = key.startsWith('Smallest') ? enc.smallest : enc.largest;
    vrMap[key] = xs;
  }
  const hasRescale = ds.RescaleSlope !== undefined || ds.RescaleIntercept !== undefined;
  if (hasRescale || enc.rescaleChanged) {
    ds.RescaleSlope = formatDS(enc.slope);
    ds.RescaleIntercept = formatDS(enc.intercept);
  }
  for (const group of [firstItem(ds, 'SharedFunctionalGroupsSequence'), input.frameItem]) {
    const pvt = firstItem(group, 'PixelValueTransformationSequence');
    if (pvt) {
      pvt.RescaleSlope = formatDS(enc.slope);
      pvt.RescaleIntercept = formatDS(enc.intercept);
    }
  }
  if (enc.rescaleChanged)
    notes.push(
      `values exceed 16 bits on the source's rescale grid: new Rescale Slope ${formatDS(enc.slope)}, Intercept ${formatDS(enc.intercept)}`,
    );
  if (enc.nanCount > 0)
    notes.push(
      `${enc.nanCount} no-data (NaN) samples written as the minimum stored value ${enc.smallest}: DICOM has no no-data value`,
    );
  const bytes = new Uint8Array(enc.pixels.buffer, enc.pixels.byteOffset, enc.pixels.byteLength).slice();
  ds.PixelData = [bytes.buffer];
  vrMap.PixelData = enc.bitsAllocated === 8 ? 'OB' : 'OW';
  ds._vrMap = vrMap;
}
