/**
 * Deflate / Adobe Deflate (8, 32946) with a bounded output: geotiff.js inflates a block whole,
 * however large it claims to be; here inflation stops as soon as it passes the block size.
 */
import { BaseDecoder } from 'geotiff';
import { Inflate } from 'pako';
import { blockLimit, concat, tooBig } from './limit.ts';

/** geotiff.js decoder class for zlib-wrapped Deflate blocks. */
export default class DeflateDecoder extends BaseDecoder {
  override decodeBlock(buffer: ArrayBufferLike): ArrayBufferLike {
    const limit = blockLimit(this.parameters);
    const chunks: Uint8Array[] = [];
    let total = 0;
    const inflater = new Inflate({ chunkSize: Math.min(Math.max(limit, 1024), 1 << 20) });
    inflater.onData = (chunk: Uint8Array) => {
      total += chunk.length;
      if (total > limit) throw tooBig(limit);
      chunks.push(chunk);
    };
    inflater.push(new Uint8Array(buffer as ArrayBuffer), true);
    if (inflater.err) throw new Error(`inflate failed: ${inflater.msg || String(inflater.err)}`);
    return concat(chunks, total);
  }
}
