/** JPEG-LS lossless and near-lossless (1.2.840.10008.1.2.4.80/.81) via CharLS. */
import type { Codec } from './types.ts';
import { decodeWithWasm } from './wasm.ts';

/** CharLS decoder (interleaved output for color). */
export const decodeJpegLs: Codec = (input) =>
  decodeWithWasm(
    {
      name: 'CharLS',
      nodeSpecifier: '@cornerstonejs/codec-charls/decodewasmjs',
      dir: '@cornerstonejs/codec-charls/dist',
      script: 'charlswasm_decode.js',
      decoderClass: 'JpegLSDecoder',
    },
    input,
  );
