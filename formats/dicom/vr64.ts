/**
 * dicom-parser 1.8 predates the 64-bit VRs OV, SV and UV (DICOM 2019) and reads their 4-byte length
 * as a 2-byte one, losing its place in the file: every file with an Extended Offset Table
 * (7FE0,0001 OV) fails to parse. Before parsing an explicit VR little endian dataset we relabel
 * such elements as UN, which has the same header layout (2 reserved bytes, 4-byte length) and which
 * dicom-parser skips by its length. Only element headers that chain to a plausible next header (or
 * to the Pixel Data element) are relabelled, and only before Pixel Data, so pixel bytes are never
 * touched.
 */

const isUpper = (c: number | undefined) => c !== undefined && c >= 0x41 && c <= 0x5a;

/** A copy of `b` with OV/SV/UV element headers relabelled UN, or `b` itself when there are none. */
export function relabel64BitVRs(b: Uint8Array, start: number): Uint8Array {
  const end = pixelDataHeader(b, start);
  let out: Uint8Array | undefined;
  for (let p = start; p + 12 <= end; p += 2) {
    if (b[p + 5] !== 0x56 || b[p + 6] !== 0 || b[p + 7] !== 0) continue; // ?V 00 00
    const v0 = b[p + 4];
    if (v0 !== 0x4f && v0 !== 0x53 && v0 !== 0x55) continue; // O, S, U
    if (((b[p] as number) & 1) !== 0) continue; // even (standard) group
    const len =
      ((b[p + 8] as number) | ((b[p + 9] as number) << 8) | ((b[p + 10] as number) << 16)) +
      (b[p + 11] as number) * 2 ** 24;
    if (len % 8 !== 0) continue; // 64-bit values
    const next = p + 12 + len;
    const chains = next === end || (next + 6 <= b.length && isUpper(b[next + 4]) && isUpper(b[next + 5]));
    if (!chains) continue;
    out ??= b.slice();
    out[p + 4] = 0x55; // 'U'
    out[p + 5] = 0x4e; // 'N'
    p = next - 2;
  }
  return out ?? b;
}

/** Offset of the (7FE0,0010) OB/OW element header, or the end of the buffer. */
function pixelDataHeader(b: Uint8Array, start: number): number {
  for (let p = start; p + 6 <= b.length; p += 2) {
    if (b[p] === 0xe0 && b[p + 1] === 0x7f && b[p + 2] === 0x10 && b[p + 3] === 0x00 && b[p + 4] === 0x4f) {
      const v = b[p + 5];
      if (v === 0x42 || v === 0x57) return p;
    }
  }
  return b.length;
}
