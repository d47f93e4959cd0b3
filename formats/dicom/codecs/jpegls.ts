/** JPEG-LS lossless and near-lossless (1.2.840.10008.1.2.4.80/.81) via CharLS. */
import type { Codec } from './types.ts';
import { decodeWithWasm } from './wasm.ts';

/**
 * CharLS decoder. Color streams coded with interleave mode "none" (one scan per component) come
 * out plane by plane; line and sample interleaved ones pixel by pixel.
 */
export const decodeJpegLs: Codec = async (input) => {
  let interleave = 1;
  const out = await decodeWithWasm(
    {
      name: 'CharLS',
      load: () => import('@cornerstonejs/codec-charls/decodewasmjs'),
      dir: '@cornerstonejs/codec-charls/dist',
      decoderClass: 'JpegLSDecoder',
    },
    input,
    (decoder) => {
      interleave = (decoder as unknown as { getInterleaveMode(): number }).getInterleaveMode();
    },
  );
  return { ...out, planar: input.samples > 1 && interleave === 0 };
};
