/** .npy: float32 in the source's original units, [H,W] for one band, [H,W,C] for several. */
import { encodeNpy } from '../../formats/npy.ts';
import type { ExportWriter } from './types.ts';

/** The NumPy writer (no provenance inside: the CLI prints it with --json). */
export const npyWriter: ExportWriter = {
  format: 'npy',
  mediaType: 'application/octet-stream',
  extensions: ['npy'],
  check: () => undefined,
  write: async ({ result }) => ({
    bytes: encodeNpy({
      shape:
        result.samples === 1 ? [result.height, result.width] : [result.height, result.width, result.samples],
      dtype: 'float32',
      data: result.data,
    }),
    format: 'npy',
    mediaType: 'application/octet-stream',
    extension: 'npy',
    notes: [],
  }),
};
