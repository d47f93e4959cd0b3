/** Uncompressed pixel data: Implicit/Explicit VR Little Endian, Deflated (inflated at parse time). */
import type { Codec } from './types.ts';
import { toContainer } from './container.ts';

/** Little-endian native samples; the frame slice is already exact. */
export const decodeNativeLE: Codec = (input) => ({
  pixels: toContainer(input.encoded, input.bitsAllocated / 8, input, 'native pixel data'),
  planar: input.planar,
  rgb: false,
});

/** Explicit VR Big Endian: 16/32-bit samples are byte-swapped to little endian. */
export const decodeNativeBE: Codec = (input) => {
  const size = input.bitsAllocated / 8;
  const le = new Uint8Array(input.encoded.length);
  for (let i = 0; i + size <= le.length; i += size)
    for (let b = 0; b < size; b++) le[i + b] = input.encoded[i + size - 1 - b] as number;
  return { pixels: toContainer(le, size, input, 'big endian pixel data'), planar: input.planar, rgb: false };
};
