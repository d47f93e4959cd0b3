/** JPEG 2000 lossless and lossy (1.2.840.10008.1.2.4.90/.91) via OpenJPEG. */
import type { Codec } from './types.ts';
import { decodeWithWasm } from './wasm.ts';

/** OpenJPEG decoder; multi-component output is pixel-interleaved. */
export const decodeJ2k: Codec = (input) =>
  decodeWithWasm(
    {
      name: 'OpenJPEG',
      load: () => import('@cornerstonejs/codec-openjpeg/decodewasmjs'),
      dir: '@cornerstonejs/codec-openjpeg/dist',
      decoderClass: 'J2KDecoder',
    },
    input,
  );
