/**
 * Lossless JPEG (ITU T.81 process 14, Huffman; DICOM 1.2.840.10008.1.2.4.57 and .70): predictors
 * 1-7, point transform, restart intervals, interleaved or one scan per component, 2-16 bits.
 * Written for this project (jpeg-lossless-decoder-js drops the last sample of some streams:
 * DCMTK-encoded RGB with predictors 6 and 7, found by reencoded.oracle.test.ts). Every loop is bounded
 * by the frame size; a scan that ends early decodes as zero differences, as libjpeg does.
 */
import { FormatError } from '../../../errors.ts';
import { toContainer } from '../container.ts';
import type { Codec } from '../types.ts';
import { BitReader, type HuffmanTable } from './huffman.ts';
import { readHuffman } from './sequential.ts';

interface LosslessFrame {
  precision: number;
  width: number;
  height: number;
  ids: number[];
  /** Reconstructed samples (before the point transform), one plane per component. */
  planes: Int32Array[];
}

function fail(msg: string): never {
  throw new FormatError('CORRUPT_DATA', `lossless JPEG: ${msg}`);
}

/** Decodes one lossless JPEG frame into the DICOM container type. */
export const decodeJpegLossless: Codec = (input) => {
  const { frame, pointTransform } = decodeStream(input.encoded);
  const n = frame.planes.length;
  if (frame.width !== input.columns || frame.height !== input.rows || n !== input.samples)
    throw new FormatError(
      'DECOMPRESSED_SIZE_MISMATCH',
      `lossless JPEG frame is ${frame.width}x${frame.height}x${n}, the header says ${input.columns}x${input.rows}x${input.samples}`,
    );
  const bytesPerSample = input.bitsAllocated <= 8 ? 1 : 2;
  const count = frame.width * frame.height;
  const out = bytesPerSample === 1 ? new Uint8Array(count * n) : new Uint16Array(count * n);
  for (let c = 0; c < n; c++) {
    const plane = frame.planes[c] as Int32Array;
    for (let i = 0; i < count; i++) out[i * n + c] = (plane[i] as number) << pointTransform;
  }
  return {
    pixels: toContainer(new Uint8Array(out.buffer), bytesPerSample, input, 'lossless JPEG'),
    planar: false,
    rgb: false,
  };
};

function decodeStream(b: Uint8Array): { frame: LosslessFrame; pointTransform: number } {
  const dc: (HuffmanTable | undefined)[] = [];
  const ac: (HuffmanTable | undefined)[] = [];
  let frame: LosslessFrame | undefined;
  let restart = 0;
  let pointTransform = 0;
  if (b[0] !== 0xff || b[1] !== 0xd8) fail('no SOI marker');
  let pos = 2;
  for (;;) {
    if (pos + 2 > b.length) fail('stream ends before EOI');
    if (b[pos] !== 0xff) fail(`expected a marker at byte ${pos}`);
    const marker = b[pos + 1] as number;
    pos += 2;
    if (marker === 0xff) {
      pos--;
      continue;
    }
    if (marker === 0xd9) break;
    if (marker >= 0xd0 && marker <= 0xd7) continue;
    if (pos + 2 > b.length) fail('stream ends inside a marker segment');
    const len = ((b[pos] as number) << 8) | (b[pos + 1] as number);
    const end = pos + len;
    if (len < 2 || end > b.length) fail(`marker FF${marker.toString(16)} segment runs past the end`);
    const seg = b.subarray(pos + 2, end);
    if (marker === 0xc4) readHuffman(seg, dc, ac);
    else if (marker === 0xdd) restart = ((seg[0] ?? 0) << 8) | (seg[1] ?? 0);
    else if (marker === 0xc3) frame = readFrame(seg);
    else if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc)
      throw new FormatError(
        'UNSUPPORTED_COMPRESSION',
        `SOF${marker - 0xc0} is not lossless Huffman JPEG (SOF3)`,
      );
    else if (marker === 0xda) {
      if (!frame) fail('scan before frame header');
      pointTransform = (seg[3 + 2 * (seg[0] ?? 0)] ?? 0) & 15;
      pos = decodeScan(b, end, seg, frame, dc, restart);
      continue;
    }
    pos = end;
  }
  if (!frame) fail('no frame header');
  return { frame, pointTransform };
}

function readFrame(seg: Uint8Array): LosslessFrame {
  if (seg.length < 6) fail('frame header truncated');
  const precision = seg[0] as number;
  const height = ((seg[1] as number) << 8) | (seg[2] as number);
  const width = ((seg[3] as number) << 8) | (seg[4] as number);
  const n = seg[5] as number;
  if (precision < 2 || precision > 16 || !width || !height || !n || n > 4 || seg.length < 6 + 3 * n)
    fail('invalid frame header');
  const ids: number[] = [];
  for (let i = 0; i < n; i++) {
    if (seg[7 + 3 * i] !== 0x11) throw new FormatError('UNSUPPORTED_COMPRESSION', 'subsampled lossless JPEG');
    ids.push(seg[6 + 3 * i] as number);
  }
  return { precision, width, height, ids, planes: ids.map(() => new Int32Array(width * height)) };
}

/** Decodes one scan (all its components) and returns the position of the next marker. */
function decodeScan(
  b: Uint8Array,
  dataStart: number,
  seg: Uint8Array,
  f: LosslessFrame,
  dc: (HuffmanTable | undefined)[],
  restart: number,
): number {
  const ns = seg[0] ?? 0;
  if (ns < 1 || seg.length < 4 + 2 * ns) fail('invalid scan header');
  const predictor = seg[1 + 2 * ns] as number;
  const pt = (seg[3 + 2 * ns] as number) & 15;
  if (predictor < 1 || predictor > 7) fail(`predictor ${predictor} outside 1..7`);
  const comps = Array.from({ length: ns }, (_, i) => {
    const c = f.ids.indexOf(seg[1 + 2 * i] as number);
    if (c < 0) fail('scan names an unknown component');
    const table = dc[(seg[2 + 2 * i] as number) >> 4] ?? fail('Huffman table missing');
    return { plane: f.planes[c] as Int32Array, table };
  });
  const { width: w, height: h } = f;
  const initial = 1 << (f.precision - pt - 1);
  const mask = 0xffff;
  const reader = new BitReader(b, dataStart);
  let firstRow = 0; // the row where prediction restarted (scan start or restart marker)
  const total = w * h;
  for (let i = 0; i < total; i++) {
    if (restart > 0 && i > 0 && i % restart === 0) {
      reader.restart();
      firstRow = Math.floor(i / w);
    }
    const x = i % w;
    const y = (i - x) / w;
    for (const { plane, table } of comps) {
      const t = table.decode(reader);
      if (t > 16) fail('difference category above 16');
      const diff = t === 0 ? 0 : t === 16 ? 32768 : reader.receiveExtend(t);
      let px: number;
      if (y === firstRow)
        px = x === 0 || (restart > 0 && i % restart === 0) ? initial : (plane[i - 1] as number);
      else if (x === 0) px = plane[i - w] as number;
      else {
        const ra = plane[i - 1] as number;
        const rb = plane[i - w] as number;
        const rc = plane[i - w - 1] as number;
        px = predict(predictor, ra, rb, rc);
      }
      plane[i] = (px + diff) & mask;
    }
  }
  return reader.nextMarker();
}

function predict(p: number, ra: number, rb: number, rc: number): number {
  switch (p) {
    case 1:
      return ra;
    case 2:
      return rb;
    case 3:
      return rc;
    case 4:
      return ra + rb - rc;
    case 5:
      return ra + ((rb - rc) >> 1);
    case 6:
      return rb + ((ra - rc) >> 1);
    default:
      return (ra + rb) >> 1;
  }
}
