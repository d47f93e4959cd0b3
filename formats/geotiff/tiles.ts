/**
 * Windowed reads: only the strips/tiles covering the window are fetched and decoded (through the
 * shared pool or an in-process decoder), each checked before use: present (no sparse/zero-length
 * blocks filled with made-up values), inside the file, and decoded to exactly the size the header
 * implies. Tiles are then copied into one pixel-interleaved array.
 */
import type { BaseDecoder, GeoTIFFImage } from 'geotiff';
import { FormatError, throwIfAborted } from '../errors.ts';
import { allocatePixels, type TypedPixels } from '../raster.ts';
import type { Layout } from './info.ts';
import { TOO_BIG } from './codecs/limit.ts';
import { precheckBlock } from './codecs/precheck.ts';

/** What decodes one compressed block: a pool binding or a geotiff.js decoder. */
export interface BlockDecoder {
  decode(buffer: ArrayBufferLike): Promise<ArrayBufferLike>;
}

/** A rectangle [x0, x1) x [y0, y1) in the image's own pixels. */
export interface Rect {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** How many blocks are fetched/decoded at once: bounds memory and lets an abort stop early. */
const IN_FLIGHT = 8;

/** Reads `rect` of `image` into a new pixel-interleaved array of the layout's dtype. */
export async function readRect(
  image: GeoTIFFImage,
  layout: Layout,
  decoder: BlockDecoder | BaseDecoder,
  rect: Rect,
  fileSize: () => number | null,
  signal?: AbortSignal,
): Promise<TypedPixels> {
  const { tileWidth: tw, tileHeight: th, samples, planar } = layout;
  // header checks run here, in the calling thread, before a block is handed to any decoder
  const checked: BlockDecoder = {
    decode: (buffer) => {
      precheckBlock(layout.compression, new Uint8Array(buffer), tw, th);
      return decoder.decode(buffer);
    },
  };
  const outW = rect.x1 - rect.x0;
  const out = allocatePixels(layout.dtype, outW * (rect.y1 - rect.y0) * samples);
  const perRow = Math.ceil(layout.width / tw);
  const perCol = Math.ceil(layout.height / th);
  const planes = planar === 2 ? samples : 1;
  await checkBlockCount(image, layout, perRow * perCol * planes);
  const jobs: Array<[number, number, number]> = [];
  for (let ty = Math.floor(rect.y0 / th); ty < Math.ceil(rect.y1 / th); ty++)
    for (let tx = Math.floor(rect.x0 / tw); tx < Math.ceil(rect.x1 / tw); tx++)
      for (let p = 0; p < planes; p++) jobs.push([tx, ty, p]);

  const runOne = async ([tx, ty, plane]: [number, number, number]): Promise<void> => {
    throwIfAborted(signal);
    const index = plane * perRow * perCol + ty * perRow + tx;
    const block = await fetchBlock(image, layout, checked, tx, ty, plane, index, fileSize, signal);
    copyBlock(block, layout, tx, ty, plane, rect, outW, out);
  };
  let next = 0;
  let failed = false; // after the first error, lanes stop taking blocks
  const lanes = Array.from({ length: Math.min(IN_FLIGHT, jobs.length) }, async () => {
    while (next < jobs.length && !failed) {
      const job = jobs[next++] as [number, number, number];
      try {
        await runOne(job);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  });
  await Promise.all(lanes);
  return out;
}

/** The offsets/byte-counts arrays must hold an entry for every block. */
async function checkBlockCount(image: GeoTIFFImage, layout: Layout, expected: number): Promise<void> {
  const fd = image.fileDirectory;
  for (const tag of layout.tiled
    ? (['TileOffsets', 'TileByteCounts'] as const)
    : (['StripOffsets', 'StripByteCounts'] as const)) {
    const deferred = fd.deferredArrays.get(tag);
    const count = deferred ? deferred.length : lengthOf(await fd.loadValue(tag));
    if (count < expected)
      throw new FormatError('MISSING_ATTRIBUTE', `${tag} has ${count} entries, the layout needs ${expected}`);
  }
}

const lengthOf = (v: unknown): number =>
  v === undefined || v === null ? 0 : typeof v === 'number' ? 1 : (v as ArrayLike<number>).length;

/** Fetches and decodes one block after checking it exists and lies inside the file. */
async function fetchBlock(
  image: GeoTIFFImage,
  layout: Layout,
  decoder: BlockDecoder | BaseDecoder,
  tx: number,
  ty: number,
  plane: number,
  index: number,
  fileSize: () => number | null,
  signal?: AbortSignal,
): Promise<Uint8Array> {
  const fd = image.fileDirectory;
  const kind = layout.tiled ? 'tile' : 'strip';
  const offset = Number(await fd.loadValueIndexed(layout.tiled ? 'TileOffsets' : 'StripOffsets', index));
  const count = Number(await fd.loadValueIndexed(layout.tiled ? 'TileByteCounts' : 'StripByteCounts', index));
  if (!Number.isFinite(offset) || !Number.isFinite(count) || count <= 0)
    throw new FormatError(
      'NO_PIXEL_DATA',
      `${kind} ${index} has no data (byte count ${count}); refusing to fill it with made-up values`,
    );
  const size = fileSize();
  if (size !== null && offset + count > size)
    throw new FormatError(
      'LENGTH_BEYOND_FILE',
      `${kind} ${index} spans bytes ${offset}..${offset + count} but the file has ${size} bytes`,
    );
  let data: ArrayBufferLike;
  try {
    ({ data } = await image.getTileOrStrip(tx, ty, plane, decoder, signal));
  } catch (err) {
    if (err instanceof FormatError) throw err;
    if (signal?.aborted) throw new FormatError('ABORTED', 'decoding was aborted', { cause: err });
    const msg = err instanceof Error ? err.message : String(err);
    if (msg.startsWith(TOO_BIG))
      throw new FormatError('DECOMPRESSED_SIZE_MISMATCH', `${kind} ${index}: ${msg}`);
    throw new FormatError(
      'CORRUPT_DATA',
      `${kind} ${index}: the ${layout.compression} codec failed: ${msg}`,
      {
        cause: err,
      },
    );
  }
  const rows = Math.min(
    layout.tileHeight,
    layout.tiled ? layout.tileHeight : layout.height - ty * layout.tileHeight,
  );
  const bpp = layout.bytesPerSample * (layout.planar === 2 ? 1 : layout.samples);
  const expected = layout.tileWidth * rows * bpp;
  const fullStrip = layout.tileWidth * layout.tileHeight * bpp;
  if (data.byteLength !== expected && !(!layout.tiled && data.byteLength === fullStrip))
    throw new FormatError(
      'DECOMPRESSED_SIZE_MISMATCH',
      `${kind} ${index} decoded to ${data.byteLength} bytes, the header implies ${expected}`,
    );
  const bytes = new Uint8Array(data, 0, expected);
  if (
    !layout.littleEndian &&
    layout.bytesPerSample > 1 &&
    layout.predictor !== 3 &&
    layout.compression !== 34887
  )
    swapBytes(bytes, layout.bytesPerSample);
  // YCbCr JPEG arrives as RGB: libjpeg-turbo converts it (codecs/jpeg.ts), as libtiff does for GDAL
  return bytes;
}

/** Big-endian samples -> host (little-endian) order, in place. */
function swapBytes(b: Uint8Array, size: number): void {
  for (let i = 0; i + size <= b.length; i += size)
    for (let lo = i, hi = i + size - 1; lo < hi; lo++, hi--) {
      const t = b[lo] as number;
      b[lo] = b[hi] as number;
      b[hi] = t;
    }
}

/** Copies the part of a decoded block that falls inside `rect` into the interleaved output. */
function copyBlock(
  bytes: Uint8Array,
  layout: Layout,
  tx: number,
  ty: number,
  plane: number,
  rect: Rect,
  outW: number,
  out: TypedPixels,
): void {
  const { tileWidth: tw, tileHeight: th, samples } = layout;
  const Ctor = out.constructor as new (b: ArrayBufferLike, o: number, n: number) => TypedPixels;
  const src = new Ctor(bytes.buffer, bytes.byteOffset, bytes.byteLength / layout.bytesPerSample);
  const bx0 = tx * tw;
  const by0 = ty * th;
  const cx0 = Math.max(rect.x0, bx0);
  const cx1 = Math.min(rect.x1, bx0 + tw, layout.width);
  const cy0 = Math.max(rect.y0, by0);
  const cy1 = Math.min(rect.y1, by0 + th, layout.height);
  const n = cx1 - cx0;
  for (let y = cy0; y < cy1; y++) {
    const dst = ((y - rect.y0) * outW + (cx0 - rect.x0)) * samples;
    if (layout.planar === 1) {
      const s = ((y - by0) * tw + (cx0 - bx0)) * samples;
      out.set(src.subarray(s, s + n * samples) as never, dst);
    } else {
      const s = (y - by0) * tw + (cx0 - bx0);
      for (let i = 0; i < n; i++) out[dst + i * samples + plane] = src[s + i] as number;
    }
  }
}
