/** DICOMweb URLs: the series URL the CLI takes, and the safe form of any URL for messages. */
import { DicomWebError } from './errors.ts';

/** A series URL split into the service root and the UIDs. */
export interface SeriesUrl {
  /** The DICOMweb service root (no trailing slash), e.g. `http://pacs/dicom-web`. */
  root: string;
  study: string;
  series: string;
}

const UID = /^[0-9]+(\.[0-9]+)*$/;

/**
 * Parses `http(s)://HOST/.../studies/{StudyUID}/series/{SeriesUID}` into `{ root, study, series }`.
 * URLs with user:password are refused: credentials go in headers, where they are never printed.
 */
export function parseSeriesUrl(url: string): SeriesUrl {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new DicomWebError('DICOMWEB_URL', 'not a URL: expected http(s)://HOST/.../studies/UID/series/UID');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw new DicomWebError('DICOMWEB_URL', `${u.protocol} is not http: or https:`);
  if (u.username || u.password)
    throw new DicomWebError(
      'DICOMWEB_URL',
      `${safeUrl(url)}: credentials in URLs are refused; pass them as a header (--header, TILESR_DICOMWEB_TOKEN)`,
    );
  const m = /^(.*)\/studies\/([^/]+)\/series\/([^/]+)\/?$/.exec(u.pathname);
  const study = m ? decodeURIComponent(m[2] as string) : '';
  const series = m ? decodeURIComponent(m[3] as string) : '';
  if (!m || !UID.test(study) || !UID.test(series))
    throw new DicomWebError(
      'DICOMWEB_URL',
      `${safeUrl(url)} is not a DICOMweb series URL (http(s)://HOST/.../studies/{StudyUID}/series/{SeriesUID})`,
    );
  return { root: `${u.origin}${m[1] as string}`, study, series };
}

/** True when `url` looks like a DICOMweb series URL (cheap test before parseSeriesUrl). */
export function isSeriesUrl(url: string): boolean {
  return /^https?:\/\//i.test(url) && /\/studies\/[^/]+\/series\/[^/?#]+\/?(\?.*)?$/.test(url);
}

/** `url` without user info, query or fragment: what messages may show (queries can carry tokens). */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}
