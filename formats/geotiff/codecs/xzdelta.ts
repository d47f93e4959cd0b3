/**
 * libtiff writes TIFF LZMA strips as .xz streams with a delta filter in front of LZMA2 (dist = bytes
 * per sample). The WASM xz-embedded build in xz-decompress has no delta filter (it answers
 * XZ_OPTIONS_ERROR), so we rewrite the block header to LZMA2 only and undo the delta ourselves.
 * The block header keeps its size (padding absorbs the removed filter), so the stream index stays valid.
 */

const DELTA = 0x03;
const LZMA2 = 0x21;

let crcTable: Uint32Array | undefined;

/** CRC-32 (IEEE), as .xz headers use. */
export function crc32(b: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (const byte of b) c = (crcTable[(c ^ byte) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function readVarint(b: Uint8Array, p: number): [number, number] {
  let v = 0;
  let shift = 0;
  for (let i = 0; i < 9; i++) {
    const byte = b[p + i];
    if (byte === undefined) throw new Error('xz block header ends inside a number');
    v += (byte & 0x7f) * 2 ** shift;
    shift += 7;
    if ((byte & 0x80) === 0) return [v, p + i + 1];
  }
  throw new Error('xz varint too long');
}

/**
 * Returns the stream unchanged (dist 0) when its first block has no delta filter; otherwise a copy
 * whose first block header lists LZMA2 only, and the delta distance to undo after decoding.
 */
export function stripDeltaFilter(stream: Uint8Array): { stream: Uint8Array; dist: number } {
  const h = 12; // stream header: magic(6) flags(2) crc(4)
  const size = ((stream[h] ?? 0) + 1) * 4;
  if (stream[h] === 0 || h + size > stream.length) return { stream, dist: 0 }; // index first or garbage
  const flags = stream[h + 1] ?? 0;
  const nFilters = (flags & 3) + 1;
  let p = h + 2;
  if (flags & 0x40) p = readVarint(stream, p)[1];
  if (flags & 0x80) p = readVarint(stream, p)[1];
  const sizesEnd = p;
  const filters: Array<{ id: number; props: Uint8Array }> = [];
  for (let i = 0; i < nFilters; i++) {
    const [id, p1] = readVarint(stream, p);
    const [n, p2] = readVarint(stream, p1);
    filters.push({ id, props: stream.subarray(p2, p2 + n) });
    p = p2 + n;
  }
  const delta = filters.findIndex((f) => f.id === DELTA);
  if (delta < 0) return { stream, dist: 0 };
  if (filters.length !== 2 || delta !== 0 || filters[1]?.id !== LZMA2)
    throw new Error(`unsupported xz filter chain ${filters.map((f) => f.id).join(',')}`);
  if (countBlocks(stream) !== 1)
    throw new Error('delta-filtered .xz streams with several blocks are not supported');
  const dist = (filters[0]?.props[0] ?? 0) + 1;
  const lz = filters[1];
  const out = stream.slice();
  const hdr = out.subarray(h, h + size);
  hdr[1] = flags & ~3; // one filter
  let q = sizesEnd - h;
  hdr[q++] = LZMA2;
  hdr[q++] = lz.props.length;
  hdr.set(lz.props, q);
  q += lz.props.length;
  hdr.fill(0, q, size - 4);
  new DataView(hdr.buffer, hdr.byteOffset + size - 4, 4).setUint32(0, crc32(hdr.subarray(0, size - 4)), true);
  return { stream: out, dist };
}

/** Number of blocks recorded in the stream index (footer -> backward size -> index). */
function countBlocks(s: Uint8Array): number {
  const dv = new DataView(s.buffer, s.byteOffset, s.byteLength);
  const backward = (dv.getUint32(s.length - 8, true) + 1) * 4;
  const index = s.length - 12 - backward;
  if (index < 12 || s[index] !== 0) throw new Error('xz index not found');
  return readVarint(s, index + 1)[0];
}

/** Undoes the xz delta filter in place (byte-wise, distance `dist`). */
export function undoDelta(b: Uint8Array, dist: number): void {
  for (let i = dist; i < b.length; i++) b[i] = ((b[i] as number) + (b[i - dist] as number)) & 0xff;
}
