/**
 * The `tilesr:` image loader for Cornerstone3D: serves rasters decoded by formats/ (our DICOM and
 * GeoTIFF decoders, workers and codecs) as Cornerstone3D images, so a stack needs neither
 * @cornerstonejs/dicom-image-loader nor its codec workers.
 *
 * Image ids: `tilesr:<absolute URL>` (fetched and decoded on first load, frame 0),
 * `tilesr:mem/<n>` (a raster handed over with `registerStackRaster`) or `tilesr:src/<n>` (bytes
 * obtained on first load from an opener, e.g. a user's File or a WADO-RS instance:
 * `registerStackSource`). Grayscale images carry their
 * real-unit (modality) values as float32 with `preScale.scaled`, the way Cornerstone3D expects
 * pre-scaled data (what its own DICOM loader does with slope/intercept): VOI then acts on HU. Colour
 * and multi-band rasters become 8-bit RGB of the first three bands through the display ranges.
 */
import { imageLoader, metaData, type Types } from '@cornerstonejs/core';
import { errorCode, TilesrError } from '../../../core/errors.ts';
import { openRaster } from '../../../formats/index.ts';
import type { RasterInput } from '../../../formats/input.ts';
import type { Raster } from '../../../formats/raster.ts';
import { rangeToByte } from '../../live/display.ts';
import { displayedImage, minMax, type DisplayedImage } from '../../live/image.ts';

/** The loader's scheme. */
export const SCHEME = 'tilesr';

/**
 * A frame served to Cornerstone3D: the live engine's image record itself (a `LiveImage`, frame 0 of
 * its file) with the display model tiles are drawn with.
 */
export type StackImage = DisplayedImage;

/** Typed failure of the loader (unknown id, failed fetch or decode, files or a series with no image). */
export class StackLoaderError extends TilesrError<'UNKNOWN_IMAGE_ID' | 'LOAD_FAILED' | 'NO_IMAGES'> {
  override readonly name = 'StackLoaderError';
}

const images = new Map<string, StackImage>();
/** Host image ids bridged (host-images.ts), oldest first: their frames are copies, so few are kept. */
const hostIds = new Set<string>();
/** Bridged host frames kept (shown + prefetched neighbours; the host's cache keeps the originals). */
export const MAX_HOST_FRAMES = 16;
const pending = new Map<string, Promise<StackImage>>();
/** Where the bytes of a `tilesr:src/<n>` id come from, and which frame of them it is. */
const sources = new Map<string, { open: StackSourceOpener; frame: number; name: string }>();
let counter = 0;
let registered = false;

/** The image id of a file URL (resolved against the page). */
export function imageIdForUrl(url: string | URL): string {
  return `${SCHEME}:${new URL(String(url), globalThis.location?.href).href}`;
}

/** Registers an in-memory raster (kept, never modified) and returns its image id. */
export function registerStackRaster(raster: Raster): string {
  const imageId = `${SCHEME}:mem/${++counter}`;
  images.set(imageId, makeImage(imageId, raster));
  return imageId;
}

/** Produces the bytes of a lazily loaded frame (a File, a fetched Part 10 instance...). */
export type StackSourceOpener = (signal?: AbortSignal) => Promise<RasterInput>;

/**
 * Registers a frame whose bytes are obtained only when Cornerstone3D first loads it (`open`, then
 * decoded by formats/, frame `frame` of the file); returns its `tilesr:src/<n>` image id. `name`
 * is what error messages call it.
 */
export function registerStackSource(open: StackSourceOpener, frame = 0, name = 'source'): string {
  const imageId = `${SCHEME}:src/${++counter}`;
  sources.set(imageId, { open, frame, name });
  return imageId;
}

/**
 * Registers the raster of a HOST image (host-images.ts) under the host's own image id (kept, never
 * modified). Only the latest MAX_HOST_FRAMES are kept; the metadata provider does not answer for
 * them (the host's providers do).
 */
export function registerHostRaster(imageId: string, raster: Raster): StackImage {
  const image = makeImage(imageId, raster);
  images.set(imageId, image);
  hostIds.delete(imageId);
  hostIds.add(imageId);
  for (const old of hostIds) {
    if (hostIds.size <= MAX_HOST_FRAMES) break;
    hostIds.delete(old);
    images.delete(old);
  }
  return image;
}

/** The frame behind an image id once it has loaded (undefined before). */
export function getStackImage(imageId: string): StackImage | undefined {
  return images.get(imageId);
}

/** Loads (or returns the loaded) frame behind a `tilesr:` image id. */
export function loadStackImage(imageId: string, signal?: AbortSignal): Promise<StackImage> {
  const known = images.get(imageId);
  if (known) return Promise.resolve(known);
  const running = pending.get(imageId);
  if (running) return running;
  const lazy = sources.get(imageId);
  if (
    !imageId.startsWith(`${SCHEME}:`) ||
    imageId.startsWith(`${SCHEME}:mem/`) ||
    (imageId.startsWith(`${SCHEME}:src/`) && !lazy)
  )
    return Promise.reject(new StackLoaderError('UNKNOWN_IMAGE_ID', `${imageId} is not a tilesr image`));
  const url = lazy ? lazy.name : imageId.slice(SCHEME.length + 1);
  const p = (async () => {
    try {
      const input = lazy ? await lazy.open(signal) : new URL(url);
      const src = await openRaster(input, { signal });
      try {
        const image = makeImage(imageId, await src.read({ frame: lazy?.frame ?? 0, signal }));
        images.set(imageId, image);
        return image;
      } finally {
        await src.close();
      }
    } catch (e) {
      const code = errorCode(e);
      throw new StackLoaderError(
        'LOAD_FAILED',
        `${url}: ${code !== undefined ? `${code}: ` : ''}${(e as Error).message}`,
      );
    } finally {
      pending.delete(imageId);
    }
  })();
  pending.set(imageId, p);
  return p;
}

/** Forgets frames (e.g. when a viewer's series changes); Cornerstone3D's cache is the caller's. */
export function forgetStackImages(imageIds: Iterable<string>): void {
  for (const id of imageIds) {
    images.delete(id);
    hostIds.delete(id);
    sources.delete(id);
  }
}

function makeImage(imageId: string, raster: Raster): StackImage {
  // the first frame of the file (loadStackImage) or the host's decoded frame: the engine's frame 0
  return displayedImage(imageId, raster, 0);
}

/** The Cornerstone3D image of a loaded frame. */
export function toCs3dImage(e: StackImage): Types.IImage {
  const r = e.raster;
  const { row: rowSpacing, column: colSpacing } = e.spacing;
  const d = e.display;
  const n = r.width * r.height;
  let pixels: Float32Array | Uint8Array;
  if (d.kind === 'color') {
    pixels = new Uint8Array(n * 3);
    for (let i = 0; i < n; i++)
      for (let c = 0; c < 3; c++) {
        const [lo, hi] = d.ranges[c] as [number, number];
        pixels[i * 3 + c] = rangeToByte(e.modality[i * r.samples + (d.bands[c] as number)] as number, lo, hi);
      }
  } else if (r.samples === 1) {
    pixels = e.modality;
  } else {
    pixels = new Float32Array(n);
    for (let i = 0; i < n; i++) pixels[i] = e.modality[i * r.samples + d.band] as number;
  }
  // NaN (nodata) would poison min/max and the GPU texture: shown as the lowest value
  if (pixels instanceof Float32Array && pixels.some((v) => Number.isNaN(v))) {
    const [lo] = minMax(pixels.filter((v) => !Number.isNaN(v)));
    pixels = pixels.map((v) => (Number.isNaN(v) ? lo : v));
  }
  const [min, max] = minMax(pixels);
  const color = d.kind === 'color';
  const image = {
    imageId: e.imageId,
    minPixelValue: min,
    maxPixelValue: max,
    slope: 1,
    intercept: 0,
    windowCenter: d.voi.windowCenter,
    windowWidth: d.voi.windowWidth,
    voiLUTFunction: 'LINEAR',
    getPixelData: () => pixels,
    rows: r.height,
    columns: r.width,
    height: r.height,
    width: r.width,
    color,
    rgba: false,
    numberOfComponents: color ? 3 : 1,
    columnPixelSpacing: colSpacing,
    rowPixelSpacing: rowSpacing,
    invert: d.kind === 'gray' && d.invert,
    photometricInterpretation: color ? 'RGB' : r.info.photometric,
    sizeInBytes: pixels.byteLength,
    dataType: color ? 'Uint8Array' : 'Float32Array',
    // real units already: Cornerstone3D must not apply slope/intercept again
    preScale: {
      enabled: true,
      scaled: !color,
      scalingParameters: { rescaleSlope: 1, rescaleIntercept: 0, modality: modalityOf(e) },
    },
  };
  return image as unknown as Types.IImage;
}

function modalityOf(e: StackImage): string {
  const m = e.raster.info.metadata['Modality'];
  return typeof m === 'string' ? m : e.raster.info.format === 'geotiff' ? 'OT' : 'OT';
}

function num3(v: unknown): [number, number, number] | undefined {
  return Array.isArray(v) && v.length >= 3 && v.every((x) => typeof x === 'number')
    ? [v[0] as number, v[1] as number, v[2] as number]
    : undefined;
}

/** Cornerstone3D metadata modules of a loaded frame (StackViewport asks for these). */
function metadataOf(type: string, imageId: string): unknown {
  // a bridged host image is described by the host's own providers
  const e = imageId.startsWith(`${SCHEME}:`) ? images.get(imageId) : undefined;
  if (!e) return undefined;
  const r = e.raster;
  const md = r.info.metadata;
  const color = e.display.kind === 'color';
  switch (type) {
    case 'imagePixelModule':
      return {
        samplesPerPixel: color ? 3 : 1,
        photometricInterpretation: color ? 'RGB' : r.info.photometric,
        rows: r.height,
        columns: r.width,
        bitsAllocated: color ? 8 : 32,
        bitsStored: color ? 8 : 32,
        highBit: color ? 7 : 31,
        pixelRepresentation: 1,
      };
    case 'generalSeriesModule':
      return {
        modality: modalityOf(e),
        seriesInstanceUID: md['SeriesInstanceUID'],
        seriesNumber: Number(md['SeriesNumber'] ?? 0),
      };
    case 'imagePlaneModule': {
      const { row: rowPixelSpacing, column: columnPixelSpacing } = e.spacing;
      const iop = Array.isArray(md['ImageOrientationPatient'])
        ? (md['ImageOrientationPatient'] as number[])
        : [1, 0, 0, 0, 1, 0];
      const ipp = num3(md['ImagePositionPatient']);
      return {
        frameOfReferenceUID: md['FrameOfReferenceUID'],
        rows: r.height,
        columns: r.width,
        imageOrientationPatient: iop,
        rowCosines: iop.slice(0, 3),
        columnCosines: iop.slice(3, 6),
        imagePositionPatient: ipp ?? [0, 0, 0],
        sliceThickness: md['SliceThickness'],
        sliceLocation: md['SliceLocation'],
        pixelSpacing: [rowPixelSpacing, columnPixelSpacing],
        rowPixelSpacing,
        columnPixelSpacing,
      };
    }
    case 'voiLutModule':
      return {
        windowCenter: [e.display.voi.windowCenter],
        windowWidth: [e.display.voi.windowWidth],
      };
    case 'modalityLutModule':
      // the pixels are real units already (preScale): identity
      return { rescaleSlope: 1, rescaleIntercept: 0, rescaleType: r.info.valueMapping.unit };
    case 'generalImageModule':
      return { instanceNumber: Number(md['InstanceNumber'] ?? 0) };
    default:
      return undefined;
  }
}

/** Registers the `tilesr:` loader and its metadata provider with Cornerstone3D (once per page). */
export function registerTilesrLoader(): void {
  if (registered) return;
  registered = true;
  imageLoader.registerImageLoader(SCHEME, (imageId: string) => ({
    promise: loadStackImage(imageId).then(toCs3dImage),
  }));
  // above the default providers so a tilesr: id is answered here
  metaData.addProvider(metadataOf, 10000);
}
