/**
 * `tilesr inspect <DICOMweb series URL>`: the instances of a series as JSON (SOP Instance UID,
 * Instance Number, rows/columns, frames, transfer syntax). The stored transfer syntax comes from the
 * metadata when the PACS gives it; otherwise from a WADO-RS request for frame 1 in its stored syntax
 * (Orthanc's metadata does not carry it), so inspect reads one frame per instance.
 */
import { createClient, type DicomWebClient } from '../dicomweb/client.ts';
import { str, TAGS, type DicomJson } from '../dicomweb/json.ts';
import { retrieveFrames } from '../dicomweb/retrieve.ts';
import { parseSeriesUrl } from '../dicomweb/url.ts';
import { parse } from './args.ts';
import { dicomwebHeaders, HEADER_OPTION } from './dicomweb-options.ts';
import { listSeries } from './enhance-series.ts';

async function transferSyntax(
  c: DicomWebClient,
  ds: DicomJson | undefined,
  study: string,
  series: string,
  uid: string,
): Promise<string | null> {
  const named = ds && (str(ds, TAGS.AvailableTransferSyntaxUID) ?? str(ds, TAGS.TransferSyntaxUID));
  if (named) return named;
  // accept whatever is stored: no transcoding, the answer's type names the syntax
  const [f] = await retrieveFrames(c, study, series, uid, [1], { accept: () => true });
  return f?.transferSyntaxUID || null;
}

/** Runs `inspect <series URL>`. */
export async function inspectSeries(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { ...HEADER_OPTION }, 1);
  const { root, study, series } = parseSeriesUrl(positionals[0] as string);
  const client = createClient({ root, headers: dicomwebHeaders(values.header) });
  const { instances, metadata } = await listSeries(client, study, series);
  const byUid = new Map(metadata.map((ds) => [str(ds, TAGS.SOPInstanceUID), ds]));
  const rows = await Promise.all(
    instances.map(async (i) => ({
      sop_instance_uid: i.sopInstanceUID,
      instance_number: i.instanceNumber ?? null,
      rows: i.rows ?? null,
      columns: i.columns ?? null,
      frames: i.frames,
      transfer_syntax_uid: await transferSyntax(
        client,
        byUid.get(i.sopInstanceUID),
        study,
        series,
        i.sopInstanceUID,
      ),
      sop_class_uid: i.sopClassUID ?? null,
    })),
  );
  const first = metadata[0];
  const out = {
    format: 'dicomweb-series',
    root,
    study_instance_uid: study,
    series_instance_uid: series,
    modality: first ? (str(first, TAGS.Modality) ?? null) : null,
    series_description: first ? (str(first, TAGS.SeriesDescription) ?? null) : null,
    instances: rows,
  };
  process.stdout.write(JSON.stringify(out, null, 2) + '\n');
  return 0;
}
