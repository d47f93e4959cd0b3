/**
 * Where the structures of a valid DICOM or TIFF file lie (element headers, length fields, IFD
 * entries, strip/tile offsets), found once per seed file so the mutator can damage exactly them.
 * Hand-written on purpose: the walkers must not share the decoders' assumptions.
 */

/** One top-level DICOM data element as found in the seed file. */
export interface DicomElement {
  tag: number;
  /** Offset of the element's first byte (its tag). */
  start: number;
  /** Offset of the VR bytes (explicit VR), or -1. */
  vrAt: number;
  /** Offset and width of the length field. */
  lengthAt: number;
  lengthBytes: 2 | 4;
  /** Offset of the value and its length (0xffffffff: undefined). */
  valueAt: number;
  length: number;
  littleEndian: boolean;
}

/** The top-level elements of a seed file, plus its transfer syntax. */
export interface DicomSeedStructure {
  elements: DicomElement[];
  transferSyntax: string;
}

const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV']);

/**
 * Walks the top-level elements of a Part 10 file (meta group explicit LE, dataset per transfer
 * syntax). Stops at the first element it cannot walk (a deflated dataset, or after pixel data).
 */
export function walkDicom(b: Uint8Array): DicomSeedStructure {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const elements: DicomElement[] = [];
  let pos = 132;
  let ts = '1.2.840.10008.1.2.1';
  while (pos + 8 <= b.length) {
    const group = dv.getUint16(pos, true);
    const inMeta = group === 0x0002;
    if (!inMeta && ts === '1.2.840.10008.1.2.1.99') break; // deflated: nothing more to walk
    const le = inMeta || ts !== '1.2.840.10008.1.2.2';
    const implicit = !inMeta && ts === '1.2.840.10008.1.2';
    const tag = (dv.getUint16(pos, le) << 16) | dv.getUint16(pos + 2, le);
    let el: DicomElement;
    if (implicit) {
      el = {
        tag,
        start: pos,
        vrAt: -1,
        lengthAt: pos + 4,
        lengthBytes: 4,
        valueAt: pos + 8,
        length: 0,
        littleEndian: le,
      };
      el.length = dv.getUint32(pos + 4, le);
    } else {
      const vr = String.fromCharCode(b[pos + 4] ?? 0, b[pos + 5] ?? 0);
      if (LONG_VRS.has(vr)) {
        if (pos + 12 > b.length) break;
        el = {
          tag,
          start: pos,
          vrAt: pos + 4,
          lengthAt: pos + 8,
          lengthBytes: 4,
          valueAt: pos + 12,
          length: dv.getUint32(pos + 8, le),
          littleEndian: le,
        };
      } else {
        el = {
          tag,
          start: pos,
          vrAt: pos + 4,
          lengthAt: pos + 6,
          lengthBytes: 2,
          valueAt: pos + 8,
          length: dv.getUint16(pos + 6, le),
          littleEndian: le,
        };
      }
    }
    elements.push(el);
    if (tag === 0x00020010)
      ts = String.fromCharCode(...b.subarray(el.valueAt, el.valueAt + el.length)).replace(/[\0 ]+$/, '');
    if (el.length === 0xffffffff) {
      if (tag >>> 0 === 0x7fe00010) break; // encapsulated pixel data: the last element we care about
      // a sequence of undefined length: skip to its delimiter (FFFE,E0DD) at this level
      const end = findSequenceEnd(b, el.valueAt, le);
      if (end < 0) break;
      pos = end;
      continue;
    }
    pos = el.valueAt + el.length;
  }
  return { elements, transferSyntax: ts };
}

/** Offset just past the sequence delimitation item that closes the sequence starting at `from`. */
function findSequenceEnd(b: Uint8Array, from: number, le: boolean): number {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let depth = 1;
  for (let p = from; p + 8 <= b.length; p += 2) {
    const g = dv.getUint16(p, le);
    const e = dv.getUint16(p + 2, le);
    if (g !== 0xfffe) continue;
    if (e === 0xe000 && dv.getUint32(p + 4, le) === 0xffffffff) depth++;
    if (e === 0xe00d) depth--;
    if (e === 0xe0dd) {
      depth--;
      if (depth <= 0) return p + 8;
    }
  }
  return -1;
}

/** One IFD entry of a TIFF seed file. */
export interface TiffEntry {
  tag: number;
  type: number;
  count: number;
  /** Offset of the entry (12 or 20 bytes long). */
  at: number;
  /** Offset of the first value: inline in the entry, or where the value offset points. */
  valueAt: number;
}

/** One IFD: its offset, entries, and the offset of its next-IFD pointer. */
export interface TiffIfd {
  at: number;
  entries: TiffEntry[];
  nextAt: number;
}

/** The IFDs of a classic or Big TIFF seed file. */
export interface TiffSeedStructure {
  littleEndian: boolean;
  big: boolean;
  ifds: TiffIfd[];
}

const TYPE_SIZE: Record<number, number> = {
  1: 1,
  2: 1,
  3: 2,
  4: 4,
  5: 8,
  6: 1,
  7: 1,
  8: 2,
  9: 4,
  10: 8,
  11: 4,
  12: 8,
  16: 8,
  17: 8,
  18: 8,
};

/** Walks every IFD of a TIFF (stops at a cycle or an offset past the end). */
export function walkTiff(b: Uint8Array): TiffSeedStructure {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const le = b[0] === 0x49;
  const big = dv.getUint16(2, le) === 43;
  const off = (p: number): number => (big ? Number(dv.getBigUint64(p, le)) : dv.getUint32(p, le));
  const ifds: TiffIfd[] = [];
  const seen = new Set<number>();
  let at = off(big ? 8 : 4);
  while (at > 0 && at < b.length && !seen.has(at)) {
    seen.add(at);
    const n = big ? Number(dv.getBigUint64(at, le)) : dv.getUint16(at, le);
    const first = at + (big ? 8 : 2);
    const size = big ? 20 : 12;
    const entries: TiffEntry[] = [];
    for (let i = 0; i < n; i++) {
      const e = first + i * size;
      if (e + size > b.length) break;
      const type = dv.getUint16(e + 2, le);
      const count = big ? Number(dv.getBigUint64(e + 4, le)) : dv.getUint32(e + 4, le);
      const inlineAt = e + (big ? 12 : 8);
      const bytes = (TYPE_SIZE[type] ?? 1) * count;
      const valueAt = bytes <= (big ? 8 : 4) ? inlineAt : off(inlineAt);
      entries.push({ tag: dv.getUint16(e, le), type, count, at: e, valueAt });
    }
    const nextAt = first + n * size;
    ifds.push({ at, entries, nextAt });
    if (nextAt + (big ? 8 : 4) > b.length) break;
    at = off(nextAt);
  }
  return { littleEndian: le, big, ifds };
}
