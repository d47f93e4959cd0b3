/** The live engine's configuration defaults and what it runs on (sessions, scheduler, cache, store bound). */
import type { TileCache } from '../pipeline/cache.ts';
import type { TileScheduler } from '../pipeline/scheduler.ts';
import type { SharedSession } from './sessions.ts';
import type { LiveEnhanceConfig } from './types.ts';

/** Where the engine gets its session, scheduler and cache (default: the page-wide ones). */
export interface LiveEngineDeps {
  session?: (
    modelId: string,
    variant: LiveEnhanceConfig['variant'],
    backend: LiveEnhanceConfig['backend'],
  ) => Promise<SharedSession>;
  scheduler?: TileScheduler;
  cache?: TileCache;
  /** Neighbouring frames prefetched per view (default 2: the next and the previous). */
  maxNeighbours?: number;
  /**
   * Bytes of enhanced pixels the engine keeps ready to draw (default 128 MiB), least recently
   * drawn out first; the current view's cells are never evicted. The shared cache below keeps
   * the per-band model outputs, so an evicted cell comes back without inference.
   */
  storeBytes?: number;
}

/** The default configuration (the host overrides it from its properties). */
export const DEFAULT_LIVE_CONFIG: LiveEnhanceConfig = {
  enabled: false,
  modelId: 'medical-x2',
  variant: 'fidelity',
  backend: 'auto',
  anyZoom: false,
  tileSize: 64,
  prefetchRing: 1,
  consistencyThresholdDb: 35,
  splitX: 0,
  // 2x2 cells of 64: a view's first tile is its centre cell alone (blocks.ts), and a pan waits for at
  // most one such block (~2.7 cell runs); 256 halves the halo again on large views but a pan may then
  // wait for a 4x4 block (~9 cell runs: 11.6 s vs 1.1 s of inference in bench open-large at load 5)
  blockSize: 128,
  colorPath: 'luma',
};
