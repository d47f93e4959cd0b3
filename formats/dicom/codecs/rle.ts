/**
 * RLE Lossless (1.2.840.10008.1.2.5), DICOM PS3.5 Annex G: a 64-byte header of segment offsets,
 * one PackBits segment per byte plane (most significant byte first, sample by sample).
 */
import { FormatError } from '../../errors.ts';
import { toContainer } from './container.ts';
import type { Codec } from './types.ts';

/** Decodes one RLE frame into pixel-interleaved little-endian samples. */
export const decodeRle: Codec = (input) => {
  const src = input.encoded;
  const size = input.bitsAllocated / 8;
  const pixels = input.rows * input.columns;
  if (src.length < 64)
    throw new FormatError('CORRUPT_DATA', `RLE frame of ${src.length} bytes has no header`);
  const dv = new DataView(src.buffer, src.byteOffset, src.byteLength);
  const segments = dv.getUint32(0, true);
  const expected = input.samples * size;
  if (segments < 1 || segments > 15)
    throw new FormatError('CORRUPT_DATA', `RLE header declares ${segments} segments (1..15 allowed)`);
  if (segments !== expected)
    throw new FormatError(
      'DECOMPRESSED_SIZE_MISMATCH',
      `RLE header declares ${segments} segments, ${input.samples} samples of ${input.bitsAllocated} bits need ${expected}`,
    );
  const out = new Uint8Array(pixels * expected);
  for (let seg = 0; seg < segments; seg++) {
    const start = dv.getUint32(4 + 4 * seg, true);
    const end = seg + 1 < segments ? dv.getUint32(8 + 4 * seg, true) : src.length;
    if (start < 64 || end > src.length || start > end)
      throw new FormatError(
        'CORRUPT_DATA',
        `RLE segment ${seg} offsets ${start}..${end} are outside the frame`,
      );
    const sample = Math.floor(seg / size);
    const byteInSample = size - 1 - (seg % size); // segments run MSB first, output is little endian
    unpackBits(src, start, end, out, sample * size + byteInSample, expected, pixels, seg, input.columns);
  }
  return { pixels: toContainer(out, size, input, 'RLE'), planar: false, rgb: false };
};

/** PackBits one segment into every `stride`-th byte of `out`; must yield exactly `count` bytes. */
function unpackBits(
  src: Uint8Array,
  start: number,
  end: number,
  out: Uint8Array,
  first: number,
  stride: number,
  count: number,
  seg: number,
  rowBytes: number,
): void {
  let i = start;
  let n = 0;
  let o = first;
  while (i < end && n < count) {
    const h = src[i++] as number;
    if (h < 128) {
      // literal run of h + 1 bytes
      const len = h + 1;
      if (i + len > end) break;
      const take = Math.min(len, count - n); // encoders may pad a segment's last run: ignore the excess
      for (let k = 0; k < take; k++, o += stride) out[o] = src[i + k] as number;
      i += len;
      n += take;
    } else if (h > 128) {
      // replicate the next byte 257 - h times
      const len = Math.min(257 - h, count - n);
      if (i >= end) break;
      const v = src[i++] as number;
      for (let k = 0; k < len; k++, o += stride) out[o] = v;
      n += len;
    } // 128: no operation
  }
  if (n !== count)
    throw new FormatError(
      'DECOMPRESSED_SIZE_MISMATCH',
      `RLE segment ${seg} decodes to ${n} bytes, expected ${count}`,
    );
  // Encoders in the wild pad segments by a byte or a few (pydicom accepts that, with a warning); a
  // whole row or more of leftover data means the header's size is wrong.
  const extra = decodedLength(src, i, end, rowBytes);
  if (extra >= rowBytes)
    throw new FormatError(
      'DECOMPRESSED_SIZE_MISMATCH',
      `RLE segment ${seg} holds at least ${extra} bytes more than ${count} (the header's size)`,
    );
}

/** How many bytes the rest of a segment decodes to, counting up to `cap`. */
function decodedLength(src: Uint8Array, i: number, end: number, cap: number): number {
  let n = 0;
  while (i < end && n < cap) {
    const h = src[i++] as number;
    if (h < 128) {
      n += h + 1;
      i += h + 1;
    } else if (h > 128) {
      n += 257 - h;
      i++;
    }
  }
  return n;
}
