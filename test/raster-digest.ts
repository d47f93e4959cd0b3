/**
 * Browser side of the "Chromium decodes like Node" checks: a raster's digest computed in the page,
 * and the same digest from Node's decoder through the `node-decode` server command
 * (test/node-decode.plugin.mjs computes it the same way).
 */
import { executeServerCommand } from '@web/test-runner-commands';
import type { PixelWindow, Raster } from '../formats/raster.ts';

/** Shape (NumPy order), dtype and sha256 of the data bytes as they lie in memory. */
export interface RasterDigest {
  shape: number[];
  dtype: string;
  sha256: string;
}

/** What the Node decoder is asked to read. */
export interface NodeDecodeRequest {
  /** Path relative to the repository root. */
  path: string;
  frame?: number;
  window?: PixelWindow;
  targetSize?: { width: number; height: number };
}

/** The digest of a raster decoded in this page. */
export async function digest(r: Raster): Promise<RasterDigest> {
  const view = new Uint8Array(r.data.buffer, r.data.byteOffset, r.data.byteLength).slice();
  const hash = new Uint8Array(await crypto.subtle.digest('SHA-256', view));
  return {
    shape: r.samples === 1 ? [r.height, r.width] : [r.height, r.width, r.samples],
    dtype: r.dtype,
    sha256: Array.from(hash, (b) => b.toString(16).padStart(2, '0')).join(''),
  };
}

/** The digest of the same read done by Node's decoder (openRaster) in the test runner's process. */
export async function nodeDigest(request: NodeDecodeRequest): Promise<RasterDigest> {
  const d = await executeServerCommand<RasterDigest, NodeDecodeRequest>('node-decode', request);
  if (!d) throw new Error('node-decode server command gave no answer');
  return d;
}
