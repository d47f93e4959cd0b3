import { TilesrError } from '../core/errors.ts';

/** Stable codes for everything that can be wrong with an input file. Codes never change meaning. */
export type FormatErrorCode =
  | 'UNKNOWN_FORMAT' // neither DICOM nor TIFF
  | 'NOT_DICOM' // no DICM preamble and no recognisable dataset
  | 'NOT_TIFF' // bad TIFF header
  | 'TRUNCATED' // the file ends before a structure it declares
  | 'LENGTH_BEYOND_FILE' // an element/strip/tile/fragment length points past the end of the file
  | 'UNSUPPORTED_TRANSFER_SYNTAX'
  | 'UNSUPPORTED_COMPRESSION'
  | 'UNSUPPORTED_PHOTOMETRIC'
  | 'UNSUPPORTED_SAMPLE_FORMAT'
  | 'DIMENSIONS_TOO_LARGE' // declared size beyond the configured limit (checked before allocating)
  | 'DECOMPRESSED_SIZE_MISMATCH' // a codec produced more/fewer bytes than the header implies
  | 'NO_PIXEL_DATA'
  | 'MISSING_ATTRIBUTE' // a required attribute (Rows, Columns, BitsAllocated...) is absent or invalid
  | 'FRAME_OUT_OF_RANGE'
  | 'WINDOW_OUT_OF_BOUNDS'
  | 'CORRUPT_DATA' // a codec rejected the bitstream
  | 'IO_ERROR' // could not read the file or URL
  | 'ABORTED'
  | 'MEMORY_BUDGET'; // a read would decode more bytes than the configured budget (checked before allocating)

/** The one error type the formats layer throws; `code` is stable and machine-readable. */
export class FormatError extends TilesrError<FormatErrorCode> {
  override readonly name = 'FormatError';
}

/** Throws FormatError('ABORTED') when the signal is aborted; call between expensive steps. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new FormatError('ABORTED', 'decoding was aborted', { cause: signal.reason });
}

/** Wraps any thrown value as a FormatError, keeping FormatErrors as they are. */
export function asFormatError(err: unknown, code: FormatErrorCode, context: string): FormatError {
  if (err instanceof FormatError) return err;
  const msg = err instanceof Error ? err.message : String(err);
  return new FormatError(code, `${context}: ${msg}`, { cause: err });
}
