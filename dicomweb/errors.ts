/** The DICOMweb layer's typed errors. Messages name the method and URL path, never headers or tokens. */
import { TilesrError } from '../core/errors.ts';

/** Stable codes of the DICOMweb client; they never change meaning. */
export type DicomWebErrorCode =
  /** The server answered with an HTTP error (see `status`), after the bounded retries for 5xx/429. */
  | 'DICOMWEB_HTTP'
  /** 401 or 403: the credentials (bearer token, basic, custom header) were refused. */
  | 'DICOMWEB_AUTH'
  /** A response body (DICOM JSON, multipart/related, Part 10) could not be parsed. */
  | 'DICOMWEB_PARSE'
  /** No answer within the request timeout (after the retries a GET gets). */
  | 'DICOMWEB_TIMEOUT'
  /** The server could not be reached at all (refused, reset, DNS), after the retries. */
  | 'DICOMWEB_UNREACHABLE'
  /** A URL that is not a DICOMweb root or series URL (or carries credentials). */
  | 'DICOMWEB_URL'
  /** STOW-RS answered, but listed the instance among the failed (or not among the stored) ones. */
  | 'DICOMWEB_STOW_FAILED'
  /** The caller's AbortSignal fired. */
  | 'ABORTED';

/** An error of the DICOMweb client; `status` is the HTTP status when there was one. */
export class DicomWebError extends TilesrError<DicomWebErrorCode> {
  override readonly name = 'DicomWebError';
  readonly status: number | undefined;

  constructor(code: DicomWebErrorCode, message: string, options?: { cause?: unknown; status?: number }) {
    super(code, message, options);
    this.status = options?.status;
  }
}
