/** CLI error reporting: one line `error <CODE>: <message>` (or JSON with --json), exit code 1. */

/** An error with a stable code, as thrown by every layer (FormatError, ModelError, ...). */
export interface CodedError {
  code: string;
  message: string;
}

/** A usage error from the CLI itself. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly code = 'USAGE';
}

/** Extracts a stable code from any thrown value; unknown errors become INTERNAL. */
export function toCoded(err: unknown): CodedError {
  if (
    err &&
    typeof err === 'object' &&
    'code' in err &&
    typeof (err as { code: unknown }).code === 'string'
  ) {
    const e = err as { code: string; message?: string };
    // Node system errors (ENOENT, EACCES...) carry a code too: report them as IO errors
    if (/^E[A-Z]+$/.test(e.code)) return { code: 'IO_ERROR', message: e.message ?? e.code };
    return { code: e.code, message: e.message ?? '' };
  }
  return { code: 'INTERNAL', message: err instanceof Error ? err.message : String(err) };
}
