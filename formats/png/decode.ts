/**
 * A small PNG decoder for ground truth and benchmark images: 8/16-bit gray, gray+alpha, RGB, RGBA and
 * palette, non-interlaced (alpha is dropped: metrics compare colour samples). Uses pako for zlib.
 */
import { Inflate } from 'pako';
import { FormatError } from '../errors.ts';
import { DEFAULT_LIMITS, type DecodeLimits } from '../raster.ts';
import { paeth, PNG_SIGNATURE } from './common.ts';

/** A decoded PNG: pixel-interleaved samples (1 = gray, 3 = RGB). */
export interface DecodedPng {
  width: number;
  height: number;
  samples: 1 | 3;
  bitDepth: 8 | 16;
  data: Uint8Array | Uint16Array;
}

/** True when the bytes start with the PNG signature. */
export function isPng(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && PNG_SIGNATURE.every((b, i) => bytes[i] === b);
}

/**
 * Decodes a PNG file's bytes. `limits` (maxDimension, maxSamples) are checked against IHDR before
 * anything is allocated, and the zlib stream is inflated into a buffer of exactly the size IHDR
 * implies, so a small file cannot make it allocate more (a zlib bomb ends in
 * DECOMPRESSED_SIZE_MISMATCH). Every refusal is a FormatError with a code.
 */
export function decodePng(
  bytes: Uint8Array,
  limits: Pick<DecodeLimits, 'maxDimension' | 'maxSamples'> = DEFAULT_LIMITS,
): DecodedPng {
  if (!isPng(bytes)) throw new FormatError('UNKNOWN_FORMAT', 'not a PNG file');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 8;
  let width = 0;
  let height = 0;
  let depth = 0;
  let ctype = -1;
  let interlace = 0;
  let palette: Uint8Array | undefined;
  const idat: Uint8Array[] = [];
  while (pos + 8 <= bytes.length) {
    const len = dv.getUint32(pos);
    const type = String.fromCharCode(...bytes.subarray(pos + 4, pos + 8));
    if (pos + 12 + len > bytes.length) throw new FormatError('TRUNCATED', `chunk ${type} runs past the end`);
    const body = bytes.subarray(pos + 8, pos + 8 + len);
    if (type === 'IHDR') {
      if (len < 13) throw new FormatError('CORRUPT_DATA', `IHDR is ${len} bytes, not 13`);
      width = dv.getUint32(pos + 8);
      height = dv.getUint32(pos + 12);
      depth = body[8] ?? 0;
      ctype = body[9] ?? -1;
      interlace = body[12] ?? 0;
    } else if (type === 'PLTE') palette = body;
    else if (type === 'IDAT') idat.push(body);
    else if (type === 'IEND') break;
    pos += 12 + len;
  }
  const channels = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 }[ctype];
  if (!channels || width === 0 || height === 0)
    throw new FormatError('CORRUPT_DATA', 'missing or invalid IHDR');
  if (interlace !== 0) throw new FormatError('UNSUPPORTED_SAMPLE_FORMAT', 'interlaced PNG is not supported');
  if (ctype === 3 ? depth !== 8 : depth !== 8 && depth !== 16)
    throw new FormatError(
      'UNSUPPORTED_SAMPLE_FORMAT',
      `PNG bit depth ${depth} (colour type ${ctype}) is not supported`,
    );
  // checked before inflating: a 60-byte header can declare gigapixels
  if (
    width > limits.maxDimension ||
    height > limits.maxDimension ||
    width * height * channels > limits.maxSamples
  )
    throw new FormatError('DIMENSIONS_TOO_LARGE', `PNG declares ${width}x${height}x${channels} samples`);
  if (idat.length === 0) throw new FormatError('TRUNCATED', 'no image data');
  const joined = new Uint8Array(idat.reduce((n, c) => n + c.length, 0));
  let o = 0;
  for (const c of idat) {
    joined.set(c, o);
    o += c.length;
  }
  const bpp = (channels * depth) / 8;
  const stride = width * bpp;
  const expected = height * (stride + 1);
  const raw = new Uint8Array(expected);
  let filled = 0;
  const inf = new Inflate({ chunkSize: 1 << 16 });
  inf.onData = (chunk: Uint8Array | ArrayBuffer) => {
    const c = chunk instanceof Uint8Array ? chunk : new Uint8Array(chunk);
    if (filled + c.length > expected)
      throw new FormatError(
        'DECOMPRESSED_SIZE_MISMATCH',
        `image data inflate to more than the ${expected} bytes IHDR implies`,
      );
    raw.set(c, filled);
    filled += c.length;
  };
  try {
    inf.push(joined, true);
  } catch (err) {
    if (err instanceof FormatError) throw err;
    throw new FormatError('CORRUPT_DATA', `zlib: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
    });
  }
  if (filled < expected) {
    if (inf.err !== 0) throw new FormatError('CORRUPT_DATA', `zlib: ${String(inf.msg || inf.err)}`);
    throw new FormatError('TRUNCATED', 'image data shorter than the header says');
  }
  const img = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const f = raw[y * (stride + 1)];
    const src = y * (stride + 1) + 1;
    const dst = y * stride;
    for (let x = 0; x < stride; x++) {
      const v = raw[src + x] as number;
      const a = x >= bpp ? (img[dst + x - bpp] as number) : 0;
      const b = y > 0 ? (img[dst - stride + x] as number) : 0;
      const c = x >= bpp && y > 0 ? (img[dst - stride + x - bpp] as number) : 0;
      let r: number;
      if (f === 0) r = v;
      else if (f === 1) r = v + a;
      else if (f === 2) r = v + b;
      else if (f === 3) r = v + ((a + b) >> 1);
      else if (f === 4) r = v + paeth(a, b, c);
      else throw new FormatError('CORRUPT_DATA', `unknown filter ${f} on row ${y}`);
      img[dst + x] = r & 255;
    }
  }
  const color = ctype === 2 || ctype === 6 || ctype === 3;
  const samples = color ? 3 : 1;
  const n = width * height;
  const data = depth === 16 ? new Uint16Array(n * samples) : new Uint8Array(n * samples);
  for (let i = 0; i < n; i++) {
    for (let s = 0; s < samples; s++) {
      if (ctype === 3) {
        const idx = img[i] as number;
        data[i * 3 + s] = palette?.[idx * 3 + s] ?? 0;
      } else if (depth === 16) {
        const p = (i * channels + s) * 2;
        data[i * samples + s] = ((img[p] as number) << 8) | (img[p + 1] as number);
      } else data[i * samples + s] = img[i * channels + s] as number;
    }
  }
  return { width, height, samples, bitDepth: depth as 8 | 16, data };
}

/** The tEXt chunks of a PNG (keyword -> Latin-1 text), e.g. tilesr's provenance; {} for non-PNG bytes. */
export function readPngText(bytes: Uint8Array): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isPng(bytes)) return out;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let pos = 8; pos + 12 <= bytes.length;) {
    const len = dv.getUint32(pos);
    const type = String.fromCharCode(...bytes.subarray(pos + 4, pos + 8));
    if (type === 'IEND' || pos + 12 + len > bytes.length) break;
    if (type === 'tEXt') {
      const body = bytes.subarray(pos + 8, pos + 8 + len);
      const nul = body.indexOf(0);
      if (nul > 0) {
        const latin1 = (b: Uint8Array) => Array.from(b, (c) => String.fromCharCode(c)).join('');
        out[latin1(body.subarray(0, nul))] = latin1(body.subarray(nul + 1));
      }
    }
    pos += 12 + len;
  }
  return out;
}
