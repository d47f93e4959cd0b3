/**
 * `openDicom`: a DICOM file as a RasterSource. In a browser window decoding runs in a module worker
 * (worker.ts, through worker-client.ts) so the page stays responsive; in Node and inside workers it
 * runs in the calling thread.
 */
import { describeInput, readAllBytes, type RasterInput } from '../input.ts';
import { asFormatError, FormatError } from '../errors.ts';
import type { DecodeLimits, Raster, RasterSource, ReadOptions } from '../raster.ts';
import { decodeFrame, openDicomBytes } from './decode.ts';

/** Options of openDicom. */
export interface DicomOpenOptions {
  limits: DecodeLimits;
  signal?: AbortSignal;
  /** Decode in a worker; default true in a browser window (where `Worker` and `window` exist). */
  worker?: boolean;
}

/** True where a module worker can take the decoding off the main thread. */
export function canUseWorker(): boolean {
  return typeof Worker !== 'undefined' && typeof window !== 'undefined';
}

/** Opens a DICOM file: parses and checks the header now, decodes frames on `read`. */
export async function openDicom(input: RasterInput, opts: DicomOpenOptions): Promise<RasterSource> {
  const bytes = await readAllBytes(input, opts.signal);
  if (opts.worker ?? canUseWorker()) {
    const { openDicomInWorker } = await import('./worker-client.ts');
    return openDicomInWorker(bytes, opts.limits, opts.signal);
  }
  try {
    const opened = await openDicomBytes(bytes, opts.limits, opts.signal);
    let closed = false;
    return {
      info: opened.info,
      async read(options: ReadOptions = {}): Promise<Raster> {
        if (closed) throw new FormatError('ABORTED', 'DICOM source is closed');
        try {
          return await decodeFrame(opened, options.frame ?? 0, options.window, options.signal);
        } catch (err) {
          throw asFormatError(err, 'CORRUPT_DATA', describeInput(input)); // a codec's RangeError too
        }
      },
      async close(): Promise<void> {
        closed = true;
      },
    };
  } catch (err) {
    throw asFormatError(err, 'CORRUPT_DATA', describeInput(input));
  }
}
