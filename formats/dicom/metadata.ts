/**
 * DICOM attributes kept for viewers and exporters (a derived DICOM must carry the study, series and
 * patient identity of its source). Values are strings or number arrays as in the file; absent
 * attributes are left out rather than set to empty.
 */
import type { DataSet } from 'dicom-parser';
import type { PixelLayout } from './header.ts';

/** Keyword -> tag of the text attributes copied as strings. */
const TEXT: Record<string, string> = {
  SOPClassUID: 'x00080016',
  SOPInstanceUID: 'x00080018',
  StudyInstanceUID: 'x0020000d',
  SeriesInstanceUID: 'x0020000e',
  FrameOfReferenceUID: 'x00200052',
  Modality: 'x00080060',
  PatientName: 'x00100010',
  PatientID: 'x00100020',
  PatientBirthDate: 'x00100030',
  PatientSex: 'x00100040',
  PatientAge: 'x00101010',
  StudyDate: 'x00080020',
  StudyTime: 'x00080030',
  StudyDescription: 'x00081030',
  StudyID: 'x00200010',
  SeriesDescription: 'x0008103e',
  SeriesNumber: 'x00200011',
  InstanceNumber: 'x00200013',
  AccessionNumber: 'x00080050',
  ReferringPhysicianName: 'x00080090',
  InstitutionName: 'x00080080',
  Manufacturer: 'x00080070',
  ManufacturerModelName: 'x00081090',
  BodyPartExamined: 'x00180015',
  ImageType: 'x00080008',
  ContentDate: 'x00080023',
  ContentTime: 'x00080033',
  RescaleType: 'x00281054',
  LossyImageCompression: 'x00282110',
  LossyImageCompressionRatio: 'x00282112',
  LossyImageCompressionMethod: 'x00282114',
  SpecificCharacterSet: 'x00080005',
};

/** Keyword -> tag of decimal-string attributes copied as number arrays. */
const NUMBERS: Record<string, string> = {
  ImagePositionPatient: 'x00200032',
  ImageOrientationPatient: 'x00200037',
  SliceThickness: 'x00180050',
  SliceLocation: 'x00201041',
  SpacingBetweenSlices: 'x00180088',
};

const PLANE_POSITION = 'x00209113';
const PLANE_ORIENTATION = 'x00209116';

/** The attributes above plus pixel-module facts, frame geometry of enhanced multi-frame files. */
export function readMetadata(ds: DataSet, layout: PixelLayout): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, tag] of Object.entries(TEXT)) {
    const el = ds.elements[tag];
    if (!el || el.length === 0) continue;
    const n = ds.numStringValues(tag) ?? 1;
    const values = Array.from({ length: n }, (_, i) => ds.string(tag, i) ?? '');
    out[key] = values.length === 1 ? values[0] : values.join('\\');
  }
  for (const [key, tag] of Object.entries(NUMBERS)) {
    const v = decimals(ds, tag);
    if (v.length > 0) out[key] = v.length === 1 ? v[0] : v;
  }
  out.TransferSyntaxUID = layout.transferSyntaxUID;
  out.BitsAllocated = layout.bitsAllocated;
  out.BitsStored = layout.bitsStored;
  const highBit = ds.uint16('x00280102');
  if (highBit !== undefined) out.HighBit = highBit;
  out.PixelRepresentation = layout.signed ? 1 : 0;
  out.SamplesPerPixel = layout.samples;
  if (layout.samples > 1) out.PlanarConfiguration = layout.planar ? 1 : 0;
  out.PhotometricInterpretation = layout.photometric;
  // Enhanced multi-frame: position/orientation live in the functional groups, per frame or shared.
  const perFrame = ds.elements['x52009230']?.items ?? [];
  const shared = ds.elements['x52009229']?.items?.[0]?.dataSet;
  const orientation =
    shared && macroValue(shared, PLANE_ORIENTATION, NUMBERS.ImageOrientationPatient as string);
  if (orientation && out.ImageOrientationPatient === undefined) out.ImageOrientationPatient = orientation;
  const positions = perFrame.map((it) =>
    it.dataSet ? macroValue(it.dataSet, PLANE_POSITION, NUMBERS.ImagePositionPatient as string) : undefined,
  );
  if (positions.some((p) => p !== undefined)) out.PerFrameImagePositionPatient = positions;
  // Per-frame rescale (ImageInfo.valueMapping holds the shared one, or frame 0's)
  const rescale = perFrame.map((it) => {
    const item = it.dataSet?.elements['x00289145']?.items?.[0]?.dataSet;
    const slope = item ? decimals(item, 'x00281053')[0] : undefined;
    const intercept = item ? decimals(item, 'x00281052')[0] : undefined;
    return slope === undefined && intercept === undefined
      ? undefined
      : { slope: slope ?? 1, intercept: intercept ?? 0 };
  });
  if (rescale.some((r) => r !== undefined)) out.PerFrameRescale = rescale;
  return out;
}

function decimals(ds: DataSet, tag: string): number[] {
  const n = ds.numStringValues(tag) ?? 0;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const v = ds.floatString(tag, i);
    if (v !== undefined) out.push(v);
  }
  return out;
}

function macroValue(group: DataSet, macro: string, tag: string): number[] | undefined {
  const item = group.elements[macro]?.items?.[0]?.dataSet;
  const v = item ? decimals(item, tag) : [];
  return v.length > 0 ? v : undefined;
}
