/** DICOM JSON (PS3.18 F.2) accessors: attributes keyed by 8-hex-digit tags, values in `Value`. */
import { DicomWebError } from './errors.ts';

/** One DICOM JSON attribute. */
export interface DicomJsonAttribute {
  vr: string;
  Value?: unknown[];
  InlineBinary?: string;
  BulkDataURI?: string;
}

/** A DICOM JSON dataset (a QIDO-RS result, one WADO-RS metadata instance, a STOW-RS response). */
export type DicomJson = Record<string, DicomJsonAttribute | undefined>;

/** Common tags by keyword (upper-case hex, as DICOM JSON writes them). */
export const TAGS = {
  SOPClassUID: '00080016',
  SOPInstanceUID: '00080018',
  Modality: '00080060',
  SeriesDescription: '0008103E',
  RetrieveURL: '00081190',
  FailedSOPSequence: '00081198',
  ReferencedSOPSequence: '00081199',
  FailureReason: '00081197',
  WarningReason: '00081196',
  ReferencedSOPClassUID: '00081150',
  ReferencedSOPInstanceUID: '00081155',
  TransferSyntaxUID: '00020010',
  AvailableTransferSyntaxUID: '00083002',
  StudyInstanceUID: '0020000D',
  SeriesInstanceUID: '0020000E',
  SeriesNumber: '00200011',
  InstanceNumber: '00200013',
  NumberOfFrames: '00280008',
  Rows: '00280010',
  Columns: '00280011',
} as const;

/** The first value of `tag` as a string (PN: its Alphabetic form), or undefined. */
export function str(ds: DicomJson, tag: string): string | undefined {
  const v = ds[tag]?.Value?.[0];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'object' && 'Alphabetic' in v) return String((v as { Alphabetic: unknown }).Alphabetic);
  return String(v);
}

/** The first value of `tag` as a number, or undefined. */
export function num(ds: DicomJson, tag: string): number | undefined {
  const s = str(ds, tag);
  const n = s === undefined ? NaN : Number(s);
  return Number.isFinite(n) ? n : undefined;
}

/** The items of a sequence attribute. */
export function items(ds: DicomJson, tag: string): DicomJson[] {
  const v = ds[tag]?.Value;
  return Array.isArray(v) ? (v.filter((x) => typeof x === 'object' && x !== null) as DicomJson[]) : [];
}

/** Parses a DICOM JSON body: an array of datasets (or one, for STOW-RS). */
export function parseDicomJson(text: string, what: string): DicomJson[] {
  let v: unknown;
  try {
    v = text.trim() === '' ? [] : JSON.parse(text);
  } catch (e) {
    throw new DicomWebError('DICOMWEB_PARSE', `${what}: the response is not JSON`, { cause: e });
  }
  const list = Array.isArray(v) ? v : [v];
  if (!list.every((x) => typeof x === 'object' && x !== null))
    throw new DicomWebError('DICOMWEB_PARSE', `${what}: the response is not DICOM JSON`);
  return list as DicomJson[];
}
