/**
 * The one decoder pool for the whole page (browsers) — lazily created, shared by every image.
 *
 * Browsers: a geotiff.js `Pool` whose workers run ./worker.ts (a module worker that registers the
 * same decoders as the main thread, including LZMA and WASM WebP; geotiff.js's default worker is a
 * prebuilt bundle that knows only its own decoders).
 *
 * Node: no pool; blocks decode in-process. Measured (README.md, bench/geotiff-pool.ts): a pool
 * costs 0.6-1.1 s to start and gained nothing for windowed reads or Deflate, 22 % for a whole
 * 3072x3072 LZW image; windowed reads are what viewers and the pipeline issue.
 */
import { Pool } from 'geotiff';
import { isNodeRuntime } from '../load.ts';

let shared: Pool | null | undefined;

/** The shared pool, or null where decoding in-process is the better choice (Node, no Worker). */
export function getSharedPool(): Pool | null {
  if (shared !== undefined) return shared;
  if (isNodeRuntime() || typeof Worker === 'undefined') {
    shared = null;
    return shared;
  }
  const size = Math.max(1, Math.min(4, (globalThis.navigator?.hardwareConcurrency ?? 2) - 1));
  shared = new Pool(size, () => new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' }));
  return shared;
}

/** Terminates the shared pool's workers (tests, page teardown); a later read makes a new one. */
export async function destroySharedPool(): Promise<void> {
  const p = shared;
  shared = undefined;
  if (p) await p.destroy();
}
