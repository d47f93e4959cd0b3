/**
 * Frames next to the shown one in a stack, loaded for prefetch: the engine enhances their cells of the
 * current view after the visible ones. Only the few nearest loads are kept; a frame that fails to load
 * is forgotten (and simply not prefetched).
 */
import type { LiveImage } from './types.ts';

/** Loads a frame of the stack by image id, for prefetch (the engine keeps a few). */
export type NeighbourLoader = (imageId: string) => Promise<LiveImage>;

/** The loaded neighbouring frames, at most `2 * max + 2` kept. */
export class NeighbourFrames {
  private readonly loads = new Map<string, Promise<LiveImage>>();
  private loader: NeighbourLoader | undefined;

  constructor(readonly max: number) {}

  /** Sets (or removes) the loader; loads of the previous one are dropped. */
  setLoader(loader: NeighbourLoader | undefined): void {
    this.loader = loader;
    this.loads.clear();
  }

  get enabled(): boolean {
    return this.loader !== undefined;
  }

  /** The frame `id`, loaded once; undefined when it does not load or no loader is set. */
  async load(id: string): Promise<LiveImage | undefined> {
    const loader = this.loader;
    if (!loader) return undefined;
    let p = this.loads.get(id);
    if (!p) {
      p = loader(id);
      p.catch(() => this.loads.delete(id));
      this.loads.set(id, p);
      // keep the few nearest frames only
      if (this.loads.size > 2 * this.max + 2) {
        const oldest = this.loads.keys().next().value;
        if (oldest !== undefined) this.loads.delete(oldest);
      }
    }
    try {
      return await p;
    } catch {
      return undefined;
    }
  }

  forget(id: string): void {
    this.loads.delete(id);
  }
}
