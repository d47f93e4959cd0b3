/**
 * JPEG Baseline 8-bit (1.2.840.10008.1.2.4.50) via libjpeg-turbo. For three components libjpeg
 * converts YCbCr (YBR_FULL / YBR_FULL_422 in DICOM) to RGB itself, so the output is flagged `rgb`.
 * Streams with 12-bit precision (mislabelled files) go to the 12-bit decoder instead.
 */
import { decodeJpeg12, jpegPrecision } from './jpeg/sequential.ts';
import type { Codec } from './types.ts';
import { decodeWithWasm } from './wasm.ts';

/** libjpeg-turbo 8-bit decoder. */
export const decodeJpegBaseline: Codec = async (input) => {
  if (jpegPrecision(input.encoded) > 8) return decodeJpeg12(input);
  const out = await decodeWithWasm(
    {
      name: 'libjpeg-turbo',
      load: () => import('@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs'),
      dir: '@cornerstonejs/codec-libjpeg-turbo-8bit/dist',
      decoderClass: 'JPEGDecoder',
    },
    input,
  );
  return { ...out, rgb: out.componentCount === 3 };
};
