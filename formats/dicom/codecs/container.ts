/** Turns codec byte output into the file's container type and checks its size. */
import { FormatError } from '../../errors.ts';
import { allocatePixels, type SampleType, type TypedPixels } from '../../raster.ts';
import type { CodecInput } from './types.ts';

/**
 * The container type of stored samples: BitsAllocated and PixelRepresentation, or float32/float64
 * for Float / Double Float Pixel Data.
 */
export function containerType(bitsAllocated: number, signed: boolean, float = false): SampleType {
  if (float) {
    if (bitsAllocated === 32) return 'float32';
    if (bitsAllocated === 64) return 'float64';
    throw new FormatError(
      'UNSUPPORTED_SAMPLE_FORMAT',
      `float pixel data with BitsAllocated ${bitsAllocated}`,
    );
  }
  switch (bitsAllocated) {
    case 1: // bit-packed: delivered one uint8 0/1 per sample, as pydicom
      return 'uint8';
    case 8:
      return signed ? 'int8' : 'uint8';
    case 16:
      return signed ? 'int16' : 'uint16';
    case 32:
      return signed ? 'int32' : 'uint32';
    default:
      throw new FormatError('UNSUPPORTED_SAMPLE_FORMAT', `BitsAllocated ${bitsAllocated} is not supported`);
  }
}

/** Expected number of samples in one decoded frame. */
export function frameLength(input: CodecInput): number {
  return input.rows * input.columns * input.samples;
}

/**
 * Copies `bytes` (little-endian samples of `bytesPerSample` bytes, as codecs write them) into a new
 * array of the container type, widening or narrowing when the codec's sample size differs from
 * BitsAllocated (e.g. a J2K codestream of 8-bit data in a 16-bit container). The copy also frees
 * the result from codec (wasm) memory that the next decode overwrites.
 */
export function toContainer(
  bytes: Uint8Array,
  bytesPerSample: number,
  input: CodecInput,
  codec: string,
): TypedPixels {
  const n = frameLength(input);
  if (bytes.length !== n * bytesPerSample)
    throw new FormatError(
      'DECOMPRESSED_SIZE_MISMATCH',
      `${codec} produced ${bytes.length} bytes, the header implies ${n * bytesPerSample} (${input.columns}x${input.rows}x${input.samples})`,
    );
  const type = containerType(input.bitsAllocated, input.signed, input.float);
  const out = allocatePixels(type, n);
  const outBytes = out.BYTES_PER_ELEMENT;
  if (bytesPerSample === outBytes) {
    new Uint8Array(out.buffer).set(bytes);
    return out;
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < n; i++) {
    let v: number;
    if (bytesPerSample === 1) v = input.signed ? dv.getInt8(i) : dv.getUint8(i);
    else if (bytesPerSample === 2) v = input.signed ? dv.getInt16(2 * i, true) : dv.getUint16(2 * i, true);
    else v = input.signed ? dv.getInt32(4 * i, true) : dv.getUint32(4 * i, true);
    out[i] = v;
  }
  return out;
}
