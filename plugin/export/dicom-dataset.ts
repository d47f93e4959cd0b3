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

/** The DERIVED description: tool, model and the warning every reader must see (ST, 1024). */
export function derivationDescription(p: Provenance, burnIn: boolean, previous?: string): string {
  const w = p.source.window;
  const text =
    `AI-enhanced, not for primary diagnosis. tilesr ${p.tilesrVersion} super-resolution x${p.scale}: ` +
    `model ${p.modelId} variant ${p.variant}${p.perceptual ? ' (perceptual: texture may be invented)' : ''} ` +
    `version ${p.modelVersion} sha256 ${p.sha256}; source frame ${p.source.frame + 1} region ` +
    `x=${w.x} y=${w.y} ${w.width}x${w.height} px` +
    (burnIn ? '; AI-enhanced label burned into the pixels' : '') +
    (previous ? `. Source derivation: ${previous}` : '');
  return fit(text, 1024);
}

/** Applies the derivation to `ds` (a copy of the source dataset) in place; returns notes. */
export function deriveDataset(ds: NaturalDataset, input: DeriveInput): string[] {
  const { source, provenance: p, now } = input;
  const notes: string[] = [];
  for (const key of Object.keys(ds)) {
    // unknown/private tags (dcmjs keeps them as hex keys), group lengths and overlays describe the
    // source's pixels or encoding and cannot be checked to still hold
    if (/^[0-9A-F]{8}$/i.test(key) || key.startsWith('Overlay') || /PaletteColor/.test(key)) delete ds[key];
  }
  for (const key of STALE) delete ds[key];
  const t = dicomDateTime(now);

  // identity: same study and SOP class, new series and instance
  ds.SeriesInstanceUID = input.series?.uid ?? newUid();
  ds.SOPInstanceUID = newUid();
  ds.SeriesNumber = String(
    input.series?.number ?? Math.min(2 ** 31 - 1, (nums(source.SeriesNumber)[0] ?? 0) + 1000),
  );
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
  const derivedType = (t: string[]) => [
    'DERIVED',
    enhanced ? (t[1] ?? 'PRIMARY') : 'SECONDARY',
    ...t.slice(2),
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
  ds.DerivationDescription = description;
  ds.DerivationCodeSequence = derivationCodes;
  ds.SourceImageSequence = [sourceRef];
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
    input.frameItem.DerivationImageSequence = [
      {
        DerivationDescription: description,
        DerivationCodeSequence: derivationCodes,
        SourceImageSequence: [sourceRef],
      },
    ];
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
      ContributionDescription: fit(
        `AI super-resolution x${p.scale} (${p.modelId}, sha256 ${p.sha256}): AI-enhanced, not for primary diagnosis`,
        1024,
      ),
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
  return notes;
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
