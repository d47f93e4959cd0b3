/**
 * Enhanced real-unit values -> DICOM stored pixels without clipping: grayscale keeps the source's
 * rescale and is stored 16-bit (BitsStored/PixelRepresentation raised when super-resolution
 * overshoots the source's range), with a new slope/intercept only when 16 bits cannot hold the
 * values on the source's grid; RGB stays 8-bit and must fit.
 */
import { ExportError } from './errors.ts';
import { formatDS } from './dicom-values.ts';

/** What to encode and what the source allows. */
export interface PixelSource {
  data: Float32Array;
  samples: number;
  slope: number;
  intercept: number;
  bitsStored: number;
  signed: boolean;
  /** Whether the IOD carries a Modality LUT (rescale) that may be changed. */
  rescalable: boolean;
  /** Smallest BitsStored the IOD allows (e.g. 12 for CT). */
  minBitsStored?: number;
}

/** Stored pixels and the Image Pixel module attributes that describe them. */
export interface EncodedPixels {
  pixels: Uint8Array | Uint16Array | Int16Array;
  bitsAllocated: 8 | 16;
  bitsStored: number;
  pixelRepresentation: 0 | 1;
  slope: number;
  intercept: number;
  rescaleChanged: boolean;
  smallest: number;
  largest: number;
  /** NaN samples, written as the smallest stored value. */
  nanCount: number;
}

/** Bits needed to hold [lo, hi] unsigned (signed = false) or two's complement. */
function bitsFor(lo: number, hi: number, signed: boolean): number {
  let b = 1;
  if (signed) while (lo < -(2 ** (b - 1)) || hi > 2 ** (b - 1) - 1) b++;
  else while (hi > 2 ** b - 1) b++;
  return b;
}

function storedRange(data: Float32Array, slope: number, intercept: number) {
  let lo = Infinity;
  let hi = -Infinity;
  let nanCount = 0;
  for (const v of data) {
    if (Number.isNaN(v)) {
      nanCount++;
      continue;
    }
    const s = Math.round((v - intercept) / slope);
    if (s < lo) lo = s;
    if (s > hi) hi = s;
  }
  if (nanCount === data.length) return { lo: 0, hi: 0, nanCount };
  return { lo, hi, nanCount };
}

/** Encodes enhanced values; throws VALUE_OUT_OF_RANGE rather than clip. */
export function encodePixels(src: PixelSource): EncodedPixels {
  if (src.samples === 3) return encodeRgb(src.data);
  let { slope, intercept } = src;
  let { lo, hi, nanCount } = storedRange(src.data, slope, intercept);
  let rescaleChanged = false;
  if (lo < -32768 || hi > 65535 || (lo < 0 && hi > 32767)) {
    if (!src.rescalable)
      throw new ExportError(
        'VALUE_OUT_OF_RANGE',
        `enhanced values need stored ${lo}..${hi}, beyond 16 bits, and this IOD has no rescale to change`,
      );
    // a coarser grid over the real range, stored unsigned 16-bit: the only loss stays rounding
    let rlo = Infinity;
    let rhi = -Infinity;
    for (const v of src.data) {
      if (Number.isNaN(v)) continue;
      rlo = Math.min(rlo, v);
      rhi = Math.max(rhi, v);
    }
    // both as they will be written (DS text), so the stored values are computed on the written grid
    slope = Number(formatDS(Number((((rhi - rlo) / 65000) * 1.0001).toPrecision(8))));
    intercept = Number(formatDS(rlo - slope));
    ({ lo, hi, nanCount } = storedRange(src.data, slope, intercept));
    rescaleChanged = true;
  }
  const signed = lo < 0 || (src.signed && hi <= 32767);
  const bitsStored = Math.min(16, Math.max(src.bitsStored, src.minBitsStored ?? 1, bitsFor(lo, hi, signed)));
  const pixels = signed ? new Int16Array(src.data.length) : new Uint16Array(src.data.length);
  for (let i = 0; i < src.data.length; i++) {
    const v = src.data[i] as number;
    pixels[i] = Number.isNaN(v) ? lo : Math.round((v - intercept) / slope);
  }
  return {
    pixels,
    bitsAllocated: 16,
    bitsStored,
    pixelRepresentation: signed ? 1 : 0,
    slope,
    intercept,
    rescaleChanged,
    smallest: lo,
    largest: hi,
    nanCount,
  };
}

function encodeRgb(data: Float32Array): EncodedPixels {
  const { lo, hi, nanCount } = storedRange(data, 1, 0);
  if (lo < 0 || hi > 255)
    throw new ExportError(
      'VALUE_OUT_OF_RANGE',
      `enhanced RGB values span ${lo}..${hi}: RGB has no rescale, and 0..255 cannot hold them without clipping`,
    );
  const pixels = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = data[i] as number;
    pixels[i] = Number.isNaN(v) ? lo : Math.round(v);
  }
  return {
    pixels,
    bitsAllocated: 8,
    bitsStored: 8,
    pixelRepresentation: 0,
    slope: 1,
    intercept: 0,
    rescaleChanged: false,
    smallest: lo,
    largest: hi,
    nanCount,
  };
}
