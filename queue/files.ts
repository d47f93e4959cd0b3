/**
 * The worker's file bookkeeping: atomic JSON writes, the idempotency sidecar beside each output
 * (source sha256 + model sha256 + options), and removal of temp files a killed attempt left behind.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Writes JSON to `path` through a temp name and a rename (never half-written). */
export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    await writeFile(tmp, JSON.stringify(value, null, 2) + '\n');
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}

/** sha256 of a local file (streamed) or a URL's body. */
export async function sha256Of(src: string, signal?: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  if (/^https?:\/\//i.test(src)) {
    const res = await fetch(src, { signal });
    if (!res.ok || !res.body) throw new Error(`GET ${src} answered ${res.status}`);
    const reader = res.body.getReader();
    for (let r = await reader.read(); !r.done; r = await reader.read()) hash.update(r.value);
  } else for await (const chunk of createReadStream(src, { signal })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** sha256 of a value's canonical JSON (keys sorted). */
export function sha256Json(value: unknown): string {
  const canon = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(canon)
      : v && typeof v === 'object'
        ? Object.fromEntries(
            Object.entries(v)
              .filter(([, x]) => x !== undefined)
              .sort(([a], [b]) => (a < b ? -1 : 1))
              .map(([k, x]) => [k, canon(x)]),
          )
        : v;
  return createHash('sha256')
    .update(JSON.stringify(canon(value)))
    .digest('hex');
}

/** What an output was made from: equal keys mean the output can be kept. */
export interface OutputKey {
  source_sha256: string;
  model_sha256: string;
  options_sha256: string;
}

/** The sidecar recording an output's key (beside it, same name + `.tilesr.json`). */
export const sidecarPath = (out: string) => `${out}.tilesr.json`;

/** Bytes of a file, or of the files in a directory (a derived series). */
async function sizeOf(path: string): Promise<number> {
  const st = await stat(path);
  if (!st.isDirectory()) return st.size;
  const names = await readdir(path);
  const sizes = await Promise.all(names.map(async (n) => (await stat(join(path, n))).size));
  return sizes.reduce((a, b) => a + b, 0);
}

/** True when `out` exists, is as large as its sidecar recorded, and was made from `key`. */
export async function upToDate(out: string, key: OutputKey): Promise<boolean> {
  try {
    const [size, text] = await Promise.all([sizeOf(out), readFile(sidecarPath(out), 'utf8')]);
    const s = JSON.parse(text) as OutputKey & { bytes?: number };
    return (
      s.bytes === size &&
      s.source_sha256 === key.source_sha256 &&
      s.model_sha256 === key.model_sha256 &&
      s.options_sha256 === key.options_sha256
    );
  } catch {
    return false;
  }
}

/** Records `out`'s key after it was renamed into place. */
export async function writeSidecar(
  out: string,
  key: OutputKey,
  extra: Record<string, unknown>,
): Promise<void> {
  await writeJsonAtomic(sidecarPath(out), { ...key, bytes: await sizeOf(out), ...extra });
}

/**
 * Removes `.<name>.<pid>.tmp|spill` files of `out` (the temp names of the writers): whoever holds a
 * job's lock owns its output, so any such file is a killed attempt's leftover.
 */
export async function removeLeftovers(out: string): Promise<number> {
  const dir = dirname(out);
  const prefix = `.${basename(out)}.`;
  const names = await readdir(dir).catch(() => [] as string[]);
  const stale = names.filter((n) => n.startsWith(prefix) && /\.\d+\.(tmp|spill)$/.test(n));
  await Promise.all(stale.map((n) => unlink(join(dir, n)).catch(() => undefined)));
  return stale.length;
}
