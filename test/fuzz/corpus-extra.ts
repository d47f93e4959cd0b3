/**
 * The second half of the seeded corpus, PNG: hostile inputs to `tilesr metrics` made from small PNG
 * seeds written with the repo's own encoder (every colour type and depth it writes, plus a palette
 * PNG built by hand). The .npy cases are in npy-mutants.ts and the external-model cases (a JSON card
 * plus its .onnx bytes for `loadExternalModel` / `--model-file`) in model-mutants.ts. Extra case `i`
 * of seed `s` is always the same bytes; `Corpus(s).extraCase(i)` rebuilds it.
 */
import { deflate } from 'pako';
import { encodePng, pngChunk, type PngImage } from '../../formats/png/encode.ts';
import { bitFlips, bomb, concat, deflateBomb, int, pick, truncateRandom } from './mutate.ts';
import type { Mutant, Rand, SeedFile } from './mutate.ts';

/** Small PNGs: gray/gray+alpha/RGB/RGBA at 8 and 16 bits, plus a palette PNG built by hand. */
export function pngSeeds(): SeedFile[] {
  const out: SeedFile[] = [];
  for (const channels of [1, 2, 3, 4] as const)
    for (const depth of [8, 16] as const) {
      const w = 17 + channels * 5;
      const h = 13 + depth / 4;
      const n = w * h * channels;
      const data = depth === 16 ? new Uint16Array(n) : new Uint8Array(n);
      for (let i = 0; i < n; i++)
        data[i] = ((i * 2654435761) >>> (depth === 16 ? 8 : 20)) & (depth === 16 ? 0xffff : 0xff);
      const img: PngImage = { width: w, height: h, channels, data };
      out.push({
        path: `png:${w}x${h}x${channels}@${depth}`,
        bytes: encodePng(img, { Software: 'tilesr fuzz' }),
      });
    }
  out.push({ path: 'png:palette 16x9', bytes: palettePng(16, 9) });
  return out;
}

const PNG_SIG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function ihdr(w: number, h: number, depth: number, ctype: number, interlace = 0): Uint8Array {
  const b = new Uint8Array(13);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, w >>> 0);
  dv.setUint32(4, h >>> 0);
  b.set([depth, ctype, 0, 0, interlace], 8);
  return b;
}

function palettePng(w: number, h: number): Uint8Array {
  const plte = new Uint8Array(16 * 3).map((_, i) => (i * 37) & 255);
  const raw = new Uint8Array(h * (w + 1));
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) raw[y * (w + 1) + 1 + x] = (x + y) & 15;
  return concat([
    PNG_SIG,
    pngChunk('IHDR', ihdr(w, h, 8, 3)),
    pngChunk('PLTE', plte),
    pngChunk('IDAT', deflate(raw)),
    pngChunk('IEND', new Uint8Array(0)),
  ]);
}

interface PngChunkPos {
  at: number;
  len: number;
  type: string;
}

function pngChunks(b: Uint8Array): PngChunkPos[] {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const out: PngChunkPos[] = [];
  for (let at = 8; at + 12 <= b.length;) {
    const len = dv.getUint32(at);
    out.push({ at, len, type: String.fromCharCode(...b.subarray(at + 4, at + 8)) });
    at += 12 + len;
  }
  return out;
}
const HUGE = [0, 1, 2, 255, 256, 65535, 65536, 2 ** 20, 2 ** 24, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1];

/** A mutation of PNG seed `s`: bits, cuts, chunk lengths/CRCs/order, IHDR fields, zlib bombs, garbage. */
export function mutatePng(r: Rand, s: SeedFile, bombs: Map<string, Uint8Array>): Mutant {
  const b = s.bytes;
  const chunks = pngChunks(b);
  const dv = (x: Uint8Array) => new DataView(x.buffer, x.byteOffset, x.byteLength);
  const k = int(r, 11);
  if (k === 0) return bitFlips(r, b);
  if (k === 1) return truncateRandom(r, b);
  if (k === 2) {
    const c = pick(r, chunks);
    const n = c.at + pick(r, [0, 4, 8, 8 + (c.len >> 1), 8 + c.len, 11 + c.len]);
    return { kind: 'truncate-boundary', detail: `cut in ${c.type} at ${n}`, bytes: b.slice(0, n) };
  }
  if (k === 3) {
    const c = pick(r, chunks);
    const v = r() < 0.5 ? pick(r, HUGE) : int(r, c.len * 2 + 2);
    const out = b.slice();
    dv(out).setUint32(c.at, v >>> 0);
    return { kind: 'png-chunk-length', detail: `length of ${c.type} -> ${v}`, bytes: out };
  }
  if (k === 4) {
    // IHDR fields: width, height, depth, colour type, interlace
    const out = b.slice();
    const field = pick(r, ['width', 'height', 'depth', 'ctype', 'interlace'] as const);
    let v: number;
    if (field === 'width' || field === 'height') {
      v = r() < 0.6 ? pick(r, HUGE) : int(r, 64);
      dv(out).setUint32(field === 'width' ? 16 : 20, v >>> 0);
    } else {
      v = r() < 0.5 ? pick(r, [0, 1, 2, 3, 4, 5, 6, 7, 8, 16, 32, 255]) : int(r, 256);
      out[{ depth: 24, ctype: 25, interlace: 28 }[field]] = v;
    }
    return { kind: 'png-ihdr', detail: `IHDR ${field} -> ${v}`, bytes: out };
  }
  if (k === 5) {
    // drop, duplicate or swap chunks
    const i = int(r, chunks.length);
    const c = chunks[i] as PngChunkPos;
    const body = b.subarray(c.at, c.at + 12 + c.len);
    const op = pick(r, ['drop', 'duplicate', 'move-first'] as const);
    const rest = concat([b.subarray(0, c.at), b.subarray(c.at + 12 + c.len)]);
    const bytes =
      op === 'drop'
        ? rest
        : op === 'duplicate'
          ? concat([b.subarray(0, c.at + 12 + c.len), body, b.subarray(c.at + 12 + c.len)])
          : concat([PNG_SIG, body, rest.subarray(8)]);
    return { kind: 'png-chunk-order', detail: `${op} ${c.type}`, bytes };
  }
  if (k === 6) {
    // IDAT re-encoded with a bomb: a few KiB that inflate to 64-256 MiB, small declared size
    const size = pick(r, [64, 128, 256]) * 2 ** 20;
    const key = `zlib-${size}`;
    const payload = bomb(bombs, key, () => deflateBomb(size, false));
    const parts: Uint8Array[] = [PNG_SIG];
    for (const c of chunks)
      if (c.type === 'IDAT') continue;
      else if (c.type === 'IEND') parts.push(pngChunk('IDAT', payload), b.subarray(c.at, c.at + 12 + c.len));
      else parts.push(b.subarray(c.at, c.at + 12 + c.len));
    return { kind: 'bomb-zlib', detail: `IDAT inflates to ${size / 2 ** 20} MiB`, bytes: concat(parts) };
  }
  if (k === 7) {
    // re-encoded scanlines: random filter bytes, too few/many rows
    const w = int(r, 40) + 1;
    const h = int(r, 40) + 1;
    const depth = pick(r, [8, 16]);
    const ctype = pick(r, [0, 2, 3, 4, 6]);
    const ch = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 }[ctype] as number;
    const stride = (w * ch * depth) / 8;
    const rows = h + pick(r, [0, 0, -1, 1, -h]);
    const raw = new Uint8Array(Math.max(0, rows) * (stride + 1)).map((_, i) => (i * 131) & 255);
    for (let y = 0; y < rows; y++) raw[y * (stride + 1)] = r() < 0.8 ? int(r, 5) : int(r, 256);
    const bytes = concat([
      PNG_SIG,
      pngChunk('IHDR', ihdr(w, h, ctype === 3 ? 8 : depth, ctype)),
      ...(ctype === 3 && r() < 0.7 ? [pngChunk('PLTE', new Uint8Array(int(r, 20) * 3))] : []),
      pngChunk('IDAT', deflate(raw)),
      pngChunk('IEND', new Uint8Array(0)),
    ]);
    return {
      kind: 'png-scanlines',
      detail: `${w}x${h} ctype ${ctype} depth ${depth}, ${rows} rows`,
      bytes,
    };
  }
  if (k === 8) {
    // IDAT payload bit flips only (zlib stream corrupted, headers intact)
    const idat = chunks.filter((c) => c.type === 'IDAT');
    const c = pick(r, idat.length > 0 ? idat : chunks);
    const out = b.slice();
    const n = 1 + int(r, 6);
    const at: number[] = [];
    for (let j = 0; j < n; j++) {
      const p = c.at + 8 + int(r, Math.max(1, c.len));
      if (p < out.length) {
        at.push(p);
        out[p] = (out[p] as number) ^ (1 << int(r, 8));
      }
    }
    return { kind: 'png-idat', detail: `bits at ${at.join(',')} in ${c.type}`, bytes: out };
  }
  if (k === 9) {
    // a short IHDR (len < 13) at the very end of the file
    const len = int(r, 13);
    const body = ihdr(int(r, 100) + 1, int(r, 100) + 1, 8, 0).subarray(0, len);
    const bytes = concat([PNG_SIG, pngChunk('IHDR', body).subarray(0, 8 + len + int(r, 5))]);
    return { kind: 'png-short-ihdr', detail: `IHDR of ${len} bytes`, bytes };
  }
  // random bytes after a valid signature
  const n = int(r, 200);
  const tail = new Uint8Array(n).map(() => int(r, 256));
  return {
    kind: 'png-garbage',
    detail: `${n} random bytes after the signature`,
    bytes: concat([PNG_SIG, tail]),
  };
}
