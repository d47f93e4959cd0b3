/**
 * multipart/related (RFC 2387) as DICOMweb uses it: parsing WADO-RS responses (instances, frames)
 * and building STOW-RS requests. Binary-safe: parts are found by their boundary bytes.
 */
import { DicomWebError } from './errors.ts';

/** One body part: its headers (lower-case names) and bytes. */
export interface Part {
  headers: Record<string, string>;
  body: Uint8Array;
}

const enc = new TextEncoder();
const dec = new TextDecoder('latin1');

/** A media-type parameter (e.g. `boundary`, `type`, `transfer-syntax`), quotes removed. */
export function mediaParam(contentType: string, name: string): string | undefined {
  const re = new RegExp(`(?:^|;)\\s*${name}\\s*=\\s*("([^"]*)"|[^;\\s]+)`, 'i');
  const m = re.exec(contentType);
  return m ? (m[2] ?? m[1]) : undefined;
}

function indexOf(hay: Uint8Array, needle: Uint8Array, from: number): number {
  const first = needle[0];
  outer: for (let i = hay.indexOf(first as number, from); i !== -1; i = hay.indexOf(first as number, i + 1)) {
    if (i + needle.length > hay.length) return -1;
    for (let k = 1; k < needle.length; k++) if (hay[i + k] !== needle[k]) continue outer;
    return i;
  }
  return -1;
}

/** Splits a multipart/related body; DICOMWEB_PARSE when the boundary is missing or a part is cut. */
export function parseMultipart(body: Uint8Array, contentType: string): Part[] {
  const boundary = mediaParam(contentType, 'boundary');
  if (!/^multipart\//i.test(contentType) || !boundary)
    throw new DicomWebError(
      'DICOMWEB_PARSE',
      `expected multipart/related with a boundary, got "${contentType}"`,
    );
  const delim = enc.encode(`--${boundary}`);
  const parts: Part[] = [];
  let at = indexOf(body, delim, 0);
  if (at === -1) throw new DicomWebError('DICOMWEB_PARSE', 'multipart body without its boundary');
  for (;;) {
    let start = at + delim.length;
    // "--" after a delimiter closes the body
    if (body[start] === 0x2d && body[start + 1] === 0x2d) return parts;
    while (body[start] === 0x20 || body[start] === 0x09) start++;
    if (body[start] === 0x0d) start++;
    if (body[start] === 0x0a) start++;
    const headEnd = indexOf(body, enc.encode('\r\n\r\n'), start);
    if (headEnd === -1) throw new DicomWebError('DICOMWEB_PARSE', 'multipart part without a header end');
    const headers: Record<string, string> = {};
    for (const line of dec.decode(body.subarray(start, headEnd)).split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const next = indexOf(body, enc.encode(`\r\n--${boundary}`), headEnd + 4);
    if (next === -1)
      throw new DicomWebError('DICOMWEB_PARSE', 'multipart body cut short (no closing boundary)');
    parts.push({ headers, body: body.slice(headEnd + 4, next) });
    at = next + 2;
  }
}

/** Builds a multipart/related body of `parts` (one media type each); returns it with its Content-Type. */
export function buildMultipart(parts: Uint8Array[], type: string): { body: Uint8Array; contentType: string } {
  const boundary = `tilesr-${crypto.randomUUID()}`;
  const chunks: Uint8Array[] = [];
  for (const p of parts) {
    chunks.push(enc.encode(`--${boundary}\r\nContent-Type: ${type}\r\n\r\n`), p, enc.encode('\r\n'));
  }
  chunks.push(enc.encode(`--${boundary}--\r\n`));
  const body = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let o = 0;
  for (const c of chunks) {
    body.set(c, o);
    o += c.length;
  }
  return { body, contentType: `multipart/related; type="${type}"; boundary=${boundary}` };
}
