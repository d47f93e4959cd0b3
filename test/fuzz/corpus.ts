/**
 * The seeded hostile-input corpus: mutations of the real DICOM and TIFF fixtures (truncations at
 * structural boundaries, bit flips, corrupted lengths/VRs/attributes, wrong transfer syntaxes,
 * deep sequence nesting, huge declared sizes, IFD cycles, offsets past the end, bad tile sizes and
 * compression values, Deflate/ZSTD/LZMA bombs). Case `i` of seed `s` is always the same bytes.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Deflate } from 'pako';
import { modelSeeds, mutateModel, mutateNpy, mutatePng, npySeeds, pngSeeds } from './corpus-extra.ts';
import { walkDicom, walkTiff, type DicomSeedStructure, type TiffSeedStructure } from './structure.ts';

/** One generated input. */
export interface FuzzCase {
  index: number;
  format: 'dicom' | 'tiff' | 'png' | 'npy' | 'model';
  seedFile: string;
  /** Mutation family, e.g. 'truncate-boundary', 'tiff-tag', 'bomb-zstd'. */
  kind: string;
  /** What exactly was changed, for reproducing a failure by hand. */
  detail: string;
  bytes: Uint8Array;
  /** Model cases: the weights written next to the card (`bytes`) as model.onnx. */
  onnx?: Uint8Array;
}

/** mulberry32: small, fast, reproducible. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rand = () => number;
const int = (r: Rand, n: number): number => Math.floor(r() * n);
function pick<T>(r: Rand, xs: readonly T[]): T {
  return xs[int(r, xs.length)] as T;
}

/** Seed files: every DICOM and TIFF fixture up to `maxBytes` (big ones only slow the run down). */
export function seedFiles(maxBytes = 400_000): { dicom: string[]; tiff: string[] } {
  const list = (dir: string, re: RegExp): string[] =>
    readdirSync(dir)
      .filter((f) => re.test(f))
      .map((f) => join(dir, f))
      .filter((p) => statSync(p).size <= maxBytes)
      .sort();
  return {
    dicom: list(join('fixtures', 'dicom'), /\.dcm$/),
    tiff: list(join('fixtures', 'geotiff'), /\.tiff?$/),
  };
}

interface Seed<S> {
  path: string;
  bytes: Uint8Array;
  structure: S;
}

/** Generates case `index` of a corpus, alternating DICOM and TIFF. */
export class Corpus {
  private readonly dicom: Seed<DicomSeedStructure>[];
  private readonly tiff: Seed<TiffSeedStructure>[];
  private readonly bombs = new Map<string, Uint8Array>();

  constructor(
    readonly seed: number,
    files = seedFiles(),
  ) {
    this.dicom = files.dicom.map((path) => {
      const bytes = new Uint8Array(readFileSync(path));
      return { path, bytes, structure: walkDicom(bytes) };
    });
    this.tiff = files.tiff.map((path) => {
      const bytes = new Uint8Array(readFileSync(path));
      return { path, bytes, structure: walkTiff(bytes) };
    });
  }

  /** Case `index`: even indices DICOM, odd TIFF. */
  case(index: number): FuzzCase {
    const r = rng((this.seed * 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b));
    if (index % 2 === 0) {
      const s = pick(r, this.dicom);
      const { kind, detail, bytes } = mutateDicom(r, s, this.bombs);
      return { index, format: 'dicom', seedFile: s.path, kind, detail, bytes };
    }
    const s = pick(r, this.tiff);
    const { kind, detail, bytes } = mutateTiff(r, s, this.bombs);
    return { index, format: 'tiff', seedFile: s.path, kind, detail, bytes };
  }

  private extraSeeds?: {
    png: ReturnType<typeof pngSeeds>;
    npy: ReturnType<typeof npySeeds>;
    model: ReturnType<typeof modelSeeds>;
  };

  /**
   * Extra case `index` (its own numbering, so DICOM/TIFF case numbers never move): inputs to
   * `metrics` and to the external-model path, in turn PNG, .npy, model (card + weights).
   */
  extraCase(index: number): FuzzCase {
    const r = rng((this.seed * 0x27d4eb2f) ^ Math.imul(index + 1, 0x165667b1));
    this.extraSeeds ??= { png: pngSeeds(), npy: npySeeds(), model: modelSeeds() };
    const seeds = this.extraSeeds;
    const which = index % 3;
    if (which === 0) {
      const s = pick(r, seeds.png);
      return { index, format: 'png', seedFile: s.path, ...mutatePng(r, s, this.bombs) };
    }
    if (which === 1) {
      const s = pick(r, seeds.npy);
      return { index, format: 'npy', seedFile: s.path, ...mutateNpy(r, s) };
    }
    const s = pick(r, seeds.model);
    return { index, format: 'model', seedFile: s.path, ...mutateModel(r, s) };
  }
}

interface Mutant {
  kind: string;
  detail: string;
  bytes: Uint8Array;
}

function bitFlips(r: Rand, b: Uint8Array, span = b.length): Mutant {
  const out = b.slice();
  const n = 1 + int(r, 8);
  const at: number[] = [];
  for (let k = 0; k < n; k++) {
    const p = int(r, span);
    at.push(p);
    out[p] = (out[p] as number) ^ (1 << int(r, 8));
  }
  return { kind: 'bitflip', detail: `bits at ${at.join(',')}`, bytes: out };
}

function truncateRandom(r: Rand, b: Uint8Array): Mutant {
  const n = int(r, b.length);
  return { kind: 'truncate-random', detail: `cut at ${n}`, bytes: b.slice(0, n) };
}

function writeUint(b: Uint8Array, at: number, bytes: number, v: number, le: boolean): void {
  if (at < 0 || at + bytes > b.length) return;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (bytes === 1) dv.setUint8(at, v & 0xff);
  else if (bytes === 2) dv.setUint16(at, v & 0xffff, le);
  else if (bytes === 4) dv.setUint32(at, v >>> 0, le);
  else dv.setBigUint64(at, BigInt(Math.max(0, Math.floor(v))), le);
}

function splice(b: Uint8Array, at: number, remove: number, insert: Uint8Array): Uint8Array {
  const out = new Uint8Array(b.length - remove + insert.length);
  out.set(b.subarray(0, at));
  out.set(insert, at);
  out.set(b.subarray(at + remove), at + insert.length);
  return out;
}

/** Streams `size` zero bytes through a compressor without holding them all. */
function deflateBomb(size: number, raw: boolean): Uint8Array {
  const d = new Deflate({ level: 9, raw });
  const chunk = new Uint8Array(1 << 20);
  for (let done = 0; done < size; done += chunk.length) d.push(chunk, done + chunk.length >= size);
  return d.result as Uint8Array;
}

function bomb(cache: Map<string, Uint8Array>, name: string, make: () => Uint8Array): Uint8Array {
  let b = cache.get(name);
  if (!b) cache.set(name, (b = make()));
  return b;
}

// ---------------------------------------------------------------------------------------- DICOM

const TS_UIDS = [
  '1.2.840.10008.1.2',
  '1.2.840.10008.1.2.1',
  '1.2.840.10008.1.2.2',
  '1.2.840.10008.1.2.1.99',
  '1.2.840.10008.1.2.4.50',
  '1.2.840.10008.1.2.4.51',
  '1.2.840.10008.1.2.4.57',
  '1.2.840.10008.1.2.4.70',
  '1.2.840.10008.1.2.4.80',
  '1.2.840.10008.1.2.4.81',
  '1.2.840.10008.1.2.4.90',
  '1.2.840.10008.1.2.4.91',
  '1.2.840.10008.1.2.4.201',
  '1.2.840.10008.1.2.5',
  '1.2.840.10008.1.2.4.100', // MPEG2: recognised, never decoded
  '1.2.3.4.5.6.7.8.9',
  '',
];
const VRS = [
  'OB',
  'OW',
  'SQ',
  'UN',
  'US',
  'SS',
  'UL',
  'FD',
  'CS',
  'DS',
  'IS',
  'UT',
  'OV',
  'SV',
  'XX',
  '\0\0',
];
const US_ATTRS: Record<number, string> = {
  0x00280002: 'SamplesPerPixel',
  0x00280006: 'PlanarConfiguration',
  0x00280010: 'Rows',
  0x00280011: 'Columns',
  0x00280100: 'BitsAllocated',
  0x00280101: 'BitsStored',
  0x00280102: 'HighBit',
  0x00280103: 'PixelRepresentation',
};
const US_VALUES = [0, 1, 2, 3, 4, 7, 8, 12, 15, 16, 17, 24, 31, 32, 33, 64, 255, 0x7fff, 0x8000, 0xffff];
const FRAME_VALUES = ['0', '-1', '2', '3', '100', '99999', '2147483647', '1e9', 'abc', ' ', '1.5'];
const PHOTOMETRICS = [
  'RGB',
  'PALETTE COLOR',
  'YBR_FULL_422',
  'YBR_FULL',
  'MONOCHROME1',
  'MONOCHROME2',
  'YBR_ICT',
  'YBR_RCT',
  'ARGB',
  'XYZ',
  '',
];
const LENGTHS = [0, 1, 2, 3, 0xfffe, 0xffff, 0x7fffffff, 0xffffffff, 0xfffffffe];

function mutateDicom(r: Rand, s: Seed<DicomSeedStructure>, bombs: Map<string, Uint8Array>): Mutant {
  const b = s.bytes;
  const els = s.structure.elements;
  const el = els.length > 0 ? pick(r, els) : undefined;
  const find = (tag: number) => els.find((e) => e.tag >>> 0 === tag);
  const family = int(r, 12);
  const hex = (t: number) => (t >>> 0).toString(16).padStart(8, '0');
  switch (family) {
    case 0: {
      // truncation at a structural boundary: tag, VR, length, value start, mid value, value end - 1
      if (!el) return truncateRandom(r, b);
      const cuts = [
        el.start,
        el.start + 2,
        el.vrAt,
        el.lengthAt,
        el.valueAt,
        el.valueAt + (el.length >>> 1),
        el.valueAt + el.length - 1,
      ].filter((c) => c > 0 && c < b.length);
      const cut = pick(r, cuts.length > 0 ? cuts : [int(r, b.length)]);
      return {
        kind: 'truncate-boundary',
        detail: `cut at ${cut} (element ${hex(el.tag)})`,
        bytes: b.slice(0, cut),
      };
    }
    case 1:
      return truncateRandom(r, b);
    case 2:
      return r() < 0.5 ? bitFlips(r, b, Math.min(b.length, 4096)) : bitFlips(r, b);
    case 3: {
      if (!el) return bitFlips(r, b);
      const out = b.slice();
      const v = pick(
        r,
        el.lengthBytes === 2
          ? [0, 1, 3, 0xfffe, 0xffff, el.length + 1, el.length - 1]
          : [...LENGTHS, el.length + 1, el.length - 1, b.length],
      );
      writeUint(out, el.lengthAt, el.lengthBytes, v, el.littleEndian);
      return { kind: 'dicom-length', detail: `length of ${hex(el.tag)} -> ${v}`, bytes: out };
    }
    case 4: {
      const explicit = els.filter((e) => e.vrAt > 0);
      if (explicit.length === 0) return bitFlips(r, b);
      const e = pick(r, explicit);
      const vr = pick(r, VRS);
      const out = b.slice();
      out[e.vrAt] = vr.charCodeAt(0);
      out[e.vrAt + 1] = vr.charCodeAt(1);
      return { kind: 'dicom-vr', detail: `VR of ${hex(e.tag)} -> ${JSON.stringify(vr)}`, bytes: out };
    }
    case 5: {
      // image attributes (US) to hostile values: huge rows/columns, 0 bits, odd bit depths...
      const present = Object.keys(US_ATTRS)
        .map(Number)
        .map(find)
        .filter((e) => e !== undefined);
      if (present.length === 0) return bitFlips(r, b);
      const out = b.slice();
      const changed: string[] = [];
      for (let k = 0, n = 1 + int(r, 2); k < n; k++) {
        const e = pick(r, present);
        const v = pick(r, US_VALUES);
        writeUint(out, e.valueAt, 2, v, e.littleEndian);
        changed.push(`${US_ATTRS[e.tag >>> 0]}=${v}`);
      }
      return { kind: 'dicom-attribute', detail: changed.join(' '), bytes: out };
    }
    case 6: {
      // Number of Frames / Photometric Interpretation as strings (in place, padded with spaces)
      const frames = find(0x00280008);
      const photo = find(0x00280004);
      const target = frames && (r() < 0.5 || !photo) ? frames : photo;
      if (!target) return bitFlips(r, b);
      const value = target === frames ? pick(r, FRAME_VALUES) : pick(r, PHOTOMETRICS);
      const out = b.slice();
      for (let i = 0; i < target.length; i++)
        out[target.valueAt + i] = i < value.length ? value.charCodeAt(i) : 0x20;
      return { kind: 'dicom-string', detail: `${hex(target.tag)} -> ${JSON.stringify(value)}`, bytes: out };
    }
    case 7: {
      // wrong transfer syntax in the meta header (length fixed up; the group length is left wrong)
      const ts = find(0x00020010);
      if (!ts) return bitFlips(r, b);
      let uid = pick(r, TS_UIDS);
      if (uid.length % 2 === 1) uid += '\0';
      const value = new Uint8Array([...uid].map((c) => c.charCodeAt(0)));
      const out = splice(b, ts.valueAt, ts.length, value);
      writeUint(out, ts.lengthAt, 2, value.length, true);
      return { kind: 'dicom-transfer-syntax', detail: `${s.structure.transferSyntax} -> ${uid}`, bytes: out };
    }
    case 8: {
      // encapsulated fragments and offset tables: lengths and offsets to hostile values
      const px = find(0x7fe00010);
      if (!px || px.length !== 0xffffffff) return dicomLengthOfPixelData(r, b, px);
      const out = b.slice();
      const dv = new DataView(out.buffer);
      const items: number[] = [];
      for (let p = px.valueAt; p + 8 <= out.length;) {
        if (dv.getUint16(p, true) !== 0xfffe) break;
        items.push(p);
        const len = dv.getUint32(p + 4, true);
        if (dv.getUint16(p + 2, true) === 0xe0dd) break;
        p += 8 + len;
      }
      if (items.length === 0) return bitFlips(r, b);
      const item = pick(r, items);
      const what = int(r, 3);
      if (what === 0 || item !== items[0]) {
        const v = pick(r, [0, 1, 3, 0x7fffffff, 0xffffffff, out.length]);
        writeUint(out, item + 4, 4, v, true);
        return { kind: 'dicom-fragment', detail: `item at ${item} length -> ${v}`, bytes: out };
      }
      const botLen = dv.getUint32(item + 4, true);
      if (what === 1 && botLen >= 4) {
        const v = pick(r, [0xffffffff, 1, out.length, 0x7fffffff]);
        writeUint(out, item + 8 + 4 * int(r, botLen / 4), 4, v, true);
        return { kind: 'dicom-offset-table', detail: `BOT entry -> ${v}`, bytes: out };
      }
      // delimiter removed: the sequence runs to the end of the file
      const last = items[items.length - 1] as number;
      return {
        kind: 'dicom-no-delimiter',
        detail: `sequence delimiter at ${last} removed`,
        bytes: out.slice(0, last),
      };
    }
    case 9:
      return deepNesting(r, s);
    case 10: {
      // undefined length on a defined-length element, without any delimiter
      const long = els.filter((e) => e.lengthBytes === 4 && e.length !== 0xffffffff);
      if (long.length === 0) return bitFlips(r, b);
      const e = pick(r, long);
      const out = b.slice();
      writeUint(out, e.lengthAt, 4, 0xffffffff, e.littleEndian);
      return { kind: 'dicom-undefined-length', detail: `${hex(e.tag)} length -> undefined`, bytes: out };
    }
    default: {
      // deflate bomb: a Deflated Explicit VR LE dataset that inflates to 256 MiB of zeros (or random
      // DICOM elements end to end for the non-deflated seeds: a header-only file claiming deflate)
      const ts = find(0x00020010);
      const meta = els.filter((e) => e.tag >>> 16 === 0x0002);
      const lastMeta = meta[meta.length - 1];
      if (!ts || !lastMeta) return bitFlips(r, b);
      const end = lastMeta.valueAt + lastMeta.length;
      const size = pick(r, [64, 256, 1024]) * 2 ** 20;
      const payload = bomb(bombs, `dicom-deflate-${size}`, () => deflateBomb(size, true));
      let head: Uint8Array = b.slice(0, end);
      const uid = '1.2.840.10008.1.2.1.99';
      const value = new Uint8Array([...uid].map((c) => c.charCodeAt(0)));
      head = splice(head, ts.valueAt, ts.length, value);
      writeUint(head, ts.lengthAt, 2, value.length, true);
      const out = new Uint8Array(head.length + payload.length);
      out.set(head);
      out.set(payload, head.length);
      return { kind: 'bomb-deflate', detail: `deflated dataset of ${size} zero bytes`, bytes: out };
    }
  }
}

function dicomLengthOfPixelData(
  r: Rand,
  b: Uint8Array,
  px: { lengthAt: number; lengthBytes: 2 | 4; littleEndian: boolean } | undefined,
): Mutant {
  if (!px) return bitFlips(r, b);
  const out = b.slice();
  const v = pick(r, [0, 1, 2, 0x7fffffff, 0xfffffffe, b.length]);
  writeUint(out, px.lengthAt, px.lengthBytes, v, px.littleEndian);
  return { kind: 'dicom-pixel-length', detail: `Pixel Data length -> ${v}`, bytes: out };
}

/** A private sequence nested `depth` items deep before the first element of group 0x0008+. */
function deepNesting(r: Rand, s: Seed<DicomSeedStructure>): Mutant {
  const b = s.bytes;
  if (s.structure.transferSyntax !== '1.2.840.10008.1.2.1') return bitFlips(r, b);
  const first = s.structure.elements.find((e) => e.tag >>> 16 > 0x0002);
  if (!first) return bitFlips(r, b);
  const depth = pick(r, [64, 1000, 10_000, 100_000]);
  const delimited = r() < 0.5;
  const sq = [0x09, 0x00, 0x10, 0x10, 0x53, 0x51, 0, 0, 0xff, 0xff, 0xff, 0xff]; // (0009,1010) SQ undefined
  const item = [0xfe, 0xff, 0x00, 0xe0, 0xff, 0xff, 0xff, 0xff];
  const itemEnd = [0xfe, 0xff, 0x0d, 0xe0, 0, 0, 0, 0];
  const seqEnd = [0xfe, 0xff, 0xdd, 0xe0, 0, 0, 0, 0];
  const open = [...sq, ...item];
  const close = [...itemEnd, ...seqEnd];
  const ins = new Uint8Array(depth * (open.length + (delimited ? close.length : 0)));
  for (let i = 0; i < depth; i++) ins.set(open, i * open.length);
  if (delimited) for (let i = 0; i < depth; i++) ins.set(close, depth * open.length + i * close.length);
  // a private tag must sort before the first dataset element to stay "in order": put it in front
  return {
    kind: 'dicom-deep-nesting',
    detail: `${depth} nested sequences${delimited ? '' : ' without delimiters'}`,
    bytes: splice(b, first.start, 0, ins),
  };
}

// ---------------------------------------------------------------------------------------- TIFF

const TIFF_TAG_VALUES: Record<number, [string, number[]]> = {
  254: ['NewSubfileType', [0, 1, 4, 5, 0xffffffff]],
  256: ['ImageWidth', [0, 1, 3, 65535, 1 << 20, 0x7fffffff, 0xffffffff]],
  257: ['ImageLength', [0, 1, 3, 65535, 1 << 20, 0x7fffffff, 0xffffffff]],
  258: ['BitsPerSample', [0, 1, 2, 4, 7, 12, 24, 32, 64, 128, 255, 65535]],
  259: [
    'Compression',
    [0, 1, 2, 5, 6, 7, 8, 32773, 32946, 34712, 34887, 34925, 50000, 50001, 50002, 99, 65535],
  ],
  262: ['PhotometricInterpretation', [0, 1, 2, 3, 4, 5, 6, 8, 9, 32844, 65535]],
  277: ['SamplesPerPixel', [0, 1, 2, 3, 4, 5, 255, 65535]],
  278: ['RowsPerStrip', [0, 1, 0x7fffffff, 0xffffffff]],
  284: ['PlanarConfiguration', [0, 1, 2, 3]],
  317: ['Predictor', [0, 1, 2, 3, 4, 99]],
  322: ['TileWidth', [0, 1, 15, 16, 17, 65535, 0xffffffff]],
  323: ['TileLength', [0, 1, 15, 16, 17, 65535, 0xffffffff]],
  338: ['ExtraSamples', [0, 1, 2, 3, 99]],
  339: ['SampleFormat', [0, 1, 2, 3, 4, 5, 6, 99]],
  530: ['YCbCrSubSampling', [0, 1, 2, 3, 4, 8]],
};
const OFFSET_TAGS = [273, 324]; // StripOffsets, TileOffsets
const COUNT_TAGS = [279, 325]; // StripByteCounts, TileByteCounts

function mutateTiff(r: Rand, s: Seed<TiffSeedStructure>, bombs: Map<string, Uint8Array>): Mutant {
  const b = s.bytes;
  const { ifds, littleEndian: le, big } = s.structure;
  const ifd = ifds.length > 0 ? pick(r, ifds) : undefined;
  const entries = ifd?.entries ?? [];
  const size = (type: number) =>
    ({ 1: 1, 2: 1, 3: 2, 4: 4, 6: 1, 7: 1, 8: 2, 9: 4, 16: 8, 17: 8, 18: 8 })[type] ?? 4;
  const family = int(r, 11);
  switch (family) {
    case 0: {
      if (!ifd) return truncateRandom(r, b);
      const e = entries.length > 0 ? pick(r, entries) : undefined;
      const cuts = [ifd.at, ifd.at + 1, ifd.nextAt, e?.at, e?.valueAt, e ? e.valueAt + 1 : undefined].filter(
        (c): c is number => c !== undefined && c > 0 && c < b.length,
      );
      const data = entries.find((x) => OFFSET_TAGS.includes(x.tag));
      if (data) {
        const first = readUint(b, data.valueAt, size(data.type), le);
        if (first > 0 && first < b.length) cuts.push(first, first + 1, Math.floor((first + b.length) / 2));
      }
      const cut = pick(r, cuts.length > 0 ? cuts : [int(r, b.length)]);
      return { kind: 'truncate-boundary', detail: `cut at ${cut}`, bytes: b.slice(0, cut) };
    }
    case 1:
      return truncateRandom(r, b);
    case 2:
      return r() < 0.5 ? bitFlips(r, b, Math.min(b.length, 512)) : bitFlips(r, b);
    case 3:
    case 4: {
      const known = entries.filter((e) => TIFF_TAG_VALUES[e.tag]);
      const missing = Object.keys(TIFF_TAG_VALUES)
        .map(Number)
        .filter((t) => !entries.some((e) => e.tag === t));
      if (known.length === 0) return bitFlips(r, b);
      const out = b.slice();
      const changed: string[] = [];
      for (let k = 0, n = 1 + int(r, 2); k < n; k++) {
        const e = pick(r, known);
        const [name, values] = TIFF_TAG_VALUES[e.tag] as [string, number[]];
        const v = pick(r, values);
        writeUint(out, e.valueAt, size(e.type), v, le);
        changed.push(`${name}=${v}`);
      }
      void missing;
      return { kind: 'tiff-tag', detail: changed.join(' '), bytes: out };
    }
    case 5: {
      // strip/tile offsets past the end, to 0 or to the header; byte counts huge, 0 or off by one
      const targets = entries.filter((e) => OFFSET_TAGS.includes(e.tag) || COUNT_TAGS.includes(e.tag));
      if (targets.length === 0) return bitFlips(r, b);
      const e = pick(r, targets);
      const i = int(r, Math.max(1, e.count));
      const at = e.valueAt + i * size(e.type);
      const cur = readUint(b, at, size(e.type), le);
      const v = OFFSET_TAGS.includes(e.tag)
        ? pick(r, [0, 4, 8, b.length, b.length - 1, 0x7fffffff, 0xffffffff, cur + 1])
        : pick(r, [0, 1, cur + 1, cur - 1, b.length, 0x7fffffff, 0xffffffff]);
      const out = b.slice();
      writeUint(out, at, size(e.type), v, le);
      return { kind: 'tiff-block-offset', detail: `tag ${e.tag}[${i}] ${cur} -> ${v}`, bytes: out };
    }
    case 6: {
      // the IFD chain: cycles (self, back to the first), past the end, odd, into the header
      if (!ifd) return bitFlips(r, b);
      const first = ifds[0] as { at: number };
      const v = pick(r, [ifd.at, first.at, b.length + 16, 0x7fffffff, 1, 4, ifd.at + 1]);
      const out = b.slice();
      writeUint(out, ifd.nextAt, big ? 8 : 4, v, le);
      return { kind: 'tiff-ifd-chain', detail: `next IFD of ${ifd.at} -> ${v}`, bytes: out };
    }
    case 7: {
      if (!ifd) return bitFlips(r, b);
      const v = pick(r, [0, 1, 2, 0xff, 0xffff]);
      const out = b.slice();
      writeUint(out, ifd.at, big ? 8 : 2, v, le);
      return { kind: 'tiff-entry-count', detail: `IFD ${ifd.at} entry count -> ${v}`, bytes: out };
    }
    case 8: {
      if (entries.length === 0) return bitFlips(r, b);
      const e = pick(r, entries);
      const out = b.slice();
      if (r() < 0.5) {
        const t = int(r, 20);
        writeUint(out, e.at + 2, 2, t, le);
        return { kind: 'tiff-entry-type', detail: `tag ${e.tag} type ${e.type} -> ${t}`, bytes: out };
      }
      const c = pick(r, [0, 1, e.count + 1, 0x7fffffff, 0xffffffff]);
      writeUint(out, e.at + 4, big ? 8 : 4, c, le);
      return { kind: 'tiff-entry-count-field', detail: `tag ${e.tag} count ${e.count} -> ${c}`, bytes: out };
    }
    case 9: {
      // the image's size ballooned while the tiles stayed: declared pixels without data
      const w = entries.find((e) => e.tag === 256);
      const h = entries.find((e) => e.tag === 257);
      if (!w || !h) return bitFlips(r, b);
      const out = b.slice();
      const v = pick(r, [46341, 65536, 1 << 20]);
      writeUint(out, w.valueAt, size(w.type), v, le);
      writeUint(out, h.valueAt, size(h.type), v, le);
      return { kind: 'tiff-huge', detail: `${v} x ${v}`, bytes: out };
    }
    default:
      return tiffBomb(r, s, bombs);
  }
}

function readUint(b: Uint8Array, at: number, bytes: number, le: boolean): number {
  if (at < 0 || at + bytes > b.length) return 0;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (bytes === 1) return dv.getUint8(at);
  if (bytes === 2) return dv.getUint16(at, le);
  if (bytes === 4) return dv.getUint32(at, le);
  return Number(dv.getBigUint64(at, le));
}

const ZSTD_BOMB = 'bomb-256MiB.zst';
const XZ_BOMB = 'bomb-256MiB.xz';

/**
 * Replaces the first block of the first IFD with a decompression bomb for its codec (deflate,
 * ZSTD, LZMA; others get a deflate bomb and the compression tag set to deflate), appended at the
 * end of the file with its offset and byte count pointing there.
 */
function tiffBomb(r: Rand, s: Seed<TiffSeedStructure>, bombs: Map<string, Uint8Array>): Mutant {
  const b = s.bytes;
  const { ifds, littleEndian: le, big } = s.structure;
  const entries = ifds[0]?.entries ?? [];
  const offs = entries.find((e) => OFFSET_TAGS.includes(e.tag));
  const counts = entries.find((e) => COUNT_TAGS.includes(e.tag));
  const comp = entries.find((e) => e.tag === 259);
  if (!offs || !counts || !comp || big) return bitFlips(r, b);
  const width = (t: number) => (t === 3 ? 2 : t === 16 ? 8 : 4);
  const c = readUint(b, comp.valueAt, width(comp.type), le);
  let codec: 'deflate' | 'zstd' | 'xz' = c === 50000 ? 'zstd' : c === 34925 ? 'xz' : 'deflate';
  if (codec !== 'deflate' && r() < 0.3) codec = 'deflate';
  const payload =
    codec === 'deflate'
      ? bomb(bombs, 'tiff-deflate', () => deflateBomb(256 * 2 ** 20, false))
      : bomb(
          bombs,
          codec,
          () =>
            new Uint8Array(
              readFileSync(join('test', 'fuzz', 'bombs', codec === 'zstd' ? ZSTD_BOMB : XZ_BOMB)),
            ),
        );
  const out = new Uint8Array(b.length + payload.length);
  out.set(b);
  out.set(payload, b.length);
  if (codec === 'deflate') writeUint(out, comp.valueAt, width(comp.type), 8, le);
  writeUint(out, offs.valueAt, width(offs.type), b.length, le);
  writeUint(out, counts.valueAt, width(counts.type), payload.length, le);
  return {
    kind: `bomb-${codec}`,
    detail: `first block -> ${payload.length} bytes inflating to 256 MiB`,
    bytes: out,
  };
}
