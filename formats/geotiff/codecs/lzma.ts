/**
 * TIFF LZMA (Compression 34925): each strip/tile is a complete .xz stream (libtiff writes it with
 * lzma_stream_encoder). Decoded with xz-decompress (xz-embedded compiled to WASM, no native code).
 */
import { BaseDecoder } from 'geotiff';
import { blockLimit, concat, tooBig } from './limit.ts';
import { loadUmd } from '../../load.ts';
import { stripDeltaFilter, undoDelta } from './xzdelta.ts';

interface XzModule {
  XzReadableStream: new (s: ReadableStream<Uint8Array>) => ReadableStream<Uint8Array>;
}

let xz: Promise<XzModule> | undefined;

/** geotiff.js decoder class for LZMA/.xz blocks. */
export default class LzmaDecoder extends BaseDecoder {
  override async decodeBlock(buffer: ArrayBufferLike): Promise<ArrayBufferLike> {
    xz ??= loadUmd<XzModule>(() => import('xz-decompress'), 'xz-decompress');
    const { XzReadableStream } = await xz;
    const { stream, dist } = stripDeltaFilter(new Uint8Array(buffer as ArrayBuffer));
    const input = new Blob([stream as Uint8Array<ArrayBuffer>]).stream();
    // read chunk by chunk so a stream expanding past the block size stops early
    const limit = blockLimit(this.parameters);
    const reader = new XzReadableStream(input).getReader();
    const chunks: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > limit) {
        await reader.cancel();
        throw tooBig(limit);
      }
      chunks.push(value);
    }
    const out = concat(chunks, total);
    if (dist > 0) undoDelta(new Uint8Array(out), dist);
    return out;
  }
}
