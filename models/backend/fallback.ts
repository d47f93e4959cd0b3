/**
 * A session that never fails silently: tiles run on the primary backend until it fails (session
 * creation, an error such as a lost GPU device, or a NaN/Inf in an output tile), then that tile and
 * every later one run on the fallback backend, and a FallbackRecord is emitted once. Each result
 * says which backend produced it.
 */
import { asModelError, ModelError } from '../errors.ts';
import { firstNonFinite } from './tile.ts';
import type { BackendFactory, BackendId, FallbackRecord, InferenceSession, TileTensor } from './types.ts';

/** What a fallback session reports and (for tests) how to provoke a NaN on a real output. */
export interface FallbackOptions {
  /**
   * Called once per fallback, synchronously, before the affected tile is re-run. The record's
   * `tiles` is 1 then; tiles already in flight on the failed backend that fail too are added to the
   * same record later (see `FallbackSession.records`).
   */
  onFallback?: (record: FallbackRecord) => void;
  /**
   * Test hook: return true to poison tile `index`'s primary output with a NaN (after inference, so
   * the real output and the real NaN check are exercised). Never set in production.
   */
  poisonOutput?: (index: number) => boolean;
}

type Model = { id: string; scale: number; bytes: Uint8Array };

const describe = (err: unknown): string =>
  err instanceof ModelError
    ? `${err.code}: ${err.message}`
    : err instanceof Error
      ? err.message
      : String(err);

/** Errors that are the caller's, not the backend's: they must not trigger a fallback. */
const callerError = (err: unknown): boolean =>
  err instanceof ModelError && (err.code === 'ABORTED' || err.code === 'INVALID_INPUT');

/** See the module comment. Create with `FallbackSession.create`. */
export class FallbackSession implements InferenceSession {
  /** Every fallback so far, in order (also passed to `onFallback`). */
  readonly records: FallbackRecord[] = [];
  private active: InferenceSession;
  private secondary: Promise<InferenceSession> | undefined;
  private switched: FallbackRecord | undefined;
  private tiles = 0;
  /**
   * The verified weights, kept only while a fallback may still be created from them (~5-6 MB a
   * model; a page keeps one session per model/variant/backend, so holding them all adds up).
   */
  private model: Model | undefined;

  private constructor(
    readonly modelId: string,
    readonly scale: number,
    /** The primary session (undefined when its creation failed); exposed for tests and diagnostics. */
    readonly primary: InferenceSession | undefined,
    first: InferenceSession,
    private readonly fallbackFactory: BackendFactory | undefined,
    model: Model,
    private readonly options: FallbackOptions,
  ) {
    this.active = first;
    if (fallbackFactory) this.model = model;
  }

  /**
   * Creates the primary session, or, when that fails and a fallback exists, the fallback session
   * (reported). `pre` are records of backends already skipped by feature detection; they are
   * emitted here so a listener sees them.
   */
  static async create(
    primary: BackendFactory,
    fallback: BackendFactory | undefined,
    model: Model,
    options: FallbackOptions = {},
    signal?: AbortSignal,
    pre: FallbackRecord[] = [],
  ): Promise<FallbackSession> {
    let first: InferenceSession | undefined;
    let failure: unknown;
    try {
      first = await primary.createSession(model, signal);
    } catch (err) {
      if (!fallback || callerError(err)) throw err;
      failure = err;
    }
    let s: FallbackSession;
    if (first) s = new FallbackSession(model.id, model.scale, first, first, fallback, model, options);
    else {
      let second: InferenceSession;
      try {
        second = await fallback!.createSession(model, signal);
      } catch (err) {
        throw new ModelError(
          'SESSION_FAILED',
          `${primary.id} failed (${describe(failure)}), then ${fallback!.id} failed (${describe(err)})`,
          { cause: err },
        );
      }
      s = new FallbackSession(model.id, model.scale, undefined, second, undefined, model, options);
    }
    for (const r of pre) s.emit(r);
    if (!first)
      s.emit({ from: primary.id, to: fallback!.id, reason: `session creation failed: ${describe(failure)}` });
    return s;
  }

  /** The backend new tiles go to. */
  get backend(): BackendId {
    return this.active.backend;
  }

  private emit(r: FallbackRecord): void {
    this.records.push(r);
    this.options.onFallback?.(r);
  }

  private switchTo(reason: string, index: number, failed: InferenceSession): Promise<InferenceSession> {
    if (this.secondary) {
      // a tile that was already in flight on the primary when it failed: count it, report once
      if (this.switched) this.switched.tiles = (this.switched.tiles ?? 0) + 1;
      return this.secondary;
    }
    const factory = this.fallbackFactory;
    const model = this.model;
    if (!factory || !model)
      return Promise.reject(new ModelError('BACKEND_UNAVAILABLE', `${reason} (no fallback backend)`));
    this.switched = { from: failed.backend, to: factory.id, reason, tiles: 1, atTile: index };
    this.emit(this.switched);
    this.model = undefined; // one fallback at most: the weights are not needed after it
    this.secondary = factory.createSession(model).then((s) => {
      this.active = s;
      // the primary is not used again; release its memory (a lost device may refuse: ignore)
      failed.dispose().catch(() => undefined);
      return s;
    });
    return this.secondary;
  }

  async run(tile: TileTensor, signal?: AbortSignal): Promise<TileTensor> {
    const index = this.tiles++;
    const session = this.active;
    let reason: string;
    try {
      const out = await session.run(tile, signal);
      if (session === this.primary && this.options.poisonOutput?.(index))
        out.data[out.data.length >> 1] = NaN;
      const bad = firstNonFinite(out.data);
      if (bad < 0) return { ...out, backend: out.backend ?? session.backend };
      reason = `non-finite output (NaN/Inf at index ${bad}) on tile ${index} from ${session.backend}`;
      if (session !== this.primary || !this.fallbackFactory)
        throw new ModelError('NON_FINITE_OUTPUT', reason);
    } catch (err) {
      if (callerError(err) || session !== this.primary) throw err;
      if (!this.fallbackFactory) throw asModelError(err, 'SESSION_FAILED', this.modelId);
      reason = describe(err);
    }
    const next = await this.switchTo(reason, index, session);
    const out = await next.run(tile, signal);
    const bad = firstNonFinite(out.data);
    if (bad >= 0)
      throw new ModelError(
        'NON_FINITE_OUTPUT',
        `non-finite output on tile ${index} from fallback ${next.backend}`,
      );
    return { ...out, backend: out.backend ?? next.backend };
  }

  /** Releases the session in use (a failed primary was already released at the switch). */
  async dispose(): Promise<void> {
    await this.active.dispose();
  }
}
