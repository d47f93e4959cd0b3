/**
 * TIFF LZMA (Compression 34925): each strip/tile is a complete .xz stream (libtiff writes it with
 * lzma_stream_encoder). Decoded with xz-decompress (xz-embedded compiled to WASM, no native code).
 */
import { BaseDecoder } from 'geotiff';
import { loadUmd } from './umd.ts';
import { stripDeltaFilter, undoDelta } from './xzdelta.ts';

interface XzModule {
  XzReadableStream: new (s: ReadableStream<Uint8Array>) => ReadableStream<Uint8Array>;
}

let xz: Promise<XzModule> | undefined;

/** geotiff.js decoder class for LZMA/.xz blocks. */
export default class LzmaDecoder extends BaseDecoder {
  override async decodeBlock(buffer: ArrayBufferLike): Promise<ArrayBufferLike> {
    xz ??= loadUmd<XzModule>(() => import('xz-decompress'));
    const { XzReadableStream } = await xz;
    const { stream, dist } = stripDeltaFilter(new Uint8Array(buffer as ArrayBuffer));
    const input = new Blob([stream as Uint8Array<ArrayBuffer>]).stream();
    const out = await new Response(new XzReadableStream(input)).arrayBuffer();
    if (dist > 0) undoDelta(new Uint8Array(out), dist);
    return out;
  }
}
