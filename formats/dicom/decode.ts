/**
 * In-thread DICOM decoding: bytes -> header -> frames on demand. Used directly in Node and inside
 * the browser worker (worker.ts); `source.ts` picks which.
 */
import { FormatError, throwIfAborted } from '../errors.ts';
import {
  allocatePixels,
  checkWindow,
  sampleTypeOf,
  type DecodeLimits,
  type ImageInfo,
  type PixelWindow,
  type Raster,
  type TypedPixels,
} from '../raster.ts';
import { applyPalette, interleave, readPalette, ybrFullToRgb, type Palette } from './color.ts';
import { codecEntry, getCodec } from './codecs/index.ts';
import { frameBytes, nativeBitOffset, pixelDataElement } from './frames.ts';
import { readInfo, readLayout, type PixelLayout } from './header.ts';
import { loadDicomParser, parseDicomBytes, type ParsedDicom } from './parse.ts';

/** A parsed file ready to decode frames. */
export interface OpenedDicom {
  info: ImageInfo;
  parsed: ParsedDicom;
  layout: PixelLayout;
  palette?: Palette;
}

/** Parses the header and checks it (limits, transfer syntax, pixel data) without decoding pixels. */
export async function openDicomBytes(
  bytes: Uint8Array,
  limits: DecodeLimits,
  signal?: AbortSignal,
): Promise<OpenedDicom> {
  throwIfAborted(signal);
  const parser = await loadDicomParser();
  throwIfAborted(signal);
  // a deflated dataset may hold at most the pixel bytes the limits allow (64-bit samples) and headers
  const parsed = parseDicomBytes(parser, bytes, limits.maxSamples * 8 + 16 * 2 ** 20);
  const ds = parsed.dataSet;
  pixelDataElement(ds); // first: an SR or KO document is "no pixel data", not "no Rows"
  const layout = readLayout(ds, parsed.transferSyntaxUID, limits);
  const info = readInfo(ds, layout);
  const palette = layout.photometric === 'PALETTE COLOR' ? readPalette(ds) : undefined;
  return palette ? { info, parsed, layout, palette } : { info, parsed, layout };
}

/** Decodes one frame and crops the window. */
export async function decodeFrame(
  opened: OpenedDicom,
  frame = 0,
  window?: PixelWindow,
  signal?: AbortSignal,
): Promise<Raster> {
  const { info, layout, parsed } = opened;
  const win = checkWindow(window, info);
  throwIfAborted(signal);
  const entry = codecEntry(layout.transferSyntaxUID);
  const encoded = frameBytes(parsed.dataSet, layout, frame, entry.encapsulated);
  const codec = await getCodec(layout.transferSyntaxUID);
  throwIfAborted(signal);
  const out = await codec({
    encoded,
    rows: layout.rows,
    columns: layout.columns,
    samples: layout.samples,
    bitsAllocated: layout.bitsAllocated,
    bitsStored: layout.bitsStored,
    signed: layout.signed,
    float: layout.float,
    planar: layout.planar,
    photometric: layout.photometric,
    bitOffset: nativeBitOffset(layout, frame),
  });
  throwIfAborted(signal);
  let px: TypedPixels = out.pixels;
  if (px.length !== layout.rows * layout.columns * layout.samples)
    throw new FormatError(
      'DECOMPRESSED_SIZE_MISMATCH',
      `decoded ${px.length} samples for a ${info.width}x${info.height} frame`,
    );
  if (out.planar && layout.samples > 1) px = interleave(px, layout.samples);
  if (!out.rgb && layout.bitsAllocated === 8 && /^YBR_FULL(_422)?$/.test(layout.photometric))
    ybrFullToRgb(px);
  if (opened.palette) px = applyPalette(px, opened.palette);
  const data = crop(px, info.width, info.samples, win);
  return {
    info,
    frame,
    window: win,
    width: win.width,
    height: win.height,
    samples: info.samples,
    dtype: info.dtype,
    data,
  };
}

function crop(px: TypedPixels, width: number, samples: number, w: PixelWindow): TypedPixels {
  if (w.x === 0 && w.y === 0 && w.width === width && w.height * width * samples === px.length) return px;
  const dst = allocatePixels(sampleTypeOf(px), w.width * w.height * samples);
  for (let y = 0; y < w.height; y++) {
    const from = ((w.y + y) * width + w.x) * samples;
    dst.set(px.subarray(from, from + w.width * samples), y * w.width * samples);
  }
  return dst;
}
