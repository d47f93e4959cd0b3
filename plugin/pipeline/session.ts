/**
 * Picks the first backend that works from an ordered list and falls back to the next one when a
 * backend fails mid-run. Every switch is a FallbackRecord (event + provenance), never silent.
 * Receives backend factories from the caller so plugin/ never imports onnxruntime itself.
 */
import type {
  BackendFactory,
  BackendId,
  FallbackRecord,
  InferenceSession,
  TileTensor,
} from '../../models/backend/types.ts';
import { PipelineError } from './errors.ts';

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));
const isAbort = (err: unknown, signal?: AbortSignal) =>
  signal?.aborted === true || (err as { code?: unknown } | null)?.code === 'ABORTED';

/** A session over an ordered list of backends, with fallback on failure. */
export class BackendChain {
  readonly fallbacks: FallbackRecord[] = [];
  private session: InferenceSession | undefined;
  private switching: Promise<InferenceSession> | undefined;
  private next = 0;
  private readonly owned: boolean;

  private constructor(
    private readonly model: { id: string; scale: number; bytes: Uint8Array } | undefined,
    private readonly factories: BackendFactory[],
    private readonly onFallback?: (r: FallbackRecord) => void,
    given?: InferenceSession,
  ) {
    this.session = given;
    this.owned = given === undefined;
  }

  /** Wraps a session the caller owns (no fallback, not disposed here). */
  static of(session: InferenceSession): BackendChain {
    return new BackendChain(undefined, [], undefined, session);
  }

  /** Opens the first backend in `factories` that is available and creates a session. */
  static async open(
    model: { id: string; scale: number; bytes: Uint8Array },
    factories: BackendFactory[],
    options: { signal?: AbortSignal; onFallback?: (r: FallbackRecord) => void } = {},
  ): Promise<BackendChain> {
    if (factories.length === 0) throw new PipelineError('INVALID_REQUEST', 'no inference backend given');
    const s = new BackendChain(model, factories, options.onFallback);
    await s.advance(undefined, options.signal);
    return s;
  }

  /** Backend currently in use. */
  get backend(): BackendId {
    if (!this.session) throw new PipelineError('MODEL_UNAVAILABLE', 'no session is open');
    return this.session.backend;
  }

  /** Runs one tile; on a backend failure switches to the next backend and retries the tile there. */
  async run(tile: TileTensor, signal?: AbortSignal): Promise<TileTensor & { backend: BackendId }> {
    for (;;) {
      const session = this.session ?? (await this.switching);
      if (!session) throw new PipelineError('MODEL_UNAVAILABLE', 'no session is open');
      try {
        const out = await session.run(tile, signal);
        return { ...out, backend: out.backend ?? session.backend };
      } catch (err) {
        if (isAbort(err, signal))
          throw new PipelineError('ABORTED', 'enhancement was aborted', { cause: err });
        if (this.next >= this.factories.length)
          throw new PipelineError('TILE_FAILED', `tile failed on ${session.backend}: ${message(err)}`, {
            cause: err,
          });
        // several tiles may fail at once: only the first one switches, the rest wait for it
        if (this.session === session) {
          this.session = undefined;
          this.switching = this.advance({ from: session.backend, reason: message(err) }, signal);
          this.switching.then(
            () => session.dispose().catch(() => undefined),
            () => undefined,
          );
        }
        await this.switching;
      }
    }
  }

  /** Counts tiles run on the latest fallback target (provenance). */
  noteTile(backend: BackendId): void {
    const last = this.fallbacks[this.fallbacks.length - 1];
    if (last && last.to === backend) last.tiles = (last.tiles ?? 0) + 1;
  }

  /** Releases the session if this object created it. */
  async dispose(): Promise<void> {
    const s = this.session ?? (await this.switching?.catch(() => undefined));
    if (this.owned) await s?.dispose();
  }

  private async advance(failed: { from: BackendId; reason: string } | undefined, signal?: AbortSignal) {
    let pending = failed;
    while (this.next < this.factories.length) {
      const f = this.factories[this.next++] as BackendFactory;
      // every pass through the loop below either returns or sets `pending` anew
      if (pending) this.record({ from: pending.from, to: f.id, reason: pending.reason });
      try {
        if (!(await f.available())) {
          pending = { from: f.id, reason: `${f.id} is not available here` };
          continue;
        }
        this.session = await f.createSession(this.model as NonNullable<typeof this.model>, signal);
        return this.session;
      } catch (err) {
        if (isAbort(err, signal))
          throw new PipelineError('ABORTED', 'enhancement was aborted', { cause: err });
        pending = { from: f.id, reason: message(err) };
      }
    }
    throw new PipelineError(
      'MODEL_UNAVAILABLE',
      `no backend could run the model${pending ? `: ${pending.from}: ${pending.reason}` : ''}`,
    );
  }

  private record(r: FallbackRecord): void {
    this.fallbacks.push(r);
    this.onFallback?.(r);
  }
}
