/**
 * The one decoder pool for the whole page (browsers) — lazily created, shared by every image.
 *
 * Browsers: a geotiff.js `Pool` whose workers run ./worker.ts (a module worker that registers the
 * same decoders as the main thread, including LZMA and WASM WebP; geotiff.js's default worker is a
 * prebuilt bundle that knows only its own decoders).
 *
 * Node: no pool; tiles decode in-process. Measured (see formats/geotiff/README.md): geotiff.js's
 * worker pool in Node costs a worker start-up of tens of ms and a structured-clone round trip per
 * tile, and gained nothing on our tile sizes; callers wanting parallelism in Node decode several
 * windows concurrently instead.
 */
import { Pool } from 'geotiff';

let shared: Pool | null | undefined;

/** True in Node (and Deno/Bun with process.versions.node), where we decode in-process. */
export function isNodeLike(): boolean {
  return typeof process !== 'undefined' && typeof process.versions?.node === 'string';
}

/** The shared pool, or null where decoding in-process is the better choice (Node, no Worker). */
export function getSharedPool(): Pool | null {
  if (shared !== undefined) return shared;
  if (isNodeLike() || typeof Worker === 'undefined') {
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
