import { TilesrError } from '../../core/errors.ts';

/** The pipeline's one error type, with stable codes that never change meaning. */
export type PipelineErrorCode =
  | 'ABORTED' // the caller's AbortSignal fired
  | 'TILE_FAILED' // inference of one tile failed (cause attached)
  | 'INVALID_REQUEST' // bad region, band, tile size or option
  | 'MODEL_UNAVAILABLE' // the model id/variant is unknown or could not be loaded
  | 'DOMAIN_MISMATCH' // the model's domain is not the image's (domain.ts), and no override
  | 'ALREADY_ENHANCED'; // the image is itself a super-resolution result (derived.ts), and no override

/** Thrown (or delivered as an event) by everything under plugin/pipeline. */
export class PipelineError extends TilesrError<PipelineErrorCode> {
  override readonly name = 'PipelineError';
}

/** Throws PipelineError('ABORTED') when the signal has fired; called between tiles. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted)
    throw new PipelineError('ABORTED', 'enhancement was aborted', { cause: signal.reason });
}
