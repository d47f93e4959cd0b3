/** JPEG Lossless process 14 (1.2.840.10008.1.2.4.57) and SV1 (.4.70) via jpeg-lossless-decoder-js. */
import { Decoder } from 'jpeg-lossless-decoder-js';
import { FormatError } from '../../errors.ts';
import { toContainer } from './container.ts';
import type { Codec } from './types.ts';

/** Pure-JS lossless JPEG decoder; output samples are 1 or 2 bytes, little endian. */
export const decodeJpegLossless: Codec = (input) => {
  const bytesPerSample = input.bitsAllocated <= 8 ? 1 : 2;
  let decoded: Uint8Array | Uint16Array;
  try {
    const e = input.encoded;
    const copy = Uint8Array.prototype.slice.call(e).buffer; // the decoder wants its own ArrayBuffer
    decoded = new Decoder().decode(copy, 0, e.byteLength, bytesPerSample);
  } catch (err) {
    throw new FormatError(
      'CORRUPT_DATA',
      `JPEG lossless decoder rejected the frame: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
  const bytes = new Uint8Array(decoded.buffer, decoded.byteOffset, decoded.byteLength);
  return { pixels: toContainer(bytes, bytesPerSample, input, 'JPEG lossless'), planar: false, rgb: false };
};
