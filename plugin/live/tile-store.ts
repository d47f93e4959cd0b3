/**
 * The engine's store of enhanced cells ready to draw, keyed by image, configuration and cell; bounded
 * by bytes (least recently drawn out first) while the current view's cells are never evicted, so a
 * view larger than the bound cannot thrash. The shared cache below keeps the per-band model outputs,
 * so an evicted cell comes back without inference.
 */
import { TileCache } from '../pipeline/cache.ts';
import type { CellPixels } from '../pipeline/tile-service.ts';
import type { Rect } from '../pipeline/tiler.ts';
import type { LiveTileInfo } from './types.ts';

/** One stored cell: what events report, its pixels and their size. */
export interface StoredTile extends LiveTileInfo {
  imageId: string;
  pixels: CellPixels;
  /** Bytes of `pixels` (the store is bounded by bytes). */
  byteLength: number;
}

/** A stored tile as events report it; `flagged` follows the threshold in force now. */
export function describeTile(t: StoredTile, thresholdDb: number): LiveTileInfo {
  const { col, row, rect, backend, ms, requestMs, consistencyPsnr } = t;
  return { col, row, rect, backend, ms, requestMs, consistencyPsnr, flagged: consistencyPsnr < thresholdDb };
}

/** Default bound: 128 MiB of enhanced pixels. */
export const STORE_BYTES = 128 * 1024 * 1024;

/** Stored cells; `scope` is the image + configuration part of a key (see LiveTileEnhancer). */
export class TileStore {
  private readonly tiles: TileCache<StoredTile>;

  constructor(maxBytes = STORE_BYTES) {
    this.tiles = new TileCache<StoredTile>(maxBytes);
  }

  /** The key of cell (col, row) under `scope`. */
  static key(scope: string, col: number, row: number): string {
    return `${scope}|${col},${row}`;
  }

  has(scope: string, col: number, row: number): boolean {
    return this.tiles.has(TileStore.key(scope, col, row));
  }

  get(scope: string, col: number, row: number): StoredTile | undefined {
    return this.tiles.get(TileStore.key(scope, col, row));
  }

  /** Stores a cell; keys `keep` says true for are not evicted by this insertion. */
  set(scope: string, tile: StoredTile, keep?: (key: string) => boolean): void {
    this.tiles.set(TileStore.key(scope, tile.col, tile.row), tile, keep);
  }

  /** Stored cells under `scope`. */
  all(scope: string): StoredTile[] {
    const prefix = `${scope}|`;
    return [...this.tiles.entries()].filter(([k]) => k.startsWith(prefix)).map(([, t]) => t);
  }

  /** Stored cells under `scope` inside `region` (LR px), row by row. */
  inRegion(scope: string, region: Rect, tileSize: number): StoredTile[] {
    const out: StoredTile[] = [];
    const T = tileSize;
    if (region.width <= 0 || region.height <= 0) return out;
    for (let r = Math.floor(region.y / T); r * T < region.y + region.height; r++)
      for (let c = Math.floor(region.x / T); c * T < region.x + region.width; c++) {
        const t = this.get(scope, c, r);
        if (t) out.push(t);
      }
    return out;
  }

  /** Drops every cell whose key starts with `prefix`. */
  deleteWhere(match: (key: string) => boolean): void {
    this.tiles.deleteWhere(match);
  }

  get bytes(): number {
    return this.tiles.bytes;
  }

  get size(): number {
    return this.tiles.size;
  }
}
