/**
 * STOW idempotency: a derived series the queue stores carries a tag in its SeriesDescription
 * (`tilesr:<16 hex>`, a hash of the source study/series, the model's sha256 and the options), which
 * every QIDO-RS series search returns. Before enhancing, the worker looks for a complete series with
 * the same tag in the source study and skips the job when there is one.
 */
import { searchInstances, searchSeries, type DicomWebClient } from '../dicomweb/client.ts';
import { str, TAGS } from '../dicomweb/json.ts';
import { sha256Json } from './files.ts';

/** The tag of the derived series made from `source` with `modelSha256` and `options`. */
export function derivedTag(
  source: { study: string; series: string },
  modelSha256: string,
  options: unknown,
): string {
  const key = {
    study: source.study,
    series: source.series,
    model_sha256: modelSha256,
    options: sha256Json(options),
  };
  // 64 bits: SeriesDescription is 64 characters, and a collision needs the same study anyway
  return `tilesr:${sha256Json(key).slice(0, 16)}`;
}

/**
 * The SeriesInstanceUID of a series of `study` whose SeriesDescription ends with `tag` and that holds
 * `expected` instances (a run cut short leaves fewer: it does not count), or undefined.
 */
export async function findDerived(
  client: DicomWebClient,
  study: string,
  tag: string,
  expected: number,
  signal?: AbortSignal,
): Promise<string | undefined> {
  const series = await searchSeries(client, study, { includefield: TAGS.SeriesDescription }, signal);
  for (const s of series) {
    const uid = str(s, TAGS.SeriesInstanceUID);
    if (!uid || !(str(s, TAGS.SeriesDescription) ?? '').endsWith(` ${tag}`)) continue;
    const instances = await searchInstances(client, study, uid, undefined, signal);
    if (instances.length >= expected) return uid;
  }
  return undefined;
}
