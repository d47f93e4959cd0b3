import { TilesrError } from '../core/errors.ts';

/** Stable error codes of validation/: callers branch on `code`, never on message text. */
export type ValidationErrorCode =
  | 'SIZE_MISMATCH' // the two images (or image and mask) differ in size or band count
  | 'INVALID_DATA_RANGE' // data range missing, zero, negative or not finite
  | 'EMPTY_MASK' // no valid pixel (or no valid window) left to measure
  | 'IMAGE_TOO_SMALL' // smaller than the metric's window (SSIM: 11 px; MS-SSIM: 161 px)
  | 'INVALID_ARGUMENT'; // a scale, shave, tile size or similar is out of range

/** The one error type validation/ throws. */
export class ValidationError extends TilesrError<ValidationErrorCode> {
  override readonly name = 'ValidationError';
}
