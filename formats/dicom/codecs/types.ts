/** What a codec gets and gives: one frame's bitstream in, the frame's samples out. */
import type { TypedPixels } from '../../raster.ts';

/** Facts from the header a codec needs to decode and check one frame. */
export interface CodecInput {
  encoded: Uint8Array;
  rows: number;
  columns: number;
  samples: number;
  bitsAllocated: number;
  bitsStored: number;
  signed: boolean;
  /** Float (32) or Double Float (64) Pixel Data: IEEE samples, never compressed. */
  float?: boolean;
  /** PlanarConfiguration 1 (native data): samples stored plane by plane. */
  planar: boolean;
  photometric: string;
  /** 1-bit native data: the frame's first sample is this bit (LSB first) of `encoded[0]`. */
  bitOffset?: number;
}

/** A decoded frame in the file's container type (BitsAllocated + PixelRepresentation). */
export interface CodecOutput {
  pixels: TypedPixels;
  /** Samples are plane by plane (RGBRGB... when false). */
  planar: boolean;
  /** The codec already converted a YBR color space to RGB (libjpeg-turbo does for JPEG). */
  rgb: boolean;
}

/** Decodes one frame; throws FormatError (CORRUPT_DATA, DECOMPRESSED_SIZE_MISMATCH...). */
export type Codec = (input: CodecInput) => CodecOutput | Promise<CodecOutput>;
