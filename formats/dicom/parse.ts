/**
 * DICOM bytes -> dicom-parser DataSet, with every failure mapped to a FormatError and every
 * element/fragment length checked against the buffer (dicom-parser itself seeks past the end
 * silently). Part 10 files, raw datasets without preamble, and Deflated Explicit VR LE.
 */
import type { DataSet, Element } from 'dicom-parser';
import { Inflate } from 'pako';
import { FormatError } from '../errors.ts';
import { loadUmd } from '../load.ts';
import { relabel64BitVRs } from './vr64.ts';

const EXPLICIT_LE = '1.2.840.10008.1.2.1';
/** Syntaxes whose dataset is implicit VR, big endian or deflated: no OV/SV/UV relabelling there. */
const NOT_EXPLICIT_LE = new Set(['1.2.840.10008.1.2', '1.2.840.10008.1.2.2', '1.2.840.10008.1.2.1.99']);

interface DicomParserModule {
  readPart10Header(bytes: Uint8Array): DataSet & { position?: number };
  parseDicom(
    bytes: Uint8Array,
    options?: {
      TransferSyntaxUID?: string;
      inflater?: (bytes: Uint8Array, position: number) => Uint8Array;
    },
  ): DataSet;
}

/** Deflated Explicit VR Little Endian. */
export const DEFLATED_TS = '1.2.840.10008.1.2.1.99';

/** The parsed dataset: `dataSet.byteArray` holds the (inflated) bytes element offsets refer to. */
export interface ParsedDicom {
  dataSet: DataSet;
  transferSyntaxUID: string;
}

/** Loads dicom-parser (once per thread; a UMD package, see formats/load.ts). */
export async function loadDicomParser(): Promise<DicomParserModule> {
  try {
    return await loadUmd<DicomParserModule>(() => import('dicom-parser'), 'dicom-parser');
  } catch (err) {
    throw new FormatError('IO_ERROR', `cannot load dicom-parser: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * Parses a whole file. Throws NOT_DICOM, TRUNCATED, LENGTH_BEYOND_FILE, CORRUPT_DATA, and
 * DIMENSIONS_TOO_LARGE when a deflated dataset inflates past `maxInflated` bytes (a zip bomb).
 */
export function parseDicomBytes(
  parser: DicomParserModule,
  bytes: Uint8Array,
  maxInflated = 2 ** 32,
): ParsedDicom {
  const hasPreamble =
    bytes.length >= 132 &&
    bytes[128] === 0x44 &&
    bytes[129] === 0x49 &&
    bytes[130] === 0x43 &&
    bytes[131] === 0x4d;
  let rawTS: string | undefined;
  if (!hasPreamble) {
    rawTS = guessRawTransferSyntax(bytes);
    if (!rawTS) throw new FormatError('NOT_DICOM', 'no DICM prefix and no recognisable dataset');
  }
  if (hasPreamble) {
    checkMetaHeader(bytes);
    bytes = relabelIfExplicitLE(parser, bytes);
  } else if (rawTS === EXPLICIT_LE) bytes = relabel64BitVRs(bytes, 0);
  let dataSet: DataSet;
  try {
    dataSet = parser.parseDicom(bytes, {
      ...(rawTS ? { TransferSyntaxUID: rawTS } : {}),
      inflater: (b, position) => {
        const inflated = inflateBounded(b.subarray(position), maxInflated);
        const full = new Uint8Array(position + inflated.length);
        full.set(b.subarray(0, position));
        full.set(inflated, position);
        return full;
      },
    });
  } catch (err) {
    throw mapParserError(err);
  }
  checkLengths(dataSet, dataSet.byteArray.length);
  const ts = dataSet.string('x00020010') ?? rawTS ?? '';
  return { dataSet, transferSyntaxUID: ts.replace(/\0/g, '').trim() };
}

/** Relabels 64-bit VRs (see vr64.ts) when the meta header says the dataset is explicit VR LE. */
function relabelIfExplicitLE(parser: DicomParserModule, bytes: Uint8Array): Uint8Array {
  let meta: DataSet & { position?: number };
  try {
    meta = parser.readPart10Header(bytes);
  } catch {
    return bytes; // parseDicom below reports what is wrong with the meta header
  }
  const ts = (meta.string('x00020010') ?? '').replace(/\0/g, '').trim();
  if (NOT_EXPLICIT_LE.has(ts)) return bytes;
  return relabel64BitVRs(bytes, meta.position ?? 132);
}

/** Raw-inflates `data`, stopping as soon as the output passes `max` bytes. */
function inflateBounded(data: Uint8Array, max: number): Uint8Array {
  const inflate = new Inflate({ raw: true, chunkSize: 1 << 20 });
  const chunks: Uint8Array[] = [];
  let total = 0;
  inflate.onData = (chunk) => {
    // a dataset starts with an element of group 0004 or above (0000 is the DIMSE command group);
    // checked on the first chunk so a zero-filled bomb fails before it is inflated and parsed
    if (total === 0 && chunk.length >= 2 && (chunk[0] as number) + 256 * (chunk[1] as number) < 4)
      throw new FormatError('CORRUPT_DATA', 'the deflated dataset does not start with a data element');
    total += chunk.length;
    if (total > max)
      throw new FormatError(
        'DIMENSIONS_TOO_LARGE',
        `deflated dataset inflates past ${max} bytes (the limits allow)`,
      );
    chunks.push(chunk);
  };
  inflate.onEnd = () => {};
  inflate.push(data, true);
  if (inflate.err) throw new FormatError('CORRUPT_DATA', `deflated dataset does not inflate: ${inflate.msg}`);
  const out = new Uint8Array(total);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

/** Implicit or explicit VR LE for a dataset that starts at byte 0 with a group 0002/0008 tag. */
function guessRawTransferSyntax(b: Uint8Array): string | undefined {
  if (b.length < 8 || !((b[0] === 0x08 || b[0] === 0x02) && b[1] === 0x00 && b[3] === 0x00)) return undefined;
  const isUpper = (c: number | undefined) => c !== undefined && c >= 0x41 && c <= 0x5a;
  return isUpper(b[4]) && isUpper(b[5]) ? '1.2.840.10008.1.2.1' : '1.2.840.10008.1.2';
}

/** The meta header (its group length says how long) must fit in the file before it is parsed. */
function checkMetaHeader(b: Uint8Array): void {
  if (b.length < 144)
    throw new FormatError('TRUNCATED', `file ends (${b.length} bytes) inside the meta header`);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const isGroupLength = dv.getUint32(132, true) === 0x00000002 && b[136] === 0x55 && b[137] === 0x4c; // (0002,0000) UL
  if (isGroupLength) {
    const end = 144 + dv.getUint32(140, true);
    if (end > b.length)
      throw new FormatError(
        'TRUNCATED',
        `file ends (${b.length} bytes) inside the meta header (${end} bytes)`,
      );
  }
}

/** dicom-parser throws strings, Errors or {exception, dataSet}: turn them into FormatErrors. */
function mapParserError(err: unknown): FormatError {
  let inner: unknown = err;
  if (typeof err === 'object' && err !== null && 'exception' in err)
    inner = (err as { exception: unknown }).exception;
  if (inner instanceof FormatError) return inner;
  const msg = inner instanceof Error ? inner.message : String(inner);
  if (/DICM prefix not found/.test(msg)) return new FormatError('NOT_DICOM', msg, { cause: err });
  if (/past end of buffer|buffer overread|beyond the end/.test(msg))
    return new FormatError('TRUNCATED', `file ends inside an element: ${msg}`, { cause: err });
  if (/buffer overrun|cannot seek/.test(msg))
    return new FormatError('LENGTH_BEYOND_FILE', `an element length points past the end: ${msg}`, {
      cause: err,
    });
  if (/0002,0010/.test(msg)) return new FormatError('MISSING_ATTRIBUTE', msg, { cause: err });
  return new FormatError('CORRUPT_DATA', `unparseable dataset: ${msg}`, { cause: err });
}

/** Every element, sequence item and pixel fragment must lie inside the buffer. */
function checkLengths(ds: DataSet, size: number, depth = 0): void {
  if (depth > 32) throw new FormatError('CORRUPT_DATA', 'sequences nested deeper than 32 levels');
  for (const el of Object.values(ds.elements)) {
    checkElement(el, size);
    for (const item of el.items ?? []) if (item.dataSet) checkLengths(item.dataSet, size, depth + 1);
  }
}

function checkElement(el: Element, size: number): void {
  const where = `element (${el.tag.slice(1, 5)},${el.tag.slice(5)})`;
  if (el.fragments) {
    for (const f of el.fragments) {
      if (f.position + f.length > size)
        throw new FormatError(
          'LENGTH_BEYOND_FILE',
          `pixel fragment at byte ${f.position} declares ${f.length} bytes but the file has ${size - f.position} left`,
        );
    }
    return;
  }
  if (el.hadUndefinedLength || el.items) return; // length found by scanning, not declared
  if (el.dataOffset + el.length > size)
    throw new FormatError(
      'LENGTH_BEYOND_FILE',
      `${where} at byte ${el.dataOffset} declares ${el.length} bytes but the file has ${Math.max(0, size - el.dataOffset)} left`,
    );
}
