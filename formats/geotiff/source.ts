/**
 * GeoTIFF -> RasterSource with geotiff.js: header facts at open, pixels on demand. `read` decodes
 * only the tiles/strips covering the window, from the smallest overview still at least `targetSize`
 * (the returned Raster's width/height are then the overview's; `window` stays in full-resolution
 * pixels). Decoding runs on the shared pool in browsers and in-process in Node (see pool.ts).
 */
import { getDecoder, type GeoTIFF, type GeoTIFFImage } from 'geotiff';
import { FormatError, throwIfAborted } from '../errors.ts';
import { describeInput, type RasterInput } from '../input.ts';
import type { DecodeLimits, ImageInfo, PixelWindow, Raster, RasterSource, ReadOptions } from '../raster.ts';
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
    return new GeoTiffSource(opened, levels, info, describeInput(input));
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
  ) {}

  async read(options: ReadOptions = {}): Promise<Raster> {
    const { signal } = options;
    if (this.closed) throw new FormatError('IO_ERROR', 'the source was closed');
    if ((options.frame ?? 0) !== 0)
      throw new FormatError('FRAME_OUT_OF_RANGE', `GeoTIFF has one frame; asked for ${options.frame}`);
    throwIfAborted(signal);
    const window = checkWindow(options.window, this.info);
    const level = this.pickLevel(options.targetSize);
    const rect = scaleWindow(window, this.info, level.layout);
    const decoder = await this.decoderFor(level);
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

  private async decoderFor(level: Level): Promise<BlockDecoder> {
    const params = await decoderParameters(level.image.fileDirectory);
    const pool = getSharedPool();
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

/** Validates a requested window (defaults to the whole image). */
function checkWindow(w: PixelWindow | undefined, info: ImageInfo): PixelWindow {
  if (!w) return { x: 0, y: 0, width: info.width, height: info.height };
  const ints = [w.x, w.y, w.width, w.height].every((v) => Number.isInteger(v));
  if (
    !ints ||
    w.x < 0 ||
    w.y < 0 ||
    w.width < 1 ||
    w.height < 1 ||
    w.x + w.width > info.width ||
    w.y + w.height > info.height
  )
    throw new FormatError(
      'WINDOW_OUT_OF_BOUNDS',
      `window ${w.x},${w.y},${w.width}x${w.height} is not inside the ${info.width}x${info.height} image`,
    );
  return { ...w };
}

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
