/**
 * Uncompressed pixel data: Implicit/Explicit VR Little Endian, Deflated (inflated at parse time),
 * Explicit VR Big Endian. Also unpacks 1-bit data (LSB first, one uint8 0/1 per pixel, as pydicom)
 * and expands native YBR_FULL_422 (Y1 Y2 Cb Cr per pixel pair) to full YBR as pydicom does.
 */
import type { Codec, CodecInput, CodecOutput } from './types.ts';
import { toContainer } from './container.ts';

/** Little-endian native samples; the frame slice is already exact. */
export const decodeNativeLE: Codec = (input) => fromLittleEndian(input.encoded, input);

/** Explicit VR Big Endian: 16/32-bit samples are byte-swapped to little endian. */
export const decodeNativeBE: Codec = (input) => {
  const size = input.bitsAllocated / 8;
  if (size <= 1) return fromLittleEndian(input.encoded, input);
  const le = new Uint8Array(input.encoded.length);
  for (let i = 0; i + size <= le.length; i += size)
    for (let b = 0; b < size; b++) le[i + b] = input.encoded[i + size - 1 - b] as number;
  return fromLittleEndian(le, input);
};

function fromLittleEndian(bytes: Uint8Array, input: CodecInput): CodecOutput {
  if (input.bitsAllocated === 1) return { pixels: unpackBits(bytes, input), planar: false, rgb: false };
  const size = input.bitsAllocated / 8;
  const data = input.photometric === 'YBR_FULL_422' && input.samples === 3 ? expand422(bytes, size) : bytes;
  return { pixels: toContainer(data, size, input, 'native pixel data'), planar: input.planar, rgb: false };
}

function unpackBits(bytes: Uint8Array, input: CodecInput): Uint8Array {
  const n = input.rows * input.columns * input.samples;
  const first = input.bitOffset ?? 0;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const bit = first + i;
    out[i] = ((bytes[bit >> 3] as number) >> (bit & 7)) & 1;
  }
  return toContainer(out, 1, { ...input, bitsAllocated: 8 }, '1-bit pixel data') as Uint8Array;
}

/** Y1 Y2 Cb Cr -> Y1 Cb Cr Y2 Cb Cr, for samples of `size` bytes. */
function expand422(src: Uint8Array, size: number): Uint8Array {
  const groups = Math.floor(src.length / (4 * size));
  const out = new Uint8Array(groups * 6 * size);
  const order = [0, 2, 3, 1, 2, 3]; // source sample feeding each output sample
  for (let g = 0; g < groups; g++)
    for (let k = 0; k < 6; k++)
      out.set(
        src.subarray((g * 4 + (order[k] as number)) * size, (g * 4 + (order[k] as number) + 1) * size),
        (g * 6 + k) * size,
      );
  return out;
}
