/**
 * What a file says about how it was made: the provenance each export format carries, read back with
 * the same code paths as the writers (`tilesr verify FILE` prints it). DICOM: derivation attributes;
 * GeoTIFF: GDAL_METADATA's TILESR_PROVENANCE; PNG/JPEG: the C2PA manifest with its validation state
 * (plus tilesr's PNG tEXt provenance). Readers load lazily, as the writers do.
 */
import { readPngText } from '../../formats/png/decode.ts';
import type { C2paProvenance } from './c2pa-read.ts';

/** The provenance found in one file. */
export interface VerifyReport {
  format: 'dicom' | 'geotiff' | 'png' | 'jpeg' | 'unknown';
  /** True when the file says it holds AI-enhanced pixels (and, for pictures, the credentials hold). */
  aiEnhanced: boolean;
  dicom?: Record<string, unknown>;
  geotiff?: Record<string, unknown>;
  c2pa?: C2paProvenance;
  /** PNG tEXt chunks (tilesr writes its provenance JSON under `tilesr:provenance`). */
  text?: Record<string, string>;
}

function sniff(b: Uint8Array): VerifyReport['format'] {
  const at = (i: number, s: string) => [...s].every((c, k) => b[i + k] === c.charCodeAt(0));
  if (b.length > 132 && at(128, 'DICM')) return 'dicom';
  if (at(0, 'II*\0') || at(0, 'MM\0*') || at(0, 'II+\0') || at(0, 'MM\0+')) return 'geotiff';
  if (at(0, '\x89PNG')) return 'png';
  if (b[0] === 0xff && b[1] === 0xd8) return 'jpeg';
  return 'unknown';
}

/** Reads the provenance of a file's bytes. */
export async function verifyBytes(bytes: Uint8Array): Promise<VerifyReport> {
  const format = sniff(bytes);
  switch (format) {
    case 'dicom': {
      const dicom = (await import('./dicom.ts')).readDicomProvenance(bytes);
      return { format, aiEnhanced: dicom['aiEnhanced'] === true, dicom };
    }
    case 'geotiff': {
      const geotiff = await (await import('./geotiff.ts')).readGeotiffProvenance(bytes);
      return { format, aiEnhanced: geotiff['aiEnhanced'] === true, geotiff };
    }
    case 'png':
    case 'jpeg': {
      const { readC2paProvenance } = await import('./c2pa-read.ts');
      const c2pa = await readC2paProvenance(bytes, format === 'png' ? 'image/png' : 'image/jpeg');
      const text = format === 'png' ? readPngText(bytes) : undefined;
      return {
        format,
        aiEnhanced: c2pa.aiGenerated && c2pa.validation.valid,
        c2pa,
        ...(text ? { text } : {}),
      };
    }
    default:
      return { format, aiEnhanced: false };
  }
}
