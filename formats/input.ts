/**
 * Where image bytes come from: memory, a browser File/Blob, a URL (HTTP range requests where the
 * format reads windows), or a local path in Node. Kept free of Node imports at module level so
 * the same code bundles for the browser.
 */
import { FormatError } from './errors.ts';

/** Anything `openRaster` accepts. A string is a URL when it has a scheme, else a local path (Node). */
export type RasterInput = Uint8Array | ArrayBuffer | Blob | URL | string;

/** True for strings/URLs that should be fetched rather than read from disk. */
export function isRemote(input: RasterInput): input is URL | string {
  if (input instanceof URL) return true;
  return typeof input === 'string' && /^(https?|blob|data):/i.test(input);
}

/** Reads the whole input into memory (DICOM needs the whole dataset). */
export async function readAllBytes(input: RasterInput, signal?: AbortSignal): Promise<Uint8Array> {
  try {
    if (input instanceof Uint8Array) return input;
    if (input instanceof ArrayBuffer) return new Uint8Array(input);
    if (isBlob(input)) return new Uint8Array(await input.arrayBuffer());
    if (isRemote(input)) {
      const res = await fetch(input, { signal });
      if (!res.ok) throw new FormatError('IO_ERROR', `GET ${String(input)} answered ${res.status}`);
      return new Uint8Array(await res.arrayBuffer());
    }
    const { readFile } = await import('node:fs/promises');
    return new Uint8Array(await readFile(input, { signal }));
  } catch (err) {
    if (err instanceof FormatError) throw err;
    if (signal?.aborted) throw new FormatError('ABORTED', 'reading was aborted', { cause: err });
    throw new FormatError('IO_ERROR', `cannot read ${describeInput(input)}: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

/** Reads the first `n` bytes (or fewer) without loading a whole remote or local file. */
export async function readHead(input: RasterInput, n: number, signal?: AbortSignal): Promise<Uint8Array> {
  if (input instanceof Uint8Array) return input.subarray(0, n);
  if (input instanceof ArrayBuffer) return new Uint8Array(input, 0, Math.min(n, input.byteLength));
  if (isBlob(input)) return new Uint8Array(await input.slice(0, n).arrayBuffer());
  try {
    if (isRemote(input)) {
      const res = await fetch(input, { headers: { Range: `bytes=0-${n - 1}` }, signal });
      if (!res.ok) throw new FormatError('IO_ERROR', `GET ${String(input)} answered ${res.status}`);
      return new Uint8Array(await res.arrayBuffer()).subarray(0, n);
    }
    const { open } = await import('node:fs/promises');
    const fh = await open(input, 'r');
    try {
      const buf = new Uint8Array(n);
      const { bytesRead } = await fh.read(buf, 0, n, 0);
      return buf.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  } catch (err) {
    if (err instanceof FormatError) throw err;
    throw new FormatError('IO_ERROR', `cannot read ${describeInput(input)}: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

/** Blob exists in Node 18+ and browsers; the guard keeps older runtimes safe. */
function isBlob(x: RasterInput): x is Blob {
  return typeof Blob !== 'undefined' && x instanceof Blob;
}

/** A short human description of an input for error messages. */
export function describeInput(input: RasterInput): string {
  if (typeof input === 'string') return input;
  if (input instanceof URL) return input.href;
  if (isBlob(input)) {
    if (typeof File !== 'undefined' && input instanceof File) return input.name;
    return `blob (${input.size} bytes)`;
  }
  return `buffer (${input.byteLength} bytes)`;
}
