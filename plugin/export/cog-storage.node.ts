/**
 * Node storage for a streamed COG (cog-stream.ts): encoded tiles spill to a hidden temp file next
 * to the output, the file itself is written to a second temp file there and renamed over the output
 * on commit (same directory, so the rename is atomic); discard removes both. Node only: never
 * imported by browser-loaded modules (plugin/export/index.ts does not load it).
 */
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { CogStorage } from './cog-stream.ts';

/** The temp files' names for `out`: hidden, in its directory, tagged with this process. */
export function cogTempPaths(out: string): { spill: string; tmp: string } {
  const base = join(dirname(out), `.${basename(out)}.${process.pid}`);
  return { spill: `${base}.spill`, tmp: `${base}.tmp` };
}

/** CogStorage writing `out` through temp files; see the module comment. */
export function fileCogStorage(out: string): CogStorage {
  const paths = cogTempPaths(out);
  let spill: FileHandle | undefined;
  let file: FileHandle | undefined;
  let spillSize = 0;
  let closed = false;
  const closeAll = async () => {
    await spill?.close().catch(() => undefined);
    await file?.close().catch(() => undefined);
    spill = file = undefined;
  };
  return {
    async spill(bytes) {
      if (closed) throw new Error('storage is closed');
      spill ??= await open(paths.spill, 'w+');
      const at = spillSize;
      spillSize += bytes.length;
      let done = 0;
      while (done < bytes.length)
        done += (await spill.write(bytes, done, bytes.length - done, at + done)).bytesWritten;
      return at;
    },
    async readSpill(offset, length) {
      if (!spill) throw new RangeError('nothing was spilled');
      const buf = new Uint8Array(length);
      let done = 0;
      while (done < length) {
        const { bytesRead } = await spill.read(buf, done, length - done, offset + done);
        if (bytesRead === 0) throw new RangeError(`spill ends before ${offset + length}`);
        done += bytesRead;
      }
      return buf;
    },
    async write(bytes) {
      if (closed) throw new Error('storage is closed');
      file ??= await open(paths.tmp, 'w');
      let done = 0;
      while (done < bytes.length) done += (await file.write(bytes, done, bytes.length - done)).bytesWritten;
    },
    async commit() {
      closed = true;
      await file?.sync();
      await closeAll();
      await rename(paths.tmp, out);
      await unlink(paths.spill).catch(() => undefined);
    },
    async discard() {
      closed = true;
      await closeAll();
      await unlink(paths.tmp).catch(() => undefined);
      await unlink(paths.spill).catch(() => undefined);
    },
  };
}
