/** The batch engine's typed errors (codes never change meaning). */
import { TilesrError } from '../core/errors.ts';

/** Stable codes of queue/. */
export type QueueErrorCode =
  | 'BAD_REDIS_URL'
  | 'REDIS_UNREACHABLE'
  | 'UNKNOWN_BATCH'
  | 'BAD_INPUT'
  | 'NOT_AVAILABLE'
  | 'OUTPUT_CLASH'
  | 'TIMEOUT';

/** An error of the batch engine. */
export class QueueError extends TilesrError<QueueErrorCode> {
  override readonly name = 'QueueError';
  constructor(code: QueueErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
