/** NumPy .npy (format 1.0) reading and writing, little-endian, C order. No DOM, no Node APIs. */
import { FormatError } from './errors.ts';
import { DEFAULT_LIMITS, type DecodeLimits, type SampleType, type TypedPixels } from './raster.ts';

const DESCR: Record<SampleType, string> = {
  uint8: '|u1',
  int8: '|i1',
  uint16: '<u2',
  int16: '<i2',
  uint32: '<u4',
  int32: '<i4',
  float32: '<f4',
  float64: '<f8',
};

/** An n-dimensional array as read from or written to .npy. */
export interface NdArray {
  shape: number[];
  dtype: SampleType;
  data: TypedPixels;
}

/** Serialises an array as .npy bytes (header padded to 64 bytes as NumPy does). */
export function encodeNpy(a: NdArray): Uint8Array {
  const n = a.shape.reduce((p, d) => p * d, 1);
  if (n !== a.data.length)
    throw new RangeError(`shape ${a.shape.join('x')} does not hold ${a.data.length} values`);
  const shape = a.shape.length === 1 ? `(${a.shape[0]},)` : `(${a.shape.join(', ')})`;
  let header = `{'descr': '${DESCR[a.dtype]}', 'fortran_order': False, 'shape': ${shape}, }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const body = new Uint8Array(a.data.buffer, a.data.byteOffset, a.data.byteLength);
  const out = new Uint8Array(10 + header.length + body.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0);
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  out.set(body, 10 + header.length);
  return out;
}

/**
 * Parses .npy bytes (versions 1-3, little-endian numeric dtypes, C order). The shape must be
 * non-negative integers whose product is within `limits.maxSamples`; every refusal is a FormatError.
 */
export function decodeNpy(
  bytes: Uint8Array,
  limits: Pick<DecodeLimits, 'maxSamples'> = DEFAULT_LIMITS,
): NdArray {
  const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
  if (bytes.length < 10 || magic.some((m, i) => bytes[i] !== m)) {
    throw new FormatError('UNKNOWN_FORMAT', 'not a .npy file');
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const major = bytes[6] ?? 1;
  if (major !== 1 && major !== 2 && major !== 3)
    throw new FormatError('UNSUPPORTED_SAMPLE_FORMAT', `.npy format version ${major} is not supported`);
  if (major !== 1 && bytes.length < 12)
    throw new FormatError('TRUNCATED', '.npy header length runs past the end');
  const hlen = major === 1 ? dv.getUint16(8, true) : dv.getUint32(8, true);
  const hstart = major === 1 ? 10 : 12;
  if (hstart + hlen > bytes.length) throw new FormatError('TRUNCATED', '.npy header runs past the end');
  const header = new TextDecoder().decode(bytes.subarray(hstart, hstart + hlen));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*True/.test(header);
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1] ?? '';
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((t) => (/^\d+$/.test(t) ? Number(t) : NaN));
  if (!/'shape':\s*\(/.test(header) || shape.some((d) => !Number.isSafeInteger(d)))
    throw new FormatError(
      'MISSING_ATTRIBUTE',
      `.npy shape (${shapeText.slice(0, 80)}) is not a tuple of integers`,
    );
  const dtype = (Object.keys(DESCR) as SampleType[]).find(
    (k) => DESCR[k] === descr || DESCR[k].replace('<', '|') === descr,
  );
  if (!dtype || fortran)
    throw new FormatError('UNSUPPORTED_SAMPLE_FORMAT', `unsupported .npy dtype ${descr}`);
  const n = shape.reduce((p, d) => p * d, 1);
  if (n > limits.maxSamples)
    throw new FormatError(
      'DIMENSIONS_TOO_LARGE',
      `.npy shape ${shape.join('x')} holds more than ${limits.maxSamples} values`,
    );
  const start = hstart + hlen;
  const size = { uint8: 1, int8: 1, uint16: 2, int16: 2, uint32: 4, int32: 4, float32: 4, float64: 8 }[dtype];
  if (start + n * size > bytes.length) throw new FormatError('TRUNCATED', '.npy data runs past the end');
  // Uint8Array#slice copies; a Node Buffer's own slice would return a view into its pool
  const buf = Uint8Array.prototype.slice.call(bytes, start, start + n * size).buffer;
  const Ctor = {
    uint8: Uint8Array,
    int8: Int8Array,
    uint16: Uint16Array,
    int16: Int16Array,
    uint32: Uint32Array,
    int32: Int32Array,
    float32: Float32Array,
    float64: Float64Array,
  }[dtype];
  return { shape, dtype, data: new Ctor(buf) };
}
