/** LRU cache of enhanced tiles, bounded by bytes, so panning back and forth never re-runs a model. */
import type { Rect } from './tiler.ts';

/** Everything an enhanced tile depends on; two tiles share a key only if their pixels are identical. */
export interface TileKeyParts {
  imageId: string;
  frame: number;
  band: number;
  /** LR pixels the model saw (core + halo) and the part of the output kept. */
  input: Rect;
  core: Rect;
  modelId: string;
  variant: string;
  sha256: string;
  backend: string;
  /** Normalization range of the band: the model input depends on it. */
  range: [number, number];
}

/** A stable string key for a tile. */
export function tileCacheKey(p: TileKeyParts): string {
  const r = (q: Rect) => `${q.x},${q.y},${q.width},${q.height}`;
  return [
    p.imageId,
    `f${p.frame}`,
    `b${p.band}`,
    `in${r(p.input)}`,
    `core${r(p.core)}`,
    `${p.modelId}:${p.variant}:${p.sha256}`,
    p.backend,
    `range${p.range[0]},${p.range[1]}`,
  ].join('|');
}

/** Anything with a size in bytes (typed arrays). */
export interface Sized {
  readonly byteLength: number;
}

/** Least-recently-used map bounded by total byteLength; oversized values are not stored. */
export class TileCache<V extends Sized = Float32Array> {
  private readonly map = new Map<string, V>();
  private used = 0;
  /** Number of evictions so far (for diagnostics and tests). */
  evictions = 0;

  constructor(readonly maxBytes: number) {}

  /** Bytes currently held. */
  get bytes(): number {
    return this.used;
  }

  /** Entries currently held. */
  get size(): number {
    return this.map.size;
  }

  /** Returns a value and marks it most recently used. */
  get(key: string): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined) {
      // Map keeps insertion order: re-inserting moves the key to the young end
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }

  /** Whether a key is present (does not touch recency). */
  has(key: string): boolean {
    return this.map.has(key);
  }

  /**
   * Stores a value, evicting the least recently used entries until it fits. Entries `keep` names
   * are not evicted (a view's visible tiles: evicting them would have them computed again at once);
   * if only those are left the cache stays over its bound until they are no longer kept.
   */
  set(key: string, value: V, keep?: (key: string) => boolean): void {
    this.delete(key);
    if (value.byteLength > this.maxBytes) return;
    this.map.set(key, value);
    this.used += value.byteLength;
    for (const [k, v] of this.map) {
      if (this.used <= this.maxBytes) break;
      if (k === key || keep?.(k)) continue;
      this.map.delete(k);
      this.used -= v.byteLength;
      this.evictions++;
    }
  }

  /** Removes the entries whose key matches (e.g. every tile of an image that was closed); returns how many. */
  deleteWhere(match: (key: string) => boolean): number {
    let n = 0;
    for (const [k, v] of this.map) {
      if (!match(k)) continue;
      this.map.delete(k);
      this.used -= v.byteLength;
      n++;
    }
    return n;
  }

  /** Entries, least recently used first (does not touch recency). */
  entries(): IterableIterator<[string, V]> {
    return this.map.entries();
  }

  /** Removes one entry. */
  delete(key: string): boolean {
    const v = this.map.get(key);
    if (v === undefined) return false;
    this.map.delete(key);
    this.used -= v.byteLength;
    return true;
  }

  /** Removes every entry. */
  clear(): void {
    this.map.clear();
    this.used = 0;
  }
}
