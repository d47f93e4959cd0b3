/**
 * RasterInput -> geotiff.js GeoTIFF plus the file size, which every tile read is checked against
 * (geotiff.js's own file source zero-fills reads past the end of the file, which would turn a
 * truncated file into a silently blank image).
 */
import { fromArrayBuffer, fromBlob, fromUrl, GeoTIFF } from 'geotiff';
import type * as NodeFs from 'node:fs/promises';
import { FormatError } from '../errors.ts';
import { describeInput, isRemote, type RasterInput } from '../input.ts';

/** An opened TIFF and what we know about the bytes behind it. */
export interface OpenedTiff {
  tiff: GeoTIFF;
  /** Size in bytes, or null while unknown (a server that sent no Content-Range yet). */
  fileSize(): number | null;
  close(): Promise<void>;
}

/** Block size for HTTP range requests: small enough that a window fetches little beyond its tiles. */
export const HTTP_BLOCK_SIZE = 16 * 1024;

interface Slice {
  offset: number;
  length: number;
}

/** Local file source for Node: positional reads, clamped at EOF, abortable between reads. */
class NodeFileSource {
  constructor(
    private readonly handle: NodeFs.FileHandle,
    readonly fileSize: number,
  ) {}
  async fetch(slices: Slice[], signal?: AbortSignal): Promise<ArrayBuffer[]> {
    return Promise.all(
      slices.map(async ({ offset, length }) => {
        if (signal?.aborted)
          throw new FormatError('ABORTED', 'reading was aborted', { cause: signal.reason });
        const n = Math.max(0, Math.min(length, this.fileSize - offset));
        const buf = new Uint8Array(n);
        let done = 0;
        while (done < n) {
          const { bytesRead } = await this.handle.read(buf, done, n - done, offset + done);
          if (bytesRead === 0) break;
          done += bytesRead;
        }
        return buf.buffer.slice(0, done);
      }),
    );
  }
  async close(): Promise<void> {
    await this.handle.close();
  }
}

/** Opens any RasterInput with geotiff.js; header errors become FormatErrors. */
export async function openTiff(input: RasterInput, signal?: AbortSignal): Promise<OpenedTiff> {
  let sizeOf: () => number | null;
  let close: () => Promise<void> = async () => {};
  let tiff: GeoTIFF;
  try {
    if (input instanceof Uint8Array || input instanceof ArrayBuffer) {
      const ab =
        input instanceof ArrayBuffer
          ? input
          : input.byteOffset === 0 &&
              input.byteLength === input.buffer.byteLength &&
              input.buffer instanceof ArrayBuffer
            ? input.buffer
            : input.slice().buffer;
      tiff = await fromArrayBuffer(ab, signal);
      sizeOf = () => ab.byteLength;
    } else if (typeof Blob !== 'undefined' && input instanceof Blob) {
      tiff = await fromBlob(input, signal);
      sizeOf = () => input.size;
    } else if (isRemote(input)) {
      const href = input instanceof URL ? input.href : input;
      // blockSize is passed through to geotiff.js's BlockedSource (not in its RemoteSourceOptions type)
      const options = { blockSize: HTTP_BLOCK_SIZE, allowFullFile: false } as Parameters<typeof fromUrl>[1];
      try {
        tiff = await fromUrl(href, options, signal);
        const t = tiff;
        sizeOf = () => (t.source as { fileSize?: number | null }).fileSize ?? null;
      } catch (err) {
        // a server that ignores Range answers 200 with the whole file, which geotiff.js refuses
        // here; allowing it would download the whole file again for every block geotiff.js reads
        // (17 times to show one overview of a 96 MB COG). geotiff.js drops the cause, so ask once:
        // a 200 to a range request is that case, and its body is the file, decoded from memory.
        const res = await fetch(href, {
          headers: { Range: 'bytes=0-1' },
          ...(signal ? { signal } : {}),
        }).catch(() => undefined);
        if (res?.status !== 200) {
          await res?.body?.cancel();
          throw err;
        }
        const ab = await res.arrayBuffer();
        tiff = await fromArrayBuffer(ab, signal);
        sizeOf = () => ab.byteLength;
      }
    } else {
      const fsName = 'node:fs/promises'; // a variable keeps browser bundlers from following it
      const fs = (await import(fsName)) as typeof NodeFs;
      const handle = await fs.open(typeof input === 'string' ? input : String(input), 'r');
      const size = (await handle.stat()).size;
      const src = new NodeFileSource(handle, size);
      close = () => src.close();
      try {
        tiff = await GeoTIFF.fromSource(
          src as unknown as Parameters<typeof GeoTIFF.fromSource>[0],
          {},
          signal,
        );
      } catch (err) {
        await close();
        throw err;
      }
      sizeOf = () => size;
    }
  } catch (err) {
    throw headerError(err, input, signal);
  }
  const t = tiff;
  return {
    tiff: t,
    fileSize: sizeOf,
    close: async () => {
      await close();
      await t.close();
    },
  };
}

/** Maps errors from geotiff.js's header parsing to stable codes. */
export function headerError(err: unknown, input: RasterInput, signal?: AbortSignal): FormatError {
  if (err instanceof FormatError) return err;
  const msg = err instanceof Error ? err.message : String(err);
  const where = describeInput(input);
  if (signal?.aborted || (err instanceof Error && err.name === 'AbortError'))
    return new FormatError('ABORTED', `opening ${where} was aborted`, { cause: err });
  if (/byte order|magic number|offset byte-size/i.test(msg))
    return new FormatError('NOT_TIFF', `${where}: bad TIFF header (${msg})`, { cause: err });
  if (err instanceof RangeError || /outside the bounds|out of bounds|beyond|exceed/i.test(msg))
    return new FormatError('TRUNCATED', `${where}: the file ends inside its TIFF structure (${msg})`, {
      cause: err,
    });
  if (/ENOENT|EACCES|EISDIR|fetch|network|status/i.test(msg))
    return new FormatError('IO_ERROR', `cannot read ${where}: ${msg}`, { cause: err });
  return new FormatError('CORRUPT_DATA', `${where}: invalid TIFF structure (${msg})`, { cause: err });
}
