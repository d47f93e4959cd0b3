/**
 * GeoTIFF -> RasterSource with geotiff.js: header facts at open, pixels on demand. `read` decodes
 * only the tiles/strips covering the window, from the smallest overview still at least `targetSize`
 * (the returned Raster's width/height are then the overview's; `window` stays in full-resolution
 * pixels). Decoding runs on the shared pool in browsers and in-process in Node (see pool.ts).
 */
import { getDecoder, type GeoTIFF, type GeoTIFFImage } from 'geotiff';
import { FormatError, throwIfAborted } from '../errors.ts';
import { describeInput, type RasterInput } from '../input.ts';
import {
  allocatePixels,
  checkWindow,
  type DecodeLimits,
  type ImageInfo,
  type PixelWindow,
  type Raster,
  type RasterSource,
  type ReadOptions,
} from '../raster.ts';
import { decoderParameters, registerDecoders } from './codecs/registry.ts';
import { detectLossy } from './codecs/lossy.ts';
import { buildInfo, readLayout, type Layout } from './info.ts';
import { headerError, openTiff, type OpenedTiff } from './open.ts';
import { getSharedPool } from './pool.ts';
import { readRect, type BlockDecoder, type Rect } from './tiles.ts';

/** One resolution level: the full image (level 0) or a reduced-resolution overview. */
interface Level {
  image: GeoTIFFImage;
  layout: Layout;
}

/** Opens a GeoTIFF from a path, URL, File/Blob or buffer. */
export async function openGeoTiff(
  input: RasterInput,
  opts: { limits: DecodeLimits; signal?: AbortSignal },
): Promise<RasterSource> {
  registerDecoders();
  const opened = await openTiff(input, opts.signal);
  try {
    const levels = await readLevels(opened.tiff, opts.limits);
    const base = levels[0] as Level;
    const lossy = await detectLossy(base.image, base.layout, opened.fileSize());
    const info = await buildInfo(base.image, base.layout, {
      overviews: levels.slice(1).map((l) => [l.layout.width, l.layout.height] as [number, number]),
      lossy,
      bigTiff: (opened.tiff as unknown as { bigTiff?: boolean }).bigTiff === true,
    });
    return new GeoTiffSource(opened, levels, info, describeInput(input), opts.limits);
  } catch (err) {
    await opened.close().catch(() => {});
    throw headerError(err, input, opts.signal);
  }
}

/** More IFDs than any real pyramid has; beyond this the chain is treated as corrupt. */
const MAX_IFDS = 1024;

/**
 * Level 0 plus every reduced-resolution IFD (NewSubfileType bit 0, not a mask), largest first.
 * Walks the IFD chain itself (not geotiff.js's getImageCount, which loops forever on a cyclic chain).
 */
async function readLevels(tiff: GeoTIFF, limits: DecodeLimits): Promise<Level[]> {
  const levels: Level[] = [];
  const seen = new Set<number>([Number((tiff as unknown as { firstIFDOffset: number }).firstIFDOffset)]);
  for (let i = 0; ; i++) {
    const image = await tiff.getImage(i);
    const subfile = Number(image.fileDirectory.getValue('NewSubfileType') ?? 0);
    if (i === 0) levels.push({ image, layout: await readLayout(image, limits) });
    else if ((subfile & 1) === 1 && (subfile & 4) === 0)
      levels.push({ image, layout: await readLayout(image, limits) });
    const next = Number(image.fileDirectory.nextIFDByteOffset);
    if (!next) break;
    if (seen.has(next) || i + 1 >= MAX_IFDS)
      throw new FormatError(
        'CORRUPT_DATA',
        `the IFD chain loops or exceeds ${MAX_IFDS} entries (IFD ${i + 1} at ${next})`,
      );
    seen.add(next);
  }
  return levels.sort((a, b) => b.layout.width - a.layout.width);
}

/** The RasterSource over an opened GeoTIFF. */
class GeoTiffSource implements RasterSource {
  private closed = false;
  constructor(
    private readonly opened: OpenedTiff,
    private readonly levels: Level[],
    readonly info: ImageInfo,
    private readonly where: string,
    private readonly limits: DecodeLimits,
  ) {}

  /** Refuses a read whose decoded size exceeds the budget, before fetching or allocating anything. */
  private checkBudget(rect: Rect, layout: Layout, budget: number | undefined): void {
    if (budget === undefined) return;
    const bytes = (rect.x1 - rect.x0) * (rect.y1 - rect.y0) * layout.samples * layout.bytesPerSample;
    if (bytes > budget)
      throw new FormatError(
        'MEMORY_BUDGET',
        `reading ${rect.x1 - rect.x0}x${rect.y1 - rect.y0}x${layout.samples} ${layout.dtype} would decode ` +
          `${mib(bytes)}, over the ${mib(budget)} budget; read a window or pass targetSize to use an overview`,
      );
  }

  async read(options: ReadOptions = {}): Promise<Raster> {
    const { signal } = options;
    if (this.closed) throw new FormatError('IO_ERROR', 'the source was closed');
    if ((options.frame ?? 0) !== 0)
      throw new FormatError('FRAME_OUT_OF_RANGE', `GeoTIFF has one frame; asked for ${options.frame}`);
    throwIfAborted(signal);
    const window = checkWindow(options.window, this.info);
    const level = this.pickLevel(options.targetSize);
    const rect = scaleWindow(window, this.info, level.layout);
    const budget = options.memoryBudget ?? this.limits.memoryBudget;
    const t = options.targetSize;
    const step =
      options.decimate && t
        ? Math.floor(Math.min((rect.x1 - rect.x0) / t.width, (rect.y1 - rect.y0) / t.height))
        : 1;
    if (step >= 2) return this.readDecimated(level, rect, step, window, budget, signal);
    this.checkBudget(rect, level.layout, budget);
    const decoder = await this.decoderFor(level, blockCount(rect, level.layout));
    const work = readRect(level.image, level.layout, decoder, rect, () => this.opened.fileSize(), signal);
    let data: Raster['data'];
    try {
      data = await raceAbort(work, signal);
    } catch (err) {
      // tag arrays (offsets, byte counts) are read lazily: a file cut inside them fails here
      throw headerError(err, this.where, signal);
    }
    return {
      info: this.info,
      frame: 0,
      window,
      width: rect.x1 - rect.x0,
      height: rect.y1 - rect.y0,
      samples: this.info.samples,
      dtype: this.info.dtype,
      data,
    };
  }

  /**
   * Every `step`-th pixel of every `step`-th row of `rect` (nearest neighbour, stored values kept),
   * decoded one row of blocks at a time: memory is the output plus one block row, and block rows
   * holding no sampled row are never fetched.
   */
  private async readDecimated(
    level: Level,
    rect: Rect,
    step: number,
    window: PixelWindow,
    budget: number | undefined,
    signal: AbortSignal | undefined,
  ): Promise<Raster> {
    const { layout } = level;
    const outW = Math.ceil((rect.x1 - rect.x0) / step);
    const outH = Math.ceil((rect.y1 - rect.y0) / step);
    this.checkBudget({ x0: 0, y0: 0, x1: outW, y1: outH }, layout, budget);
    const samples = layout.samples;
    const out = allocatePixels(layout.dtype, outW * outH * samples);
    const th = layout.tileHeight;
    let j = 0; // next output row
    while (j < outH) {
      throwIfAborted(signal);
      const y = rect.y0 + j * step;
      const bandEnd = Math.min(rect.y1, (Math.floor(y / th) + 1) * th);
      // the sampled rows inside this row of blocks: y, y + step, ... < bandEnd
      const rows = Math.ceil((bandEnd - y) / step);
      const part = { x0: rect.x0, x1: rect.x1, y0: y, y1: y + (rows - 1) * step + 1 };
      const decoder = await this.decoderFor(level, blockCount(part, layout));
      let band: Raster['data'];
      try {
        band = await raceAbort(
          readRect(level.image, layout, decoder, part, () => this.opened.fileSize(), signal),
          signal,
        );
      } catch (err) {
        throw headerError(err, this.where, signal);
      }
      const bw = part.x1 - part.x0;
      for (let r = 0; r < rows; r++, j++) {
        const src = r * step * bw * samples;
        const dst = j * outW * samples;
        for (let i = 0; i < outW; i++)
          for (let c = 0; c < samples; c++)
            out[dst + i * samples + c] = band[src + i * step * samples + c] as number;
      }
    }
    return {
      info: this.info,
      frame: 0,
      window,
      width: outW,
      height: outH,
      samples,
      dtype: this.info.dtype,
      data: out,
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.opened.close();
  }

  /** The smallest level whose size is still >= the target (level 0 when none is given). */
  private pickLevel(target: ReadOptions['targetSize']): Level {
    const base = this.levels[0] as Level;
    if (!target) return base;
    let best = base;
    for (const l of this.levels)
      if (
        l.layout.width >= target.width &&
        l.layout.height >= target.height &&
        l.layout.width < best.layout.width
      )
        best = l;
    return best;
  }

  private async decoderFor(level: Level, blocks: number): Promise<BlockDecoder> {
    const params = await decoderParameters(level.image.fileDirectory);
    // a few blocks decode faster here than a pool starts (0.6-1.1 s) or round-trips them
    const pool = blocks > inProcessMaxBlocks ? getSharedPool() : null;
    if (pool) return pool.bindParameters(level.layout.compression, params);
    try {
      return await getDecoder(level.layout.compression, params);
    } catch (err) {
      throw new FormatError('CORRUPT_DATA', `cannot set up the decoder: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }
}

/**
 * Reads touching at most this many blocks decode in the calling thread, also in browsers: a screen-
 * sized overview (16 tiles of 256 px for 1024x1024) or an enhancement cell is decoded in well under
 * 100 ms, while a cold pool costs 0.6-1.1 s to start (README.md, bench/open-large.ts).
 */
let inProcessMaxBlocks = 32;

/** Sets how many blocks a read may touch and still decode in-process (tests: 0 = always the pool). */
export function setInProcessMaxBlocks(n: number): void {
  inProcessMaxBlocks = n;
}

/** Blocks (tiles or strips, all planes) a read of `rect` touches. */
function blockCount(rect: Rect, layout: Layout): number {
  const cols = Math.ceil(rect.x1 / layout.tileWidth) - Math.floor(rect.x0 / layout.tileWidth);
  const rows = Math.ceil(rect.y1 / layout.tileHeight) - Math.floor(rect.y0 / layout.tileHeight);
  return cols * rows * (layout.planar === 2 ? layout.samples : 1);
}

const mib = (bytes: number): string => `${bytes} bytes (${(bytes / 2 ** 20).toFixed(1)} MiB)`;

/** Full-resolution window -> the level's pixels (outward rounding so the window stays covered). */
function scaleWindow(w: PixelWindow, info: ImageInfo, layout: Layout): Rect {
  if (layout.width === info.width && layout.height === info.height)
    return { x0: w.x, y0: w.y, x1: w.x + w.width, y1: w.y + w.height };
  const sx = layout.width / info.width;
  const sy = layout.height / info.height;
  const x0 = Math.min(layout.width - 1, Math.floor(w.x * sx));
  const y0 = Math.min(layout.height - 1, Math.floor(w.y * sy));
  return {
    x0,
    y0,
    x1: Math.max(x0 + 1, Math.min(layout.width, Math.ceil((w.x + w.width) * sx))),
    y1: Math.max(y0 + 1, Math.min(layout.height, Math.ceil((w.y + w.height) * sy))),
  };
}

/** Rejects with ABORTED as soon as the signal fires, even while a worker is still decoding. */
function raceAbort<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () =>
      reject(new FormatError('ABORTED', 'decoding was aborted', { cause: signal.reason }));
    signal.addEventListener('abort', onAbort, { once: true });
    if (signal.aborted) onAbort();
    // always settle on `work` too, so its later rejection is never unhandled
    work.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
