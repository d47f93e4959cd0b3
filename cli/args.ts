/** Minimal, strict argument parsing shared by the CLI commands. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './errors.ts';

/** The strict configuration `parse` hands to parseArgs. */
type StrictConfig<T> = { args: string[]; options: T; allowPositionals: true; strict: true };

/**
 * Parses argv with node:util parseArgs, turning its errors into UsageError. The return type is
 * spelled out because declaration emit (npm run build) cannot name parseArgs' inferred one.
 */
export function parse<T extends NonNullable<ParseArgsConfig['options']>>(
  argv: string[],
  options: T,
  positionals = 0,
): ReturnType<typeof parseArgs<StrictConfig<T>>> {
  try {
    const r = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    if (r.positionals.length !== positionals) {
      throw new UsageError(`expected ${positionals} file argument(s), got ${r.positionals.length}`);
    }
    return r;
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError((err as Error).message);
  }
}

/** Parses "x,y,w,h" into a pixel window. */
export function parseWindow(text: string | undefined) {
  if (text === undefined) return undefined;
  const parts = text.split(',').map((s) => Number(s.trim()));
  if (parts.length !== 4 || parts.some((n) => !Number.isInteger(n) || n < 0)) {
    throw new UsageError(`--window wants x,y,w,h as non-negative integers, got "${text}"`);
  }
  const [x, y, width, height] = parts as [number, number, number, number];
  if (width === 0 || height === 0) throw new UsageError('--window width and height must be > 0');
  return { x, y, width, height };
}

/** Parses a non-negative integer option. */
export function parseIntOption(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0)
    throw new UsageError(`--${name} wants a non-negative integer, got "${text}"`);
  return n;
}
