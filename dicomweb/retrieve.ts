/**
 * WADO-RS bulk retrieval with transfer-syntax negotiation: ask for the stored encoding
 * (`transfer-syntax=*`, no server work, no loss) and keep it when formats/ decodes it; otherwise ask
 * again for Explicit VR Little Endian, which the PACS transcodes to (Orthanc's DICOMweb plugin does).
 */
import { CODECS } from '../formats/dicom/codecs/index.ts';
import type { DicomWebClient } from './client.ts';
import { DicomWebError } from './errors.ts';
import { mediaParam, parseMultipart } from './multipart.ts';

/** Explicit VR Little Endian: what every PACS can transcode to. */
export const EXPLICIT_VR_LE = '1.2.840.10008.1.2.1';

/** Options of a bulk retrieve. */
export interface RetrieveOptions {
  /** Transfer syntaxes kept as delivered (default: every syntax formats/ decodes). */
  accept?: (transferSyntaxUID: string) => boolean;
  signal?: AbortSignal;
}

const decodable = (ts: string) => CODECS.has(ts);
const seg = (uid: string) => encodeURIComponent(uid);

/** The Transfer Syntax UID of Part 10 bytes (group 0002 is always Explicit VR Little Endian). */
export function part10TransferSyntax(bytes: Uint8Array): string {
  const isDicm = bytes[128] === 0x44 && bytes[129] === 0x49 && bytes[130] === 0x43 && bytes[131] === 0x4d;
  if (!isDicm)
    throw new DicomWebError('DICOMWEB_PARSE', 'WADO-RS part is not a DICOM Part 10 file (no DICM)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let o = 132;
  while (o + 8 <= bytes.length && view.getUint16(o, true) === 0x0002) {
    const element = view.getUint16(o + 2, true);
    const vr = String.fromCharCode(bytes[o + 4] as number, bytes[o + 5] as number);
    const long = ['OB', 'OW', 'OF', 'SQ', 'UT', 'UN'].includes(vr);
    const len = long ? view.getUint32(o + 8, true) : view.getUint16(o + 6, true);
    const start = o + (long ? 12 : 8);
    if (element === 0x0010)
      return new TextDecoder('latin1').decode(bytes.subarray(start, start + len)).replace(/[\0 ]+$/, '');
    o = start + len;
  }
  throw new DicomWebError('DICOMWEB_PARSE', 'WADO-RS part has no Transfer Syntax UID in its meta header');
}

/**
 * WADO-RS: one instance as Part 10 bytes, in a transfer syntax `accept` keeps (the stored one when it
 * does, else transcoded by the PACS to Explicit VR Little Endian).
 */
export async function retrieveInstance(
  c: DicomWebClient,
  study: string,
  series: string,
  instance: string,
  o: RetrieveOptions = {},
): Promise<Uint8Array> {
  const accept = o.accept ?? decodable;
  const path = `/studies/${seg(study)}/series/${seg(series)}/instances/${seg(instance)}`;
  const get = async (ts: string) => {
    const res = await c.request({
      path,
      accept: `multipart/related; type="application/dicom"; transfer-syntax=${ts}`,
      what: 'WADO-RS instance',
      signal: o.signal,
    });
    const [part] = parseMultipart(res.body, res.contentType);
    if (!part)
      throw new DicomWebError('DICOMWEB_PARSE', `WADO-RS instance ${instance}: no part in the answer`);
    return part.body;
  };
  const first = await get('*');
  if (accept(part10TransferSyntax(first))) return first;
  const again = await get(EXPLICIT_VR_LE);
  const ts = part10TransferSyntax(again);
  if (ts !== EXPLICIT_VR_LE)
    throw new DicomWebError(
      'DICOMWEB_PARSE',
      `WADO-RS instance ${instance}: asked for ${EXPLICIT_VR_LE}, got ${ts}`,
    );
  return again;
}

/** One frame's pixel bytes as delivered. */
export interface RetrievedFrame {
  transferSyntaxUID: string;
  bytes: Uint8Array;
}

/**
 * WADO-RS: frames (1-based numbers) of one instance, each with its transfer syntax (native frames:
 * raw little-endian samples; encapsulated: one compressed frame).
 */
export async function retrieveFrames(
  c: DicomWebClient,
  study: string,
  series: string,
  instance: string,
  frames: number[],
  o: RetrieveOptions = {},
): Promise<RetrievedFrame[]> {
  const accept = o.accept ?? decodable;
  const path = `/studies/${seg(study)}/series/${seg(series)}/instances/${seg(instance)}/frames/${frames.join(',')}`;
  const get = async (ts: string) => {
    const res = await c.request({
      path,
      accept: `multipart/related; type="application/octet-stream"; transfer-syntax=${ts}`,
      what: 'WADO-RS frames',
      signal: o.signal,
    });
    // the syntax is a parameter of each part's type, or of the outer `type` parameter (Orthanc)
    const outer = mediaParam(mediaParam(res.contentType, 'type') ?? '', 'transfer-syntax');
    const parts = parseMultipart(res.body, res.contentType);
    if (parts.length !== frames.length)
      throw new DicomWebError(
        'DICOMWEB_PARSE',
        `WADO-RS frames: asked for ${frames.length}, got ${parts.length}`,
      );
    return parts.map((p) => ({
      transferSyntaxUID:
        mediaParam(p.headers['content-type'] ?? '', 'transfer-syntax') ?? outer ?? (ts === '*' ? '' : ts),
      bytes: p.body,
    }));
  };
  const first = await get('*');
  if (first.every((f) => f.transferSyntaxUID !== '' && accept(f.transferSyntaxUID))) return first;
  return get(EXPLICIT_VR_LE);
}
