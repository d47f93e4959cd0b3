/** CLI error reporting: one line `error <CODE>: <message>` (or JSON with --json), exit code 1. */

import { errorCode, TilesrError } from '../core/errors.ts';

/** An error with a stable code, as thrown by every layer (FormatError, ModelError, ...). */
export interface CodedError {
  code: string;
  message: string;
}

/** A usage error from the CLI itself. */
export class UsageError extends TilesrError<'USAGE'> {
  override readonly name = 'UsageError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('USAGE', message, options);
  }
}

/** Extracts a stable code from any thrown value; unknown errors become INTERNAL. */
export function toCoded(err: unknown): CodedError {
  const code = errorCode(err);
  if (code !== undefined) {
    const { message } = err as { message?: string };
    // Node system errors (ENOENT, EACCES...) carry a code too: report them as IO errors
    if (/^E[A-Z]+$/.test(code)) return { code: 'IO_ERROR', message: message ?? code };
    return { code, message: message ?? '' };
  }
  return { code: 'INTERNAL', message: err instanceof Error ? err.message : String(err) };
}
