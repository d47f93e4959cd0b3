/** Relays the fallbacks of the shared session in use to the host, replaying those reported before it listened. */
import type { FallbackRecord } from '../../models/backend/types.ts';
import type { SharedSession } from './sessions.ts';

/** Listens to one shared session at a time. */
export class FallbackRelay {
  private session: SharedSession | undefined;
  private readonly listener: (r: FallbackRecord) => void;

  constructor(report: (r: FallbackRecord) => void) {
    this.listener = report;
  }

  /** Listens to `shared` (and no longer to the previous session); replays what it reported so far. */
  listen(shared: SharedSession): void {
    if (this.session === shared) return;
    this.session?.listeners.delete(this.listener);
    this.session = shared;
    shared.listeners.add(this.listener);
    for (const r of shared.records) this.listener(r); // e.g. 'auto' without WebGPU: reported at creation
  }

  /** The fallbacks of the session listened to. */
  get records(): readonly FallbackRecord[] {
    return this.session?.records ?? [];
  }

  stop(): void {
    this.session?.listeners.delete(this.listener);
  }
}
