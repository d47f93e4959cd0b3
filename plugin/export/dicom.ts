/**
 * Derived DICOM export: the enhanced pixels as a new instance in a new series of the source's study,
 * same SOP class (so readers keep its geometry), built deliberately from the source's dataset with
 * dcmjs (PS3.3 derivation attributes, new grid, pixels in the source's units on its rescale grid)
 * and written uncompressed in Explicit VR Little Endian. Browser-safe: no Node-only APIs here.
 */
import dcmjs, { type NaturalDataset } from 'dcmjs';
import type { ImageInfo } from '../../formats/raster.ts';
import { ExportError, throwIfExportAborted } from './errors.ts';
import { burnMark } from './dicom-burn.ts';
import { deriveDataset, EXPLICIT_VR_LE } from './dicom-dataset.ts';
import { applyGeometry, firstItem, type Item } from './dicom-geometry.ts';
import { addOverlayMark } from './dicom-overlay.ts';
import { encodePixels } from './dicom-pixels.ts';
import type { ExportOutput, ExportRequest, ExportWriter } from './types.ts';

const { DicomDict, DicomMessage, DicomMetaDictionary } = dcmjs.data;

/** tilesr's Implementation Class UID (a fixed UUID-derived UID) and version name (SH, 16 chars). */
const IMPLEMENTATION_CLASS_UID = '2.25.163343757460738521591553474106553563093';
const IMPLEMENTATION_VERSION = 'TILESR_0.1.0';

/** Modalities whose IODs carry a Modality LUT (rescale) that may get a new slope/intercept. */
const RESCALABLE_SOP = /^1\.2\.840\.10008\.5\.1\.4\.1\.1\.(1|1\.1|1\.1\.1|1\.1\.2|2|2\.1|2\.2|7|128|128\.1)$/;

/** Smallest BitsStored the IOD allows (PS3.3 C.8.2.1.1.4 CT and C.8.3.1.1.4 MR: 12 to 16). */
function minBitsStored(sopClass: string, modality: unknown): number | undefined {
  return /^1\.2\.840\.10008\.5\.1\.4\.1\.1\.(2|4)(\.|$)/.test(sopClass) || modality === 'CT' ? 12 : undefined;
}

/** Parses Part 10 bytes with dcmjs; unreadable bytes are a missing source. */
function parse(bytes: Uint8Array): { ds: NaturalDataset; meta: NaturalDataset } {
  try {
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    const dict = DicomMessage.readFile(buffer);
    return {
      ds: DicomMetaDictionary.naturalizeDataset(dict.dict),
      meta: DicomMetaDictionary.naturalizeDataset(dict.meta),
    };
  } catch (e) {
    throw new ExportError('MISSING_SOURCE', `the source bytes are not a readable DICOM file: ${String(e)}`, {
      cause: e,
    });
  }
}

function check(info: ImageInfo): void {
  if (info.format !== 'dicom')
    throw new ExportError('UNSUPPORTED_EXPORT', `a derived DICOM needs a DICOM source, not ${info.format}`);
  if (info.samples !== 1 && info.samples !== 3)
    throw new ExportError('UNSUPPORTED_EXPORT', `DICOM export holds 1 or 3 samples, not ${info.samples}`);
}

async function write(request: ExportRequest): Promise<ExportOutput> {
  const { result, source, signal } = request;
  throwIfExportAborted(signal);
  check(source.info);
  if (!source.bytes)
    throw new ExportError(
      'MISSING_SOURCE',
      'a derived DICOM carries over the source dataset: pass its bytes',
    );
  if (result.samples !== source.info.samples)
    throw new ExportError(
      'UNSUPPORTED_EXPORT',
      `${result.samples} enhanced sample(s) of a ${source.info.samples}-sample source: enhance every band`,
    );
  const { ds: src, meta } = parse(source.bytes);
  throwIfExportAborted(signal);
  const p = result.provenance;
  const info = source.info;
  const notes: string[] = [];

  const data = request.burnIn
    ? burnMark({ ...result, photometric: info.photometric, windows: info.windows }, p.modelId, result.scale)
    : result.data;
  const sopClass = String(src.SOPClassUID ?? '');
  const enc = encodePixels({
    data,
    samples: result.samples,
    slope: info.valueMapping.slope,
    intercept: info.valueMapping.intercept,
    bitsStored: info.bitsStored,
    signed: info.signed,
    rescalable: src.RescaleSlope !== undefined || RESCALABLE_SOP.test(sopClass),
    minBitsStored: minBitsStored(sopClass, src.Modality),
  });
  throwIfExportAborted(signal);

  // a second parse is the deep copy (dcmjs values carry accessors that structuredClone refuses):
  // the source's own sequences stay untouched for the references
  const { ds } = parse(source.bytes);
  const perFrame = ds.PerFrameFunctionalGroupsSequence;
  const frameItem = Array.isArray(perFrame) ? (perFrame[p.source.frame] as Item | undefined) : undefined;
  notes.push(
    ...deriveDataset(ds, {
      source: src,
      provenance: p,
      width: result.width,
      height: result.height,
      samples: result.samples,
      enc,
      burnIn: request.burnIn === true,
      lossy: info.lossy,
      transferSyntaxUID: info.transferSyntaxUID,
      frameItem,
      now: new Date(),
      series: request.series,
    }),
    ...applyGeometry(ds, frameItem, { x: p.source.window.x, y: p.source.window.y, scale: result.scale }),
  );
  // the mark PACS viewers draw over the image, burned in or not
  addOverlayMark(ds, result.width, result.height, p.modelId, result.scale);
  if (info.frames > 1)
    notes.push(
      `frame ${p.source.frame + 1} of ${info.frames} written as a single-frame instance` +
        (frameItem ? ' (its per-frame functional groups kept, the others dropped)' : ''),
    );
  if (enc.bitsStored !== info.bitsStored || enc.pixelRepresentation !== (info.signed ? 1 : 0))
    notes.push(
      `stored as ${enc.bitsStored} bits ${enc.pixelRepresentation ? 'signed' : 'unsigned'} (source: ${info.bitsStored} bits ${info.signed ? 'signed' : 'unsigned'}) so that no enhanced value is clipped`,
    );

  const fileMeta: NaturalDataset = {
    ...meta,
    MediaStorageSOPClassUID: sopClass,
    MediaStorageSOPInstanceUID: ds.SOPInstanceUID,
    TransferSyntaxUID: EXPLICIT_VR_LE,
    ImplementationClassUID: IMPLEMENTATION_CLASS_UID,
    ImplementationVersionName: IMPLEMENTATION_VERSION,
  };
  delete fileMeta.SourceApplicationEntityTitle;
  delete fileMeta.FileMetaInformationGroupLength;
  const dict = new DicomDict(DicomMetaDictionary.denaturalizeDataset(fileMeta));
  dict.dict = DicomMetaDictionary.denaturalizeDataset(ds);
  // our own values are sized to their VRs; this only lets invalid values copied from the source
  // (e.g. ACR-NEMA dates "1993.02.24") through as they were instead of refusing the export
  const bytes = new Uint8Array(dict.write({ allowInvalidVRLength: true }));
  throwIfExportAborted(signal);
  return { bytes, format: 'dicom', mediaType: 'application/dicom', extension: 'dcm', notes };
}

/** The derived-DICOM writer (DICOM sources only; needs the source bytes). */
export const dicomWriter: ExportWriter = {
  format: 'dicom',
  mediaType: 'application/dicom',
  extensions: ['dcm'],
  check,
  write,
};

const str = (v: unknown): string | undefined => (v === undefined || v === null ? undefined : String(v));
const list = (v: unknown): Item[] => (Array.isArray(v) ? (v as Item[]) : []);
const codes = (v: unknown) =>
  list(v).map((c) => ({
    CodeValue: str(c.CodeValue),
    CodingSchemeDesignator: str(c.CodingSchemeDesignator),
    CodeMeaning: str(c.CodeMeaning),
  }));

/**
 * The derivation attributes of a DICOM file (top level, or the first frame's Derivation Image
 * functional group of enhanced IODs), with `aiEnhanced` true when tilesr derived it.
 */
export function readDicomProvenance(bytes: Uint8Array): Record<string, unknown> {
  const { ds } = parse(bytes);
  const derivation: Item =
    ds.DerivationDescription !== undefined
      ? ds
      : (firstItem(firstItem(ds, 'PerFrameFunctionalGroupsSequence'), 'DerivationImageSequence') ?? ds);
  const equipment = list(ds.ContributingEquipmentSequence).map((e) => ({
    Manufacturer: str(e.Manufacturer),
    ManufacturerModelName: str(e.ManufacturerModelName),
    SoftwareVersions: Array.isArray(e.SoftwareVersions)
      ? e.SoftwareVersions.map(String)
      : str(e.SoftwareVersions),
    ContributionDateTime: str(e.ContributionDateTime),
    ContributionDescription: str(e.ContributionDescription),
    PurposeOfReferenceCodeSequence: codes(e.PurposeOfReferenceCodeSequence),
  }));
  const description = str(derivation.DerivationDescription);
  return {
    ImageType: Array.isArray(ds.ImageType) ? ds.ImageType.map(String) : str(ds.ImageType),
    DerivationDescription: description,
    DerivationCodeSequence: codes(derivation.DerivationCodeSequence),
    SourceImageSequence: list(derivation.SourceImageSequence).map((s) => ({
      ReferencedSOPClassUID: str(s.ReferencedSOPClassUID),
      ReferencedSOPInstanceUID: str(s.ReferencedSOPInstanceUID),
      ReferencedFrameNumber: str(s.ReferencedFrameNumber),
      PurposeOfReferenceCodeSequence: codes(s.PurposeOfReferenceCodeSequence),
    })),
    ContributingEquipmentSequence: equipment,
    BurnedInAnnotation: str(ds.BurnedInAnnotation),
    SeriesInstanceUID: str(ds.SeriesInstanceUID),
    SOPInstanceUID: str(ds.SOPInstanceUID),
    aiEnhanced:
      (description?.includes('AI-enhanced') ?? false) || equipment.some((e) => e.Manufacturer === 'tilesr'),
  };
}
