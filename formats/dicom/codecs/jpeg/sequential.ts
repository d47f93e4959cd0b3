/**
 * Sequential Huffman DCT JPEG (ITU T.81 processes 1, 2 and 4: baseline and extended, 8 or 12 bits),
 * the DICOM JPEG Extended transfer syntax (1.2.840.10008.1.2.4.51) that libjpeg-turbo's 8-bit build
 * cannot decode. Written for this project; the IDCT follows libjpeg's islow so results match
 * libjpeg-based references. Every loop is bounded by the frame size: garbage ends in an error or in
 * zero-filled blocks, never a hang (as libjpeg, a scan that ends early decodes as zeros).
 */
import { FormatError } from '../../../errors.ts';
import { toContainer } from '../container.ts';
import type { Codec } from '../types.ts';
import { BitReader, HuffmanTable } from './huffman.ts';
import { idctBlock } from './idct.ts';

/** Zigzag index -> natural (row-major) index of an 8x8 block. */
const ZIGZAG = Uint8Array.from([
  0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7,
  14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46,
  53, 60, 61, 54, 47, 55, 62, 63,
]);

interface Component {
  id: number;
  h: number;
  v: number;
  tq: number;
  /** Decoded samples, blocksPerLine*8 wide. */
  plane: Uint16Array;
  blocksPerLine: number;
  blocksPerColumn: number;
  pred: number;
}

interface Frame {
  precision: number;
  width: number;
  height: number;
  components: Component[];
  hmax: number;
  vmax: number;
  mcusX: number;
  mcusY: number;
}

function fail(msg: string): never {
  throw new FormatError('CORRUPT_DATA', `JPEG: ${msg}`);
}

/** Sample precision declared by the first SOF marker (8 when none is found). */
export function jpegPrecision(b: Uint8Array): number {
  for (let i = 2; i + 4 < b.length;) {
    if (b[i] !== 0xff) return 8;
    const m = b[i + 1] as number;
    if (m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc) return b[i + 4] ?? 8;
    i += 2 + (((b[i + 2] as number) << 8) | (b[i + 3] as number));
  }
  return 8;
}

/** Decodes a baseline/extended JPEG frame into samples of the DICOM container type. */
export const decodeJpeg12: Codec = (input) => {
  const img = decodeJpeg(input.encoded);
  if (img.width !== input.columns || img.height !== input.rows || img.components !== input.samples)
    throw new FormatError(
      'DECOMPRESSED_SIZE_MISMATCH',
      `JPEG frame is ${img.width}x${img.height}x${img.components}, the header says ${input.columns}x${input.rows}x${input.samples}`,
    );
  const bytes = new Uint8Array(img.data.buffer);
  if (input.bitsAllocated === 8) {
    const narrow = Uint8Array.from(img.data);
    return { pixels: toContainer(narrow, 1, input, 'JPEG'), planar: false, rgb: false };
  }
  return { pixels: toContainer(bytes, 2, input, 'JPEG'), planar: false, rgb: false };
};

/** Decoded samples, pixel-interleaved, each component upsampled to full size by replication. */
export function decodeJpeg(b: Uint8Array): {
  width: number;
  height: number;
  components: number;
  data: Uint16Array;
} {
  const quant: (Int32Array | undefined)[] = [];
  const dc: (HuffmanTable | undefined)[] = [];
  const ac: (HuffmanTable | undefined)[] = [];
  let frame: Frame | undefined;
  let restart = 0;
  let pos = 2;
  if (b[0] !== 0xff || b[1] !== 0xd8) fail('no SOI marker');
  const u16 = (p: number) => {
    if (p + 2 > b.length) fail('stream ends inside a marker segment');
    return ((b[p] as number) << 8) | (b[p + 1] as number);
  };
  for (;;) {
    if (pos + 2 > b.length) fail('stream ends before EOI');
    if (b[pos] !== 0xff) fail(`expected a marker at byte ${pos}`);
    const marker = b[pos + 1] as number;
    pos += 2;
    if (marker === 0xff) {
      pos--; // fill byte
      continue;
    }
    if (marker === 0xd9) break; // EOI
    if (marker >= 0xd0 && marker <= 0xd7) continue; // stray RST
    const len = u16(pos);
    const end = pos + len;
    if (len < 2 || end > b.length) fail(`marker FF${marker.toString(16)} segment runs past the end`);
    const seg = b.subarray(pos + 2, end);
    if (marker === 0xdb) readQuant(seg, quant);
    else if (marker === 0xc4) readHuffman(seg, dc, ac);
    else if (marker === 0xdd) restart = u16(pos + 2);
    else if (marker === 0xc0 || marker === 0xc1) frame = readFrame(seg);
    else if (marker >= 0xc2 && marker <= 0xcf && marker !== 0xc8 && marker !== 0xcc)
      throw new FormatError(
        'UNSUPPORTED_COMPRESSION',
        `JPEG process SOF${marker - 0xc0} (progressive, lossless or arithmetic) is not a DCT sequential Huffman stream`,
      );
    else if (marker === 0xda) {
      if (!frame) fail('scan before frame header');
      pos = decodeScan(b, end, seg, frame, quant, dc, ac, restart);
      continue;
    }
    pos = end;
  }
  if (!frame) fail('no frame header');
  return toInterleaved(frame);
}

function readQuant(seg: Uint8Array, quant: (Int32Array | undefined)[]): void {
  for (let p = 0; p < seg.length;) {
    const pq = (seg[p] as number) >> 4;
    const tq = (seg[p] as number) & 15;
    p++;
    const t = new Int32Array(64);
    for (let k = 0; k < 64; k++) {
      if (p + (pq ? 2 : 1) > seg.length) fail('quantization table truncated');
      t[ZIGZAG[k] as number] = pq ? ((seg[p] as number) << 8) | (seg[p + 1] as number) : (seg[p] as number);
      p += pq ? 2 : 1;
    }
    quant[tq & 3] = t;
  }
}

export function readHuffman(
  seg: Uint8Array,
  dc: (HuffmanTable | undefined)[],
  ac: (HuffmanTable | undefined)[],
): void {
  for (let p = 0; p < seg.length;) {
    if (p + 17 > seg.length) fail('Huffman table truncated');
    const tc = (seg[p] as number) >> 4;
    const th = (seg[p] as number) & 3;
    const counts = seg.subarray(p + 1, p + 17);
    const total = counts.reduce((s, c) => s + c, 0);
    if (p + 17 + total > seg.length || total > 256) fail('Huffman table truncated');
    const table = new HuffmanTable(counts, seg.subarray(p + 17, p + 17 + total));
    (tc === 0 ? dc : ac)[th] = table;
    p += 17 + total;
  }
}

function readFrame(seg: Uint8Array): Frame {
  if (seg.length < 6) fail('frame header truncated');
  const precision = seg[0] as number;
  if (precision !== 8 && precision !== 12) fail(`sample precision ${precision} is not 8 or 12`);
  const height = ((seg[1] as number) << 8) | (seg[2] as number);
  const width = ((seg[3] as number) << 8) | (seg[4] as number);
  const n = seg[5] as number;
  if (width === 0 || height === 0 || n === 0 || n > 4 || seg.length < 6 + 3 * n) fail('invalid frame header');
  const raw = Array.from({ length: n }, (_, i) => ({
    id: seg[6 + 3 * i] as number,
    h: (seg[7 + 3 * i] as number) >> 4,
    v: (seg[7 + 3 * i] as number) & 15,
    tq: (seg[8 + 3 * i] as number) & 3,
  }));
  const hmax = Math.max(...raw.map((c) => c.h));
  const vmax = Math.max(...raw.map((c) => c.v));
  if (raw.some((c) => c.h < 1 || c.h > 4 || c.v < 1 || c.v > 4)) fail('invalid sampling factors');
  const mcusX = Math.ceil(width / (8 * hmax));
  const mcusY = Math.ceil(height / (8 * vmax));
  const components = raw.map((c) => {
    const blocksPerLine = mcusX * c.h;
    const blocksPerColumn = mcusY * c.v;
    return {
      ...c,
      blocksPerLine,
      blocksPerColumn,
      pred: 0,
      plane: new Uint16Array(blocksPerLine * blocksPerColumn * 64),
    };
  });
  return { precision, width, height, components, hmax, vmax, mcusX, mcusY };
}

/** Decodes one scan starting after its header; returns the position of the next marker. */
function decodeScan(
  b: Uint8Array,
  dataStart: number,
  seg: Uint8Array,
  f: Frame,
  quant: (Int32Array | undefined)[],
  dcTables: (HuffmanTable | undefined)[],
  acTables: (HuffmanTable | undefined)[],
  restart: number,
): number {
  const n = seg[0] ?? 0;
  if (n < 1 || seg.length < 1 + 2 * n) fail('invalid scan header');
  const comps = Array.from({ length: n }, (_, i) => {
    const c = f.components.find((x) => x.id === seg[1 + 2 * i]) ?? fail('scan names an unknown component');
    const td = (seg[2 + 2 * i] as number) >> 4;
    const ta = (seg[2 + 2 * i] as number) & 3;
    const q = quant[c.tq] ?? fail(`quantization table ${c.tq} missing`);
    const dcT = dcTables[td] ?? fail(`DC table ${td} missing`);
    const acT = acTables[ta] ?? fail(`AC table ${ta} missing`);
    return { c, q, dcT, acT };
  });
  const reader = new BitReader(b, dataStart);
  const coef = new Int32Array(64);
  const block = (x: (typeof comps)[number], row: number, col: number) => {
    coef.fill(0);
    const t = x.dcT.decode(reader);
    if (t > 16) fail('DC difference category out of range');
    x.c.pred += t === 0 ? 0 : reader.receiveExtend(t);
    coef[0] = x.c.pred * (x.q[0] as number);
    for (let k = 1; k < 64;) {
      const rs = x.acT.decode(reader);
      const r = rs >> 4;
      const s = rs & 15;
      if (s === 0) {
        if (r !== 15) break; // EOB
        k += 16;
        continue;
      }
      k += r;
      if (k > 63) fail('AC coefficient index past 63');
      const z = ZIGZAG[k] as number;
      coef[z] = reader.receiveExtend(s) * (x.q[z] as number);
      k++;
    }
    const stride = x.c.blocksPerLine * 8;
    idctBlock(coef, f.precision, x.c.plane, row * 8 * stride + col * 8, stride);
  };
  const single = comps.length === 1 ? comps[0] : undefined;
  // A single-component scan codes only the blocks that cover the component, not whole MCUs.
  const unitsX = single ? Math.ceil(Math.ceil((f.width * single.c.h) / f.hmax) / 8) : f.mcusX;
  const unitsY = single ? Math.ceil(Math.ceil((f.height * single.c.v) / f.vmax) / 8) : f.mcusY;
  const total = unitsX * unitsY;
  for (let u = 0; u < total; u++) {
    if (restart > 0 && u > 0 && u % restart === 0) {
      reader.restart();
      for (const x of comps) x.c.pred = 0;
    }
    const mx = u % unitsX;
    const my = (u - mx) / unitsX;
    if (single) block(single, my, mx);
    else
      for (const x of comps)
        for (let v = 0; v < x.c.v; v++)
          for (let h = 0; h < x.c.h; h++) block(x, my * x.c.v + v, mx * x.c.h + h);
  }
  return reader.nextMarker();
}

function toInterleaved(f: Frame): { width: number; height: number; components: number; data: Uint16Array } {
  const n = f.components.length;
  const data = new Uint16Array(f.width * f.height * n);
  f.components.forEach((c, ci) => {
    const stride = c.blocksPerLine * 8;
    for (let y = 0; y < f.height; y++) {
      const sy = Math.floor((y * c.v) / f.vmax);
      for (let x = 0; x < f.width; x++) {
        data[(y * f.width + x) * n + ci] = c.plane[sy * stride + Math.floor((x * c.h) / f.hmax)] as number;
      }
    }
  });
  return { width: f.width, height: f.height, components: n, data };
}
