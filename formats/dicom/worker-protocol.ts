/** Messages between worker-client.ts (window) and worker.ts (module worker). */
import type { FormatErrorCode } from '../errors.ts';
import type { DecodeLimits, ImageInfo, PixelWindow, Raster } from '../raster.ts';

/** A request without its id. `open` carries a copy of the file; the worker keeps it for later reads. */
export type WorkerRequestBody =
  | { type: 'open'; bytes: Uint8Array; limits: DecodeLimits }
  | { type: 'read'; frame: number; window?: PixelWindow };

/** Window -> worker. */
export type WorkerRequest = WorkerRequestBody & { id: number };

/** Worker -> window; a raster's pixel buffer is transferred, not copied. */
export type WorkerResponse =
  | { id: number; ok: true; info: ImageInfo }
  | { id: number; ok: true; raster: Raster }
  | { id: number; ok: false; code: FormatErrorCode; message: string };
