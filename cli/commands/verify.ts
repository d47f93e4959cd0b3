/**
 * `tilesr verify FILE`: prints, as JSON, the provenance a file carries (DICOM derivation attributes,
 * GeoTIFF GDAL_METADATA, the C2PA manifest of a picture and its validation state). Exit 0 when the
 * file says it is AI-enhanced and (for pictures) its credentials validate; 1 otherwise, so scripts can
 * gate on it.
 */
import { readFile } from 'node:fs/promises';
import { verifyBytes } from '../../plugin/export/verify.ts';
import { parse } from '../args.ts';

/** Runs `verify`. */
export async function verify(argv: string[]): Promise<number> {
  const { positionals } = parse(argv, {}, 1);
  const file = positionals[0] as string;
  const report = await verifyBytes(new Uint8Array(await readFile(file)));
  process.stdout.write(JSON.stringify({ file, ...report }, null, 2) + '\n');
  return report.aiEnhanced ? 0 : 1;
}
