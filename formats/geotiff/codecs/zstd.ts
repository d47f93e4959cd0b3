/**
 * ZSTD (50000) with a bounded output: the destination is exactly one block, so a frame claiming
 * (or producing) more fails instead of allocating what its header says.
 */
import { BaseDecoder } from 'geotiff';
import { blockLimit } from './limit.ts';

interface Zstd {
  decode(b: Uint8Array, size?: number): Uint8Array;
}
let ready: Promise<Zstd> | undefined;

async function load(): Promise<Zstd> {
  const { ZSTDDecoder } = await import('zstddec');
  const z = new ZSTDDecoder();
  await z.init();
  return z;
}

/** geotiff.js decoder class for ZSTD blocks. */
export default class ZstdDecoder extends BaseDecoder {
  override async decodeBlock(buffer: ArrayBufferLike): Promise<ArrayBufferLike> {
    ready ??= load();
    const limit = blockLimit(this.parameters);
    // with a destination size, libzstd refuses frames that do not fit (zstddec then returns nothing)
    const out = (await ready).decode(new Uint8Array(buffer as ArrayBuffer), limit);
    if (out.length === 0) throw new Error('ZSTD frame is corrupt or larger than its block');
    return out.byteOffset === 0 && out.byteLength === out.buffer.byteLength ? out.buffer : out.slice().buffer;
  }
}
