/**
 * Writers keyed by format, loaded on first use (geotiff.js style): the DICOM writer pulls in dcmjs
 * and the picture writer the C2PA library only when such a file is written.
 */
import { ExportError } from './errors.ts';
import type { ExportFormat, ExportWriter } from './types.ts';

export type { ExportFormat, ExportOutput, ExportRequest, ExportSigner, ExportWriter } from './types.ts';
export { ExportError, type ExportErrorCode } from './errors.ts';

const LOADERS: Record<ExportFormat, () => Promise<ExportWriter>> = {
  dicom: async () => (await import('./dicom.ts')).dicomWriter,
  geotiff: async () => (await import('./geotiff.ts')).geotiffWriter,
  png: async () => (await import('./picture.ts')).pngWriter,
  jpeg: async () => (await import('./picture.ts')).jpegWriter,
  npy: async () => (await import('./npy.ts')).npyWriter,
};

const EXTENSIONS: Record<string, ExportFormat> = {
  dcm: 'dicom',
  tif: 'geotiff',
  tiff: 'geotiff',
  png: 'png',
  jpg: 'jpeg',
  jpeg: 'jpeg',
  npy: 'npy',
};

/** The format a file name's extension asks for; UNKNOWN_FORMAT otherwise. */
export function formatForPath(path: string): ExportFormat {
  const ext = /\.([a-z0-9]+)$/i.exec(path)?.[1]?.toLowerCase() ?? '';
  const f = EXTENSIONS[ext];
  if (!f)
    throw new ExportError(
      'UNKNOWN_FORMAT',
      `no writer for ".${ext}": use one of ${Object.keys(EXTENSIONS)
        .map((e) => '.' + e)
        .join(' ')}`,
    );
  return f;
}

/** The writer for a format (loaded on first use). */
export async function getWriter(format: ExportFormat): Promise<ExportWriter> {
  const load = LOADERS[format];
  if (!load) throw new ExportError('UNKNOWN_FORMAT', `no writer for format "${String(format)}"`);
  return load();
}
