/**
 * A COG written from full-width rows as they are produced, in memory bounded by one tile row per
 * level (not by the image). COG order puts every IFD, and so every tile offset, before the tile
 * data, so tiles are compressed as soon as a tile row is complete and spilled to storage with their
 * sizes recorded; overviews are built on the way from each finished tile row of the level below
 * (downsample2 on an even number of rows gives exactly the rows of downsampling the whole level);
 * at the end the head (header + IFDs) is written, then the spilled tiles in COG order.
 * Storage is injected (CogStorage) so this module stays browser-safe; Node's temp-file storage is
 * in cog-storage.node.ts.
 */
import { allocatePixels, type SampleType, type TypedPixels } from '../../formats/raster.ts';
import { cogImages, type CogDescription } from './cog.ts';
import { throwIfExportAborted } from './errors.ts';
import { downsample2, overviewSizes } from './geotiff-pixels.ts';
import { cutTile, encodeTile } from './tiff-codec.ts';
import { putFramedTile, tiledTiffLayout } from './tiff-writer.ts';

/** Where a streamed COG keeps its encoded tiles until the offsets are known, and where the file goes. */
export interface CogStorage {
  /** Appends encoded tile bytes to the spill; returns their offset there. */
  spill(bytes: Uint8Array): Promise<number>;
  /** Reads `length` bytes at `offset` of the spill. */
  readSpill(offset: number, length: number): Promise<Uint8Array>;
  /** Appends bytes to the output file. */
  write(bytes: Uint8Array): Promise<void>;
  /** Makes the output final (Node: rename the temp file) and drops the spill. */
  commit(): Promise<void>;
  /** Removes the output and the spill (failure or abort): nothing is left behind. */
  discard(): Promise<void>;
}

/** CogStorage in memory (tests, and browsers, where the finished file is one download anyway). */
export function memoryCogStorage(): CogStorage & { bytes(): Uint8Array } {
  const spilled = new Map<number, Uint8Array>();
  let spillSize = 0;
  const out: Uint8Array[] = [];
  return {
    spill: (b) => {
      spilled.set(spillSize, b.slice());
      spillSize += b.length;
      return Promise.resolve(spillSize - b.length);
    },
    readSpill: (offset, length) => {
      // tiles are read back whole, one per spill call
      const b = spilled.get(offset);
      if (!b || b.length !== length) throw new RangeError(`no spilled block at ${offset}+${length}`);
      return Promise.resolve(b);
    },
    write: (b) => {
      out.push(b.slice());
      return Promise.resolve();
    },
    commit: () => Promise.resolve(),
    discard: () => {
      out.length = 0;
      return Promise.resolve();
    },
    bytes: () => {
      const all = new Uint8Array(out.reduce((a, b) => a + b.length, 0));
      let p = 0;
      for (const b of out) {
        all.set(b, p);
        p += b.length;
      }
      return all;
    },
  };
}

/** One resolution level being built: its rows waiting for a full tile row, its spilled tiles. */
interface LevelState {
  width: number;
  height: number;
  /** Rows [0, rows) of the current tile row. */
  buf: TypedPixels;
  rows: number;
  /** Rows received so far. */
  received: number;
  tiles: Array<{ offset: number; size: number }>;
}

/** Options of CogStreamWriter. */
export interface CogStreamOptions {
  width: number;
  height: number;
  samples: number;
  dtype: SampleType;
  tileSize: number;
  nodata: number | undefined;
  storage: CogStorage;
  signal?: AbortSignal;
}

/** Bytes gathered before one write to the output during finish. */
const WRITE_CHUNK = 4 << 20;

/** Builds a COG from full-resolution rows in order; see the module comment. */
export class CogStreamWriter {
  private readonly levels: LevelState[];
  /** Most bytes of row buffers held at once (the memory this writer needs beyond one tile). */
  readonly bufferBytes: number;

  constructor(private readonly o: CogStreamOptions) {
    const sizes = [[o.width, o.height] as const, ...overviewSizes(o.width, o.height, o.tileSize)];
    this.levels = sizes.map(([width, height]) => ({
      width,
      height,
      buf: allocatePixels(o.dtype, width * Math.min(o.tileSize, height) * o.samples),
      rows: 0,
      received: 0,
      tiles: [],
    }));
    this.bufferBytes = this.levels.reduce((a, l) => a + l.buf.byteLength, 0);
  }

  /** Level sizes, full resolution first. */
  get sizes(): Array<[number, number]> {
    return this.levels.map((l) => [l.width, l.height]);
  }

  /** Appends `rows` full-width rows ([rows, width, samples], the stored dtype) of the full resolution. */
  async writeRows(data: TypedPixels, rows: number): Promise<void> {
    throwIfExportAborted(this.o.signal);
    await this.push(0, data, rows);
  }

  private async push(level: number, data: TypedPixels, rows: number): Promise<void> {
    const l = this.levels[level] as LevelState;
    const row = l.width * this.o.samples;
    if (data.length !== rows * row)
      throw new RangeError(`level ${level}: ${data.length} samples for ${rows} rows`);
    if (l.received + rows > l.height) throw new RangeError(`level ${level}: more than ${l.height} rows`);
    l.received += rows;
    for (let r = 0; r < rows;) {
      const n = Math.min(rows - r, this.o.tileSize - l.rows);
      l.buf.set(data.subarray(r * row, (r + n) * row), l.rows * row);
      l.rows += n;
      r += n;
      if (l.rows === this.o.tileSize || l.received === l.height) await this.flush(level);
    }
  }

  /** Encodes and spills the current tile row, then hands its rows to the next level down. */
  private async flush(level: number): Promise<void> {
    const l = this.levels[level] as LevelState;
    const { samples, tileSize: t, storage } = this.o;
    const rows = l.buf.subarray(0, l.rows * l.width * samples);
    for (let tx = 0; tx < Math.ceil(l.width / t); tx++) {
      throwIfExportAborted(this.o.signal);
      const bytes = encodeTile(cutTile(rows, l.width, l.rows, samples, t, tx, 0), t, samples);
      l.tiles.push({ offset: await storage.spill(bytes), size: bytes.length });
    }
    const count = l.rows;
    l.rows = 0;
    if (level + 1 < this.levels.length) {
      // tile rows are even except the level's last, so these are exactly the next level's rows
      const half = downsample2(rows, l.width, count, samples, this.o.nodata);
      await this.push(level + 1, half.data, half.height);
    }
  }

  /**
   * Writes the file: head (IFDs with `desc`'s fields, tile offsets from the recorded sizes), then
   * the spilled tiles from the smallest overview to the full resolution. Every row must have been written.
   */
  async finish(desc: Omit<CogDescription, 'samples' | 'dtype' | 'tileSize' | 'nodata' | 'signal'>): Promise<{
    bytes: number;
    bigTiff: boolean;
  }> {
    const { storage, signal } = this.o;
    this.levels.forEach((l, i) => {
      if (l.received !== l.height)
        throw new RangeError(`level ${i}: ${l.received} of ${l.height} rows written`);
    });
    const full: CogDescription = {
      ...desc,
      samples: this.o.samples,
      dtype: this.o.dtype,
      tileSize: this.o.tileSize,
      ...(this.o.nodata !== undefined ? { nodata: this.o.nodata } : {}),
    };
    const images = cogImages(full, this.sizes);
    const counts = this.levels.map((l) => l.tiles.map((x) => x.size));
    const layout = tiledTiffLayout(images, counts, desc.bigTiff ?? 'auto');
    await storage.write(layout.head);
    let chunk = new Uint8Array(WRITE_CHUNK);
    let used = 0;
    let at = layout.head.length;
    for (let i = this.levels.length - 1; i >= 0; i--)
      for (const [k, tile] of (this.levels[i] as LevelState).tiles.entries()) {
        throwIfExportAborted(signal);
        if (((layout.offsets[i] as number[])[k] as number) !== at + used + 4)
          throw new Error('layout mismatch');
        const need = tile.size + 8;
        if (used + need > chunk.length) {
          await storage.write(chunk.subarray(0, used));
          at += used;
          used = 0;
          if (need > chunk.length) chunk = new Uint8Array(need);
        }
        putFramedTile(chunk, used, await storage.readSpill(tile.offset, tile.size));
        used += need;
      }
    await storage.write(chunk.subarray(0, used));
    return { bytes: layout.size, bigTiff: layout.bigTiff };
  }
}
