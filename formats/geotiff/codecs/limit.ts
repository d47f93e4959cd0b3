/**
 * Output bounds for decoders: a block may not decode to more bytes than its header implies, so a
 * "decompression bomb" fails fast instead of exhausting memory. Errors cross worker boundaries as
 * plain messages, hence the code prefix tiles.ts recognises.
 */

/** Message prefix mapped to FormatError('DECOMPRESSED_SIZE_MISMATCH'). */
export const TOO_BIG = 'DECOMPRESSED_SIZE_MISMATCH:';

interface Params {
  tileWidth: number;
  tileHeight: number;
  planarConfiguration: number;
  bitsPerSample: number | number[] | ArrayLike<number>;
}

/** Bytes a full block holds: tile (or strip) pixels x bytes per pixel (one band when planar). */
export function blockLimit(p: Params): number {
  const bits = typeof p.bitsPerSample === 'number' ? [p.bitsPerSample] : Array.from(p.bitsPerSample);
  const perPixel = p.planarConfiguration === 2 ? (bits[0] ?? 8) / 8 : bits.reduce((a, b) => a + b, 0) / 8;
  return Math.ceil(p.tileWidth * p.tileHeight * perPixel);
}

/** The error a decoder throws when its output passes the bound. */
export function tooBig(limit: number): Error {
  return new Error(`${TOO_BIG} a block decodes to more than the ${limit} bytes its header implies`);
}

/** Joins output chunks into one exact ArrayBuffer. */
export function concat(chunks: Uint8Array[], total: number): ArrayBuffer {
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out.buffer;
}
