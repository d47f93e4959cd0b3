/**
 * The models layer's one error type. Codes are stable strings so the CLI, events and provenance can
 * report them without parsing messages.
 */

import { TilesrError } from '../core/errors.ts';

/** Stable error codes of the models layer. */
export type ModelErrorCode =
  | 'UNKNOWN_MODEL'
  | 'INTEGRITY_MISMATCH'
  | 'MODEL_LOAD_FAILED'
  | 'SESSION_FAILED'
  | 'BACKEND_UNAVAILABLE'
  | 'NON_FINITE_OUTPUT'
  | 'DEVICE_LOST'
  | 'INVALID_INPUT'
  | 'ABORTED';

/** An error from the registry, normalization or an inference backend. */
export class ModelError extends TilesrError<ModelErrorCode> {
  // typed `string` so IntegrityError can pin its own name
  override readonly name: string = 'ModelError';
}

/** Model bytes whose sha256 differs from the card: no session may be created from them. */
export class IntegrityError extends ModelError {
  override readonly name = 'IntegrityError';
  readonly expected: string;
  readonly actual: string;

  constructor(label: string, expected: string, actual: string, byteLength: number) {
    super(
      'INTEGRITY_MISMATCH',
      `${label}: sha256 ${actual} (${byteLength} bytes) does not match the model card's ${expected}`,
    );
    this.expected = expected;
    this.actual = actual;
  }
}

/** Throws ModelError ABORTED when the signal has fired (checked between awaits). */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new ModelError('ABORTED', 'aborted', { cause: signal.reason });
}

/** Wraps any thrown value in a ModelError with `code`, keeping ModelErrors (and their codes) as they are. */
export function asModelError(err: unknown, code: ModelErrorCode, context: string): ModelError {
  if (err instanceof ModelError) return err;
  const msg = err instanceof Error ? err.message : String(err);
  return new ModelError(code, `${context}: ${msg}`, { cause: err });
}
