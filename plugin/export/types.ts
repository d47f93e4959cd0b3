/**
 * The export layer's one interface: an enhanced result (pixels in original units + provenance) and
 * its source go in, the bytes of one file come out. One writer per format, registered by format in
 * ./index.ts and loaded lazily (the DICOM and C2PA libraries load only when that format is written).
 * Writers build the whole file in memory and return it: callers write it atomically (Node: temp +
 * rename; browsers: one download once complete), so a failed or cancelled export leaves nothing.
 * Whole scenes that do not fit in memory go through geotiff-stream.ts instead (GeoTIFF only).
 */
import type { ImageInfo } from '../../formats/raster.ts';
import type { EnhanceResult } from '../pipeline/enhance.ts';

/** Formats tilesr writes. */
export type ExportFormat = 'dicom' | 'geotiff' | 'png' | 'jpeg' | 'npy';

/** What an export is made from. */
export interface ExportRequest {
  /** Enhanced pixels in the source's real units (float32, [H*s, W*s, bands]) with provenance. */
  result: EnhanceResult;
  /** The file that was enhanced: its decoded description, and (DICOM) its bytes, whose dataset is carried over. */
  source: { info: ImageInfo; bytes?: Uint8Array; name?: string };
  /** Burn the "AI-enhanced" mark into the pixels (always done for pictures; optional for DICOM). */
  burnIn?: boolean;
  /** Picture signing (C2PA); without one the bundled untrusted test signer is used and said so. */
  signer?: ExportSigner;
  /** DICOM: the derived series this instance joins (all instances of one enhanced series share it); default: a new series per file. */
  series?: DerivedSeries;
  signal?: AbortSignal;
}

/** A derived series shared by several written instances: its SeriesInstanceUID and, optionally, SeriesNumber (default: the writer's rule from the source's). */
export interface DerivedSeries {
  uid: string;
  number?: number;
  /** Appended to SeriesDescription and kept whole when it is cut to 64 (the batch queue's idempotency tag, which QIDO-RS returns). */
  descriptionSuffix?: string;
}

/** PEM certificate chain (leaf first) and PKCS#8 private key (ECDSA P-256) used to sign C2PA manifests. */
export interface ExportSigner {
  certificateChainPem: string;
  privateKeyPem: string;
}

/** One written file. */
export interface ExportOutput {
  bytes: Uint8Array;
  format: ExportFormat;
  mediaType: string;
  /** Suggested extension without the dot. */
  extension: string;
  /** Notes for the user (e.g. "signed with the untrusted test certificate"). */
  notes: string[];
}

/** A writer for one format. */
export interface ExportWriter {
  readonly format: ExportFormat;
  readonly mediaType: string;
  readonly extensions: readonly string[];
  /** Throws ExportError('UNSUPPORTED_EXPORT') before any work when `info` cannot be written in this format. */
  check(info: ImageInfo): void;
  write(request: ExportRequest): Promise<ExportOutput>;
}
