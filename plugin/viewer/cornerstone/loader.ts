/**
 * A cornerstone image loader for the `tilesr:` scheme: serves decoded Rasters (formats/) as
 * cornerstone images. Grayscale keeps stored values and hands slope/intercept to cornerstone's
 * modality LUT, so window/level works in real units (HU, reflectance); values cornerstone's integer
 * LUT cannot index (float, 32-bit) are quantized to 16 bits with the quantization folded into the
 * slope/intercept. Color and multi-band rasters become RGBA of the first three bands.
 */
import type { PixelWindow, Raster, Spacing } from '../../../formats/raster.ts';
import type { Cornerstone, CornerstoneImage, ImageLoadObject } from './cornerstone.ts';
import { rangeToByte } from '../../live/display.ts';
import { displayedImage, minMax, type DisplayedImage } from '../../live/image.ts';

import type { PixelSpacing } from '../../live/types.ts';

export type { PixelSpacing };
// written once in plugin/live/image.ts; re-exported for the loader's users (`tilesr/viewer/cornerstone`)
export { pixelSpacingOf } from '../../live/image.ts';

/**
 * A raster registered with the loader: the live engine's image record itself (a `LiveImage`, with
 * `native` set for an overview that can read full-resolution windows), plus what the viewer needs.
 */
export interface LoadedRaster extends DisplayedImage {
  /**
   * Set when the image is a reduced-resolution overview of a large one (opened sized to the screen
   * instead of decoding full resolution): `raster` is then the overview as an image of its own
   * (size, window and geotransform in overview pixels; `info.metadata.overviewOf` names the full
   * image), `spacing` the overview pixel's size, and scaleX/scaleY full-resolution px per overview px.
   */
  overview?: { fullWidth: number; fullHeight: number; scaleX: number; scaleY: number };
  /**
   * Reads a window of the FULL-resolution image (full-image pixels, all bands), decoding only the
   * tiles under it; what enhancement of an overview-backed image must use. Present whenever the
   * source is still open (GeoTIFF); fails with FormatError('MEMORY_BUDGET') past the budget.
   */
  readWindow?: (
    window: PixelWindow,
    signal?: AbortSignal,
  ) => Promise<{ raster: Raster; modality: Float32Array }>;
}

/** Extra facts for registerRaster when the raster is an overview or the source can read windows. */
export interface RegisterOptions {
  readWindow?: LoadedRaster['readWindow'];
}

/** The loader's scheme (image ids are `tilesr:<n>`). */
export const SCHEME = 'tilesr';

const registry = new Map<string, LoadedRaster>();
let counter = 0;
const registeredWith = new WeakSet<object>();

/** Registers a decoded frame and returns its image id (the raster is kept, never modified). */
export function registerRaster(raster: Raster, options: RegisterOptions = {}): LoadedRaster {
  const imageId = `${SCHEME}:${++counter}`;
  const { width: fullWidth, height: fullHeight } = raster.window;
  const isOverview = raster.width !== fullWidth || raster.height !== fullHeight;
  // an overview is registered as an image of its own size, with the geotransform scaled to it, so
  // whatever reads `raster` (display, live engine, export) sees consistent pixels and georeferencing
  const shown = isOverview ? overviewImage(raster) : raster;
  const entry: LoadedRaster = displayedImage(imageId, shown, shown.frame);
  const scaleX = fullWidth / raster.width;
  const scaleY = fullHeight / raster.height;
  if (isOverview) entry.overview = { fullWidth, fullHeight, scaleX, scaleY };
  const { readWindow } = options;
  if (readWindow) entry.readWindow = readWindow;
  // an overview that can read full-resolution windows is enhanced from them: the engine works in
  // native px and hands tiles back in overview px, the cornerstone image's own coordinates
  if (isOverview && readWindow)
    entry.native = {
      width: fullWidth,
      height: fullHeight,
      scaleX,
      scaleY,
      readWindow: async (rect, signal) => (await readWindow(rect, signal)).modality,
    };
  registry.set(imageId, entry);
  return entry;
}

/**
 * An overview read (Raster.width/height smaller than its full-resolution window) as an image of its
 * own: window, size and geotransform in the overview's pixels; the full image's size is kept in
 * `info.metadata.overviewOf`. Pixels are shared, not copied.
 */
function overviewImage(raster: Raster): Raster {
  const w = raster.window;
  const sx = w.width / raster.width;
  const sy = w.height / raster.height;
  const sp = raster.info.spacing;
  let spacing: Spacing | undefined = sp;
  if (sp?.kind === 'geotransform') {
    const [x0, a, b, y0, c, d] = sp.geotransform;
    spacing = {
      ...sp,
      geotransform: [x0 + w.x * a + w.y * b, a * sx, b * sy, y0 + w.x * c + w.y * d, c * sx, d * sy],
    };
  } else if (sp) {
    spacing = { ...sp, rowMm: sp.rowMm * sy, columnMm: sp.columnMm * sx };
  }
  const info = {
    ...raster.info,
    width: raster.width,
    height: raster.height,
    metadata: {
      ...raster.info.metadata,
      overviewOf: { ...w, imageWidth: raster.info.width, imageHeight: raster.info.height },
    },
  };
  if (spacing) info.spacing = spacing;
  else delete info.spacing;
  return { ...raster, info, window: { x: 0, y: 0, width: raster.width, height: raster.height } };
}

/** Forgets a raster (cornerstone's own cache entry is removed by the caller). */
export function unregisterRaster(imageId: string): void {
  registry.delete(imageId);
}

/** The registered raster behind an image id. */
export function getLoadedRaster(imageId: string): LoadedRaster | undefined {
  return registry.get(imageId);
}

/** Stored grayscale pixels cornerstone can index with its LUT, and the slope/intercept to real units. */
function grayPixels(e: LoadedRaster): { pixels: ArrayLike<number>; slope: number; intercept: number } {
  const r = e.raster;
  const { slope, intercept, nodata } = r.info.valueMapping;
  const direct = ['uint8', 'int8', 'uint16', 'int16'].includes(r.dtype) && nodata === undefined;
  if (direct && r.samples === 1) return { pixels: r.data, slope, intercept };
  // float, 32-bit, nodata or a 2-band raster: quantize band 0 of the real values to 16 bits
  const n = r.width * r.height;
  const band = new Float64Array(n);
  for (let i = 0; i < n; i++) band[i] = e.modality[i * r.samples] as number;
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of band) {
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!(lo <= hi)) [lo, hi] = [0, 1];
  const step = hi > lo ? (hi - lo) / 65535 : 1;
  const pixels = new Uint16Array(n);
  for (let i = 0; i < n; i++) {
    const v = band[i] as number;
    pixels[i] = Number.isFinite(v) ? Math.round((v - lo) / step) : 0;
  }
  return { pixels, slope: step, intercept: lo };
}

function colorPixels(e: LoadedRaster): Uint8Array {
  const r = e.raster;
  const d = e.display;
  if (d.kind !== 'color') throw new Error('not a color image');
  const n = r.width * r.height;
  const out = new Uint8Array(n * 4);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 3; c++) {
      const [lo, hi] = d.ranges[c] as [number, number];
      out[i * 4 + c] = rangeToByte(e.modality[i * r.samples + (d.bands[c] as number)] as number, lo, hi);
    }
    out[i * 4 + 3] = 255;
  }
  return out;
}

/** Builds the cornerstone image for a registered raster. */
export function toCornerstoneImage(e: LoadedRaster): CornerstoneImage {
  const r = e.raster;
  const d = e.display;
  const common = {
    imageId: e.imageId,
    rows: r.height,
    columns: r.width,
    height: r.height,
    width: r.width,
    rowPixelSpacing: e.spacing.row,
    columnPixelSpacing: e.spacing.column,
    windowCenter: d.voi.windowCenter,
    windowWidth: d.voi.windowWidth,
  };
  if (d.kind === 'color') {
    const pixels = colorPixels(e);
    return {
      ...common,
      minPixelValue: 0,
      maxPixelValue: 255,
      slope: 1,
      intercept: 0,
      getPixelData: () => pixels,
      color: true,
      rgba: false,
      invert: false,
      sizeInBytes: pixels.byteLength,
      photometricInterpretation: 'RGB',
    };
  }
  const { pixels, slope, intercept } = grayPixels(e);
  const [min, max] = minMax(pixels);
  return {
    ...common,
    minPixelValue: min,
    maxPixelValue: max,
    slope,
    intercept,
    getPixelData: () => pixels,
    color: false,
    rgba: false,
    invert: d.invert,
    sizeInBytes: (pixels as Uint8Array).byteLength ?? pixels.length * 2,
    photometricInterpretation: r.info.photometric,
  };
}

/** Registers the `tilesr:` loader with a cornerstone instance (once). */
export function registerLoader(cs: Cornerstone): void {
  if (registeredWith.has(cs)) return;
  registeredWith.add(cs);
  cs.registerImageLoader(SCHEME, (imageId: string): ImageLoadObject => {
    const e = registry.get(imageId);
    return {
      promise: e
        ? Promise.resolve(toCornerstoneImage(e))
        : Promise.reject(new Error(`${imageId} is not a registered tilesr raster`)),
    };
  });
}
