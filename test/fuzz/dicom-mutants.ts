/** The DICOM mutators of the fuzz corpus (test/fuzz/corpus.ts): attributes, lengths, nesting, bombs. */
import type { DicomSeedStructure } from './structure.ts';
import { bitFlips, bomb, deflateBomb, int, pick, splice, truncateRandom, writeUint } from './mutate.ts';
import type { Mutant, Rand, Seed } from './mutate.ts';

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

export function mutateDicom(r: Rand, s: Seed<DicomSeedStructure>, bombs: Map<string, Uint8Array>): Mutant {
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
