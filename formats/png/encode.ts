/**
 * A minimal PNG encoder (gray/RGB/RGBA, 8 or 16 bits, zlib via pako) with tEXt chunks, so exports
 * carry their provenance inside the file. No DOM, no Node APIs: runs in browsers and Node alike.
 */
import { deflate } from 'pako';
import { crc32, paeth, PNG_SIGNATURE } from './common.ts';

/** Pixels to encode: row-major, pixel-interleaved. 16-bit data are host numbers, written big-endian. */
export interface PngImage {
  width: number;
  height: number;
  /** 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA. */
  channels: 1 | 2 | 3 | 4;
  data: Uint8Array | Uint16Array;
}

const COLOR_TYPE = { 1: 0, 2: 4, 3: 2, 4: 6 } as const;

/** One PNG chunk: length, type, body, CRC-32 over type + body. */
export function pngChunk(type: string, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + body.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, body.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(body, 8);
  dv.setUint32(8 + body.length, crc32(out.subarray(4, 8 + body.length)));
  return out;
}

/** Latin-1 bytes; PNG tEXt allows nothing else, so other characters become '?'. */
function latin1(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    out[i] = c < 256 ? c : 0x3f;
  }
  return out;
}

/** JSON with every non-ASCII character escaped, so it survives a Latin-1 tEXt chunk unchanged. */
export function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** Filters each row with the filter giving the smallest sum of |bytes| (the spec's heuristic). */
function filterRows(raw: Uint8Array, rowBytes: number, bpp: number, rows: number): Uint8Array {
  const out = new Uint8Array(rows * (rowBytes + 1));
  const cand = Array.from({ length: 5 }, () => new Uint8Array(rowBytes));
  for (let y = 0; y < rows; y++) {
    const cur = raw.subarray(y * rowBytes, (y + 1) * rowBytes);
    const prev = y > 0 ? raw.subarray((y - 1) * rowBytes, y * rowBytes) : new Uint8Array(rowBytes);
    let best = 0;
    let bestScore = Infinity;
    for (let f = 0; f < 5; f++) {
      const row = cand[f] as Uint8Array;
      let score = 0;
      for (let i = 0; i < rowBytes; i++) {
        const x = cur[i] as number;
        const a = i >= bpp ? (cur[i - bpp] as number) : 0;
        const b = prev[i] as number;
        const c = i >= bpp ? (prev[i - bpp] as number) : 0;
        const pred = f === 0 ? 0 : f === 1 ? a : f === 2 ? b : f === 3 ? (a + b) >> 1 : paeth(a, b, c);
        const v = (x - pred) & 0xff;
        row[i] = v;
        score += v < 128 ? v : 256 - v;
      }
      if (score < bestScore) {
        bestScore = score;
        best = f;
      }
    }
    out[y * (rowBytes + 1)] = best;
    out.set(cand[best] as Uint8Array, y * (rowBytes + 1) + 1);
  }
  return out;
}

/** Encodes a PNG; `text` entries become tEXt chunks (keyword -> Latin-1 text). */
export function encodePng(img: PngImage, text: Record<string, string> = {}): Uint8Array {
  const depth = img.data instanceof Uint16Array ? 16 : 8;
  const { width, height, channels } = img;
  if (img.data.length !== width * height * channels)
    throw new RangeError(`PNG data has ${img.data.length} samples, expected ${width}x${height}x${channels}`);
  const bpp = channels * (depth / 8);
  const rowBytes = width * bpp;
  let raw: Uint8Array;
  if (depth === 16) {
    raw = new Uint8Array(img.data.length * 2);
    for (let i = 0; i < img.data.length; i++) {
      const v = img.data[i] as number;
      raw[2 * i] = v >>> 8;
      raw[2 * i + 1] = v & 0xff;
    }
  } else raw = img.data as Uint8Array;
  const ihdr = new Uint8Array(13);
  const dv = new DataView(ihdr.buffer);
  dv.setUint32(0, width);
  dv.setUint32(4, height);
  ihdr.set([depth, COLOR_TYPE[channels], 0, 0, 0], 8);
  const parts = [
    Uint8Array.from(PNG_SIGNATURE),
    pngChunk('IHDR', ihdr),
    ...Object.entries(text).map(([k, v]) => {
      if (!/^[\x20-\x7e]{1,79}$/.test(k)) throw new RangeError(`bad PNG tEXt keyword "${k}"`);
      const kb = latin1(k);
      const vb = latin1(v);
      const body = new Uint8Array(kb.length + 1 + vb.length);
      body.set(kb, 0);
      body.set(vb, kb.length + 1);
      return pngChunk('tEXt', body);
    }),
    pngChunk('IDAT', deflate(filterRows(raw, rowBytes, bpp, height), { level: 6 })),
    pngChunk('IEND', new Uint8Array(0)),
  ];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let pos = 0;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}
