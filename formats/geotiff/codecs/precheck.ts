/**
 * Header checks on a compressed block before it reaches a decoder that would allocate whatever the
 * block claims: a JPEG frame (SOF) or a LERC blob larger than the tile is refused up front.
 */
import { TOO_BIG } from './limit.ts';

/** Throws when the block's own header declares more pixels than the tile/strip holds. */
export function precheckBlock(
  compression: number,
  block: Uint8Array,
  tileWidth: number,
  tileHeight: number,
): void {
  const size =
    compression === 7 ? jpegFrameSize(block) : compression === 34887 ? lercBlobSize(block) : undefined;
  if (size && (size.width > tileWidth || size.height > tileHeight))
    throw new Error(
      `${TOO_BIG} the block declares ${size.width}x${size.height} pixels, the tile holds ${tileWidth}x${tileHeight}`,
    );
}

/** Width/height from the first SOF marker before the first scan (null when absent). */
export function jpegFrameSize(b: Uint8Array): { width: number; height: number } | undefined {
  if (b[0] !== 0xff || b[1] !== 0xd8) throw new Error('JPEG block does not start with SOI');
  let p = 2;
  while (p + 4 <= b.length) {
    if (b[p] !== 0xff) throw new Error(`JPEG marker expected at byte ${p}`);
    const m = b[p + 1] as number;
    if (m === 0xff) {
      p++; // fill byte
      continue;
    }
    const len = ((b[p + 2] as number) << 8) | (b[p + 3] as number);
    const isSof = m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;
    if (isSof && p + 9 <= b.length) {
      const height = ((b[p + 5] as number) << 8) | (b[p + 6] as number);
      const width = ((b[p + 7] as number) << 8) | (b[p + 8] as number);
      return { width, height };
    }
    if (m === 0xda) return undefined; // scan before any frame header: the decoder will reject it
    p += 2 + len;
  }
  return undefined;
}

/** nCols/nRows from an uncompressed Lerc2 blob header (undefined for Deflate/ZSTD-wrapped blobs). */
function lercBlobSize(b: Uint8Array): { width: number; height: number } | undefined {
  if (String.fromCharCode(...b.subarray(0, 6)) !== 'Lerc2 ' || b.length < 22) return undefined;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const version = dv.getInt32(6, true);
  const p = 10 + (version >= 3 ? 4 : 0);
  if (p + 8 > b.length) return undefined;
  return { height: dv.getUint32(p, true), width: dv.getUint32(p + 4, true) };
}
