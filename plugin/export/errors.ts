import { TilesrError } from '../../core/errors.ts';

/** The export layer's error type, with stable codes. */
export type ExportErrorCode =
  | 'UNSUPPORTED_EXPORT' // this format cannot hold this source (e.g. DICOM from a GeoTIFF)
  | 'UNKNOWN_FORMAT' // no writer for this format or file extension
  | 'MISSING_SOURCE' // the writer needs the source bytes (DICOM dataset) and got none
  | 'VALUE_OUT_OF_RANGE' // an enhanced value cannot be stored without clipping
  | 'SIGNING_FAILED' // C2PA signing failed (bad certificate or key)
  | 'ABORTED';

/** Thrown by everything under plugin/export. */
export class ExportError extends TilesrError<ExportErrorCode> {
  override readonly name = 'ExportError';
}

/** Throws ExportError('ABORTED') when the signal has fired. */
export function throwIfExportAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new ExportError('ABORTED', 'export was aborted', { cause: signal.reason });
}
