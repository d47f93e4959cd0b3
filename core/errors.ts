/**
 * The project's one error base class. Every layer subclasses it with its own union of stable codes
 * (FormatError, ModelError, PipelineError, ...); callers branch on `code`, never on message text.
 */

/** An error with a stable, machine-readable `code`. Subclasses narrow `C` to their code union. */
export class TilesrError<C extends string = string> extends Error {
  readonly code: C;

  constructor(code: C, message: string, options?: { cause?: unknown }) {
    super(message, options);
    // subclasses that pin `name` with a field initializer overwrite this (it survives minification)
    this.name = new.target.name;
    this.code = code;
  }
}

/**
 * The stable code of any thrown value: a TilesrError's code, or the string `code` of a plain object
 * (errors posted from a worker arrive as structured clones, which keep own fields but lose the
 * prototype). Undefined when there is none.
 */
export function errorCode(e: unknown): string | undefined {
  if (e instanceof TilesrError) return e.code;
  if (typeof e === 'object' && e !== null && 'code' in e) {
    const code: unknown = e.code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

/** True when `e` reports the code 'ABORTED' (every layer uses that code for a fired AbortSignal). */
export function isAborted(e: unknown): boolean {
  return errorCode(e) === 'ABORTED';
}
