/**
 * DICOMweb options shared by the CLI commands: `--header 'Name: value'` (repeatable) and the
 * TILESR_DICOMWEB_TOKEN environment variable (a bearer token). Header values are secrets: they go
 * into requests only, never into output, reports or files.
 */
import { UsageError } from './errors.ts';

/** The environment variable holding a bearer token for DICOMweb requests. */
export const TOKEN_ENV = 'TILESR_DICOMWEB_TOKEN';

/** The parseArgs option of `--header`. */
export const HEADER_OPTION = { header: { type: 'string', multiple: true } } as const;

/** Headers from `--header` values plus `Authorization: Bearer $TILESR_DICOMWEB_TOKEN` when no Authorization was given. */
export function dicomwebHeaders(
  values: string[] | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const h of values ?? []) {
    const colon = h.indexOf(':');
    const name = colon > 0 ? h.slice(0, colon).trim() : '';
    // the value is never echoed: it may be the token itself
    if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(name))
      throw new UsageError(`--header wants 'Name: value' (header ${(values ?? []).indexOf(h) + 1} is not)`);
    headers[name] = h.slice(colon + 1).trim();
  }
  const token = env[TOKEN_ENV]?.trim();
  const hasAuth = Object.keys(headers).some((k) => k.toLowerCase() === 'authorization');
  if (token && !hasAuth) headers.Authorization = `Bearer ${token}`;
  return headers;
}
