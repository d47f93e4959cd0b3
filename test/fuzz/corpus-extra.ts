/**
 * The second half of the seeded corpus: hostile inputs to `tilesr metrics` (PNG and .npy files) and
 * to the external-model path (`loadExternalModel` / `--model-file`: a JSON card plus its .onnx
 * bytes). Seeds are small PNG/.npy images made with the repo's own encoders (every colour type and
 * dtype they write) and the shipped model cards and weights. Extra case `i` of seed `s` is always
 * the same bytes; `Corpus(s).extraCase(i)` rebuilds it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflate, Deflate } from 'pako';
import { encodePng, pngChunk, type PngImage } from '../../formats/png/encode.ts';
import { encodeNpy, type NdArray } from '../../formats/npy.ts';
import type { SampleType } from '../../formats/raster.ts';

type Rand = () => number;
const int = (r: Rand, n: number): number => Math.floor(r() * n);
function pick<T>(r: Rand, xs: readonly T[]): T {
  return xs[int(r, xs.length)] as T;
}

/** A generated input of the extra formats. */
export interface ExtraMutant {
  kind: string;
  detail: string;
  /** PNG/.npy: the file; model: the card JSON. */
  bytes: Uint8Array;
  /** Model cases: the weights written next to the card as `model.onnx`. */
  onnx?: Uint8Array;
}

interface Seed {
  path: string;
  bytes: Uint8Array;
}

/** Small PNGs: gray/gray+alpha/RGB/RGBA at 8 and 16 bits, plus a palette PNG built by hand. */
export function pngSeeds(): Seed[] {
  const out: Seed[] = [];
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

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
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

/** Small .npy arrays: every dtype, 2-D and 3-D. */
export function npySeeds(): Seed[] {
  const ctor: Record<SampleType, new (n: number) => NdArray['data']> = {
    uint8: Uint8Array,
    int8: Int8Array,
    uint16: Uint16Array,
    int16: Int16Array,
    uint32: Uint32Array,
    int32: Int32Array,
    float32: Float32Array,
    float64: Float64Array,
  };
  const out: Seed[] = [];
  for (const dtype of Object.keys(ctor) as SampleType[])
    for (const shape of [
      [32, 24],
      [24, 16, 3],
    ]) {
      const n = shape.reduce((p, d) => p * d, 1);
      const data = new ctor[dtype](n);
      for (let i = 0; i < n; i++) data[i] = (i * 7) % 100;
      out.push({ path: `npy:${dtype} ${shape.join('x')}`, bytes: encodeNpy({ shape, dtype, data }) });
    }
  return out;
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

function bitFlips(r: Rand, b: Uint8Array): ExtraMutant {
  const out = b.slice();
  const n = 1 + int(r, 8);
  const at: number[] = [];
  for (let k = 0; k < n; k++) {
    const p = int(r, out.length);
    at.push(p);
    out[p] = (out[p] as number) ^ (1 << int(r, 8));
  }
  return { kind: 'bitflip', detail: `bits at ${at.join(',')}`, bytes: out };
}

const HUGE = [0, 1, 2, 255, 256, 65535, 65536, 2 ** 20, 2 ** 24, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1];

/** Streams `size` zero bytes through zlib without holding them all. */
function zlibBomb(size: number): Uint8Array {
  const d = new Deflate({ level: 9 });
  const chunk = new Uint8Array(1 << 20);
  for (let done = 0; done < size; done += chunk.length) d.push(chunk, done + chunk.length >= size);
  return d.result;
}

export function mutatePng(r: Rand, s: Seed, bombs: Map<string, Uint8Array>): ExtraMutant {
  const b = s.bytes;
  const chunks = pngChunks(b);
  const dv = (x: Uint8Array) => new DataView(x.buffer, x.byteOffset, x.byteLength);
  const k = int(r, 11);
  if (k === 0) return bitFlips(r, b);
  if (k === 1) {
    const n = int(r, b.length);
    return { kind: 'truncate-random', detail: `cut at ${n}`, bytes: b.slice(0, n) };
  }
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
    let bomb = bombs.get(key);
    if (!bomb) {
      bomb = zlibBomb(size);
      bombs.set(key, bomb);
    }
    const parts: Uint8Array[] = [PNG_SIG];
    for (const c of chunks)
      if (c.type === 'IDAT') continue;
      else if (c.type === 'IEND') parts.push(pngChunk('IDAT', bomb), b.subarray(c.at, c.at + 12 + c.len));
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

function npyHeaderAt(b: Uint8Array): { start: number; len: number; text: string } {
  const major = b[6] ?? 1;
  const start = major === 1 ? 10 : 12;
  const len = new DataView(b.buffer, b.byteOffset, b.byteLength).getUint16(8, true);
  return { start, len, text: new TextDecoder().decode(b.subarray(start, start + len)) };
}

/** Rebuilds a .npy (version 1) with the given header text and body. */
function npyWith(header: string, body: Uint8Array, major = 1): Uint8Array {
  const h = new TextEncoder().encode(header);
  const start = major === 1 ? 10 : 12;
  const out = new Uint8Array(start + h.length + body.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, major, 0], 0);
  const dv = new DataView(out.buffer);
  if (major === 1) dv.setUint16(8, h.length & 0xffff, true);
  else dv.setUint32(8, h.length, true);
  out.set(h, start);
  out.set(body, start + h.length);
  return out;
}

const DESCRS = [
  '|u1',
  '|i1',
  '<u2',
  '<i2',
  '<u4',
  '<i4',
  '<f4',
  '<f8',
  '>f4',
  '>u2',
  '<f2',
  '<c8',
  '|b1',
  '<U4',
  '|O',
  '<i8',
  '<u8',
  '',
  "'",
];
const SHAPES = [
  '()',
  '(0,)',
  '(0, 5)',
  '(5, 0)',
  '(-1, 4)',
  '(1.5, 2)',
  '(2, 2.5)',
  '(1e3, 2)',
  '(NaN, 2)',
  '(3, 4)',
  '(3, 4, 3)',
  '(3, 4, 5, 6)',
  '(1, 1, 1, 1, 1, 1, 1, 1)',
  '(65536, 65536)',
  '(4294967296, 4294967296)',
  '(99999999999999999999, 1)',
  '(2, , 3)',
  '(0x10, 2)',
  '(3, 4',
  '[3, 4]',
];

export function mutateNpy(r: Rand, s: Seed): ExtraMutant {
  const b = s.bytes;
  const h = npyHeaderAt(b);
  const body = b.subarray(h.start + h.len);
  const k = int(r, 9);
  if (k === 0) return bitFlips(r, b);
  if (k === 1) {
    const n = int(r, b.length);
    return { kind: 'truncate-random', detail: `cut at ${n}`, bytes: b.slice(0, n) };
  }
  if (k === 2) {
    const d = pick(r, DESCRS);
    const text = h.text.replace(/'descr':\s*'[^']*'/, `'descr': '${d}'`);
    return { kind: 'npy-descr', detail: `descr -> ${d}`, bytes: npyWith(text, body) };
  }
  if (k === 3) {
    const sh = pick(r, SHAPES);
    const text = h.text.replace(/'shape':\s*\([^)]*\)/, `'shape': ${sh}`);
    return { kind: 'npy-shape', detail: `shape -> ${sh}`, bytes: npyWith(text, body) };
  }
  if (k === 4) {
    const text = h.text.replace('False', pick(r, ['True', 'Flase', '1', '']));
    return { kind: 'npy-fortran', detail: 'fortran_order changed', bytes: npyWith(text, body) };
  }
  if (k === 5) {
    const out = b.slice();
    const v = r() < 0.5 ? pick(r, [0, 1, 9, 10, 0xffff]) : int(r, 0x10000);
    new DataView(out.buffer).setUint16(8, v, true);
    return { kind: 'npy-header-length', detail: `HEADER_LEN -> ${v}`, bytes: out };
  }
  if (k === 6) {
    const major = pick(r, [0, 2, 3, 4, 255]);
    const out = r() < 0.5 ? npyWith(h.text, body, major === 2 || major === 3 ? major : 1) : b.slice();
    out[6] = major;
    const cut = r() < 0.3 ? 6 + int(r, 8) : out.length;
    return { kind: 'npy-version', detail: `version ${major}, cut at ${cut}`, bytes: out.slice(0, cut) };
  }
  if (k === 7) {
    // body shorter or longer than the shape says
    const cut = int(r, body.length + 1);
    const extra = r() < 0.3 ? new Uint8Array(int(r, 64)) : new Uint8Array(0);
    return {
      kind: 'npy-body-length',
      detail: `body ${cut} of ${body.length} bytes + ${extra.length}`,
      bytes: concat([b.subarray(0, h.start + h.len), body.subarray(0, cut), extra]),
    };
  }
  // header replaced by garbage text / non-UTF-8
  const n = int(r, 120);
  const junk =
    r() < 0.5
      ? String.fromCharCode(...Array.from({ length: n }, () => 32 + int(r, 95)))
      : new TextDecoder('latin1').decode(new Uint8Array(n).map(() => int(r, 256)));
  return { kind: 'npy-header-garbage', detail: `${n} random header chars`, bytes: npyWith(junk, body) };
}

/** Model seeds: three shipped x2 cards with their weights (5 MiB each). */
export function modelSeeds(): { path: string; card: Record<string, unknown>; onnx: Uint8Array }[] {
  const dir = join('models', 'weights');
  return ['medical_x2_fidelity', 'medical_x2_perceptual', 'satellite_x2_fidelity'].map((key) => {
    const card = JSON.parse(readFileSync(join(dir, `${key}.json`), 'utf8')) as Record<string, unknown>;
    const o = card['onnx'] as Record<string, unknown>;
    const onnx = new Uint8Array(readFileSync(join(dir, String(o['file']))));
    // the worker writes the weights next to the card as model.onnx
    card['onnx'] = { ...o, file: 'model.onnx' };
    return { path: join(dir, `${key}.json`), card, onnx };
  });
}

const CARD_FIELDS = [
  'name',
  'domain',
  'scale',
  'phase',
  'params',
  'architecture',
  'normalization',
  'degradation',
  'losses',
  'iterations',
  'val_psnr',
  'bicubic_psnr',
  'receptive_field_lr_px',
  'receptive_field_method',
  'onnx',
  'onnx.file',
  'onnx.sha256',
  'onnx.bytes',
  'onnx.opset',
  'onnx.input',
  'onnx.output',
  'onnx.ops',
  'normalization.range_rule',
];
const ODD_VALUES: unknown[] = [
  null,
  0,
  -1,
  1e308,
  '',
  'x',
  [],
  {},
  true,
  '../../package.json',
  '/etc/passwd',
  'a'.repeat(10_000),
];

function setPath(obj: Record<string, unknown>, path: string, v: unknown, del: boolean): void {
  const [a, b] = path.split('.') as [string, string | undefined];
  if (b === undefined) {
    if (del) delete obj[a];
    else obj[a] = v;
    return;
  }
  const inner = obj[a];
  if (typeof inner !== 'object' || inner === null) return;
  const copy = { ...(inner as Record<string, unknown>) };
  if (del) delete copy[b];
  else copy[b] = v;
  obj[a] = copy;
}

export function mutateModel(r: Rand, s: { card: Record<string, unknown>; onnx: Uint8Array }): ExtraMutant {
  const card = structuredClone(s.card);
  const enc = (c: unknown) => new TextEncoder().encode(JSON.stringify(c));
  const k = int(r, 10);
  if (k === 0)
    return {
      kind: 'model-intact',
      detail: 'card and weights unchanged',
      bytes: enc(card),
      onnx: s.onnx.slice(),
    };
  if (k === 1) {
    const f = pick(r, CARD_FIELDS);
    setPath(card, f, undefined, true);
    return { kind: 'card-missing-field', detail: `no ${f}`, bytes: enc(card), onnx: s.onnx.slice() };
  }
  if (k === 2) {
    const f = pick(r, CARD_FIELDS);
    const v = pick(r, ODD_VALUES);
    setPath(card, f, v, false);
    const shown =
      typeof v === 'string' && v.length > 20 ? `"${v.slice(0, 8)}..." (${v.length})` : JSON.stringify(v);
    return { kind: 'card-field-value', detail: `${f} -> ${shown}`, bytes: enc(card), onnx: s.onnx.slice() };
  }
  if (k === 3) {
    const text = JSON.stringify(card);
    const op = pick(r, ['truncate', 'flip', 'not-json', 'deep', 'array', 'bom'] as const);
    let bytes: Uint8Array;
    if (op === 'truncate') bytes = new TextEncoder().encode(text.slice(0, int(r, text.length)));
    else if (op === 'flip') bytes = bitFlips(r, new TextEncoder().encode(text)).bytes;
    else if (op === 'not-json') bytes = new Uint8Array(int(r, 300)).map(() => int(r, 256));
    else if (op === 'deep') bytes = new TextEncoder().encode('['.repeat(200_000) + ']'.repeat(200_000));
    else if (op === 'array') bytes = enc([card]);
    else bytes = new TextEncoder().encode('\ufeff' + text);
    return { kind: 'card-bytes', detail: op, bytes, onnx: s.onnx.slice() };
  }
  if (k === 4) {
    // a sha256 that is well-formed but not the weights'
    const o = card['onnx'] as Record<string, unknown>;
    const sha = String(o['sha256']);
    const i = int(r, 64);
    const swapped = sha.slice(0, i) + (sha[i] === '0' ? '1' : '0') + sha.slice(i + 1);
    const bad = pick(r, [swapped, sha.toUpperCase(), sha.slice(0, 63), `${sha}0`, 'f'.repeat(64)]);
    card['onnx'] = { ...o, sha256: bad };
    return {
      kind: 'card-sha256',
      detail: `sha256 -> ${bad.slice(0, 12)}...`,
      bytes: enc(card),
      onnx: s.onnx.slice(),
    };
  }
  if (k === 5) {
    const out = bitFlips(r, s.onnx);
    return { kind: 'onnx-bitflip', detail: out.detail, bytes: enc(card), onnx: out.bytes };
  }
  if (k === 6) {
    const n = int(r, s.onnx.length);
    return {
      kind: 'onnx-truncate',
      detail: `weights cut at ${n}`,
      bytes: enc(card),
      onnx: s.onnx.slice(0, n),
    };
  }
  if (k === 7) {
    // oversized: the weights plus up to 64 MiB more (the card's byte count is checked before reading)
    const extra = pick(r, [1, 4096, 2 ** 20, 2 ** 24, 2 ** 26]);
    const out = new Uint8Array(s.onnx.length + extra);
    out.set(s.onnx);
    return { kind: 'onnx-oversized', detail: `weights + ${extra} bytes`, bytes: enc(card), onnx: out };
  }
  if (k === 8) {
    const what = pick(r, ['empty', 'random', 'png'] as const);
    const onnx =
      what === 'empty'
        ? new Uint8Array(0)
        : what === 'random'
          ? new Uint8Array(int(r, 4096)).map(() => int(r, 256))
          : (pngSeeds()[0] as Seed).bytes;
    return { kind: 'onnx-replaced', detail: `weights -> ${what}`, bytes: enc(card), onnx };
  }
  // the weights file is missing or points elsewhere
  const o = card['onnx'] as Record<string, unknown>;
  const file = pick(r, [
    'missing.onnx',
    '',
    '.',
    'model.onnx/',
    '%2e%2e/x.onnx',
    'file:///nonexistent/x.onnx',
  ]);
  card['onnx'] = { ...o, file };
  return { kind: 'card-file', detail: `onnx.file -> "${file}"`, bytes: enc(card), onnx: s.onnx.slice() };
}
