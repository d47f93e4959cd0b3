/** The .npy part of the extra fuzz corpus (test/fuzz/corpus.ts `extraCase`): seeds and mutators. */
import { encodeNpy } from '../../formats/npy.ts';
import { allocatePixels, type SampleType } from '../../formats/raster.ts';
import { bitFlips, concat, int, pick, truncateRandom } from './mutate.ts';
import type { Mutant, Rand, SeedFile } from './mutate.ts';

/** Every dtype .npy files hold here, in encodeNpy's order. */
const DTYPES: SampleType[] = ['uint8', 'int8', 'uint16', 'int16', 'uint32', 'int32', 'float32', 'float64'];

/** The little-endian (and one big-endian) descr strings of the dtypes decodeNpy reads. */
export const NPY_DESCRS = ['|u1', '|i1', '<u2', '<i2', '<u4', '<i4', '<f4', '<f8', '>f4'];

/** Small .npy arrays: every dtype, 2-D and 3-D. */
export function npySeeds(): SeedFile[] {
  const out: SeedFile[] = [];
  for (const dtype of DTYPES)
    for (const shape of [
      [32, 24],
      [24, 16, 3],
    ]) {
      const n = shape.reduce((p, d) => p * d, 1);
      const data = allocatePixels(dtype, n);
      for (let i = 0; i < n; i++) data[i] = (i * 7) % 100;
      out.push({ path: `npy:${dtype} ${shape.join('x')}`, bytes: encodeNpy({ shape, dtype, data }) });
    }
  return out;
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

const DESCRS = [...NPY_DESCRS, '>u2', '<f2', '<c8', '|b1', '<U4', '|O', '<i8', '<u8', '', "'"];
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

/** A mutation of .npy seed `s`: bits, cuts, header fields (descr, shape, order, length, version), body length. */
export function mutateNpy(r: Rand, s: SeedFile): Mutant {
  const b = s.bytes;
  const h = npyHeaderAt(b);
  const body = b.subarray(h.start + h.len);
  const k = int(r, 9);
  if (k === 0) return bitFlips(r, b);
  if (k === 1) return truncateRandom(r, b);
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
