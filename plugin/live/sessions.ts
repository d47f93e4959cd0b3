/**
 * What every viewer on a page shares: one inference session per model/variant/backend preference
 * (weights verified and loaded once), one TileScheduler (visible tiles of any viewer before anyone's
 * prefetch) and one TileCache (panning back never re-runs the model).
 */
import { createSession } from '../../models/backend/select.ts';
import type { FallbackSession } from '../../models/backend/fallback.ts';
import type { BackendPreference, FallbackRecord } from '../../models/backend/types.ts';
import type { Variant } from '../../models/card.ts';
import { getModel, loadModel } from '../../models/registry.ts';
import { TileCache } from '../pipeline/cache.ts';
import { TileScheduler } from '../pipeline/scheduler.ts';
import { YieldingSession } from './yielding-session.ts';

/** A shared session and the fallbacks it has reported (replayed to late listeners). */
export interface SharedSession {
  /** The model session, yielding a frame before each tile (see yielding-session.ts). */
  session: YieldingSession;
  fallbackSession: FallbackSession;
  records: FallbackRecord[];
  listeners: Set<(r: FallbackRecord) => void>;
}

const sessions = new Map<string, Promise<SharedSession>>();

/** The page-wide tile scheduler (one tile at a time: inference saturates the device anyway). */
export const sharedScheduler = new TileScheduler({ concurrency: 1 });

/** The page-wide enhanced-tile cache (256 MiB of normalized float32 SR tiles). */
export const sharedCache = new TileCache(256 * 1024 * 1024);

/** How a shared session is created, besides model, variant and backend. */
export interface SharedSessionOptions {
  /**
   * Directory URL serving onnxruntime-web's .wasm files (a host that self-hosts them, e.g. the OHIF
   * extension); default: onnxruntime-web's own. Sessions with different paths are not shared.
   */
  wasmPaths?: string;
}

/** The session for a model, created on first use; a failed creation is forgotten so it can be retried. */
export function sharedSession(
  modelId: string,
  variant: Variant,
  backend: BackendPreference,
  options: SharedSessionOptions = {},
): Promise<SharedSession> {
  const { wasmPaths } = options;
  const key = `${modelId}|${variant}|${backend}${wasmPaths === undefined ? '' : `|${wasmPaths}`}`;
  let p = sessions.get(key);
  if (!p) {
    const shared: Omit<SharedSession, 'session' | 'fallbackSession'> = { records: [], listeners: new Set() };
    const onFallback = (r: FallbackRecord) => {
      shared.records.push(r);
      for (const l of shared.listeners) l(r);
    };
    p = (async () => {
      const entry = getModel(modelId, variant);
      const fallbackSession = await createSession(await loadModel(entry), {
        preference: backend,
        ...(wasmPaths === undefined ? {} : { wasmPaths }),
        onFallback,
      });
      return { ...shared, fallbackSession, session: new YieldingSession(fallbackSession) };
    })();
    p.catch(() => sessions.delete(key));
    sessions.set(key, p);
  }
  return p;
}

/** Shared sessions created (or being created) on this page: one per model/variant/backend used. */
export function sharedSessionCount(): number {
  return sessions.size;
}

/** Disposes every shared session (tests, page teardown). */
export async function disposeSharedSessions(): Promise<void> {
  const all = [...sessions.values()];
  sessions.clear();
  for (const p of all) await p.then((s) => s.session.dispose()).catch(() => undefined);
}
