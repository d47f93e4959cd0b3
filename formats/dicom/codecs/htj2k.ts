/** High-Throughput JPEG 2000 (1.2.840.10008.1.2.4.201/.202/.203) via OpenJPH. */
import type { Codec } from './types.ts';
import { decodeWithWasm } from './wasm.ts';

/** OpenJPH decoder (full resolution). */
export const decodeHtj2k: Codec = (input) =>
  decodeWithWasm(
    {
      name: 'OpenJPH',
      load: () => import('@cornerstonejs/codec-openjph/wasmjs'),
      dir: '@cornerstonejs/codec-openjph/dist',
      decoderClass: 'HTJ2KDecoder',
    },
    input,
  );
