/**
 * STOW-RS: Part 10 instances POSTed as multipart/related application/dicom; the answer (DICOM JSON)
 * lists what the PACS stored (ReferencedSOPSequence) and refused (FailedSOPSequence, with reasons).
 * A STOW request is sent once (never re-sent after a timeout or a lost connection: it may have
 * landed); a 409 (all refused) and 202 (some refused) are answers, not errors.
 */
import type { DicomWebClient } from './client.ts';
import { DicomWebError } from './errors.ts';
import { items, parseDicomJson, str, num, TAGS } from './json.ts';
import { buildMultipart } from './multipart.ts';

/** One instance the PACS stored or refused. */
export interface StowInstance {
  sopClassUID: string | undefined;
  sopInstanceUID: string | undefined;
  /** RetrieveURL the PACS gave for a stored instance. */
  retrieveUrl?: string;
  /** Failure Reason (0008,1197) of a refused instance. */
  failureReason?: number;
}

/** What a STOW-RS request stored. */
export interface StowResult {
  status: number;
  stored: StowInstance[];
  failed: StowInstance[];
}

/** Options of `stow`. */
export interface StowOptions {
  /** Store into this study (POST …/studies/{uid}); instances of another study are then refused. */
  study?: string;
  signal?: AbortSignal;
}

/** The stored and failed instances of a STOW-RS response body. */
export function parseStowResponse(status: number, text: string): StowResult {
  const [ds] = parseDicomJson(text, 'STOW-RS response');
  const ref = (item: Parameters<typeof str>[0], withUrl: boolean): StowInstance => ({
    sopClassUID: str(item, TAGS.ReferencedSOPClassUID),
    sopInstanceUID: str(item, TAGS.ReferencedSOPInstanceUID),
    ...(withUrl
      ? { retrieveUrl: str(item, TAGS.RetrieveURL) }
      : { failureReason: num(item, TAGS.FailureReason) }),
  });
  return {
    status,
    stored: ds ? items(ds, TAGS.ReferencedSOPSequence).map((i) => ref(i, true)) : [],
    failed: ds ? items(ds, TAGS.FailedSOPSequence).map((i) => ref(i, false)) : [],
  };
}

/** STOW-RS: stores Part 10 `instances` in one request; returns what was stored and refused. */
export async function stow(
  c: DicomWebClient,
  instances: Uint8Array[],
  o: StowOptions = {},
): Promise<StowResult> {
  const { body, contentType } = buildMultipart(instances, 'application/dicom');
  const res = await c.request({
    method: 'POST',
    path: o.study === undefined ? '/studies' : `/studies/${encodeURIComponent(o.study)}`,
    accept: 'application/dicom+json',
    contentType,
    body,
    okStatuses: [409],
    what: 'STOW-RS',
    signal: o.signal,
  });
  return parseStowResponse(res.status, new TextDecoder().decode(res.body));
}

/** Throws DICOMWEB_STOW_FAILED unless every one of `sopInstanceUIDs` is among the stored. */
export function checkStored(result: StowResult, sopInstanceUIDs: string[]): void {
  const stored = new Set(result.stored.map((s) => s.sopInstanceUID));
  const missing = sopInstanceUIDs.filter((u) => !stored.has(u));
  if (missing.length === 0) return;
  const reasons = result.failed
    .map(
      (f) => `${f.sopInstanceUID ?? '?'}: reason 0x${(f.failureReason ?? 0).toString(16).padStart(4, '0')}`,
    )
    .join('; ');
  throw new DicomWebError(
    'DICOMWEB_STOW_FAILED',
    `STOW-RS (HTTP ${result.status}) did not store ${missing.join(', ')}${reasons ? ` (${reasons})` : ''}`,
    { status: result.status },
  );
}
