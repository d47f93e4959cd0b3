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

  /** Stores a value, evicting the least recently used entries until it fits. */
  set(key: string, value: V): void {
    this.delete(key);
    if (value.byteLength > this.maxBytes) return;
    this.map.set(key, value);
    this.used += value.byteLength;
    for (const [k, v] of this.map) {
      if (this.used <= this.maxBytes) break;
      this.map.delete(k);
      this.used -= v.byteLength;
      this.evictions++;
    }
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
