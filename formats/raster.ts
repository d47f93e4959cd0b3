import { FormatError } from './errors.ts';

/**
 * The one raster model shared by DICOM and GeoTIFF: what a viewer, the inference engine and an
 * exporter need. Pixel data are never modified in place by any later layer.
 */

/** Sample data types we decode to; names follow NumPy so .npy output is direct. */
export type SampleType = 'uint8' | 'int8' | 'uint16' | 'int16' | 'uint32' | 'int32' | 'float32' | 'float64';

/** The typed array matching a SampleType. */
export type TypedPixels =
  Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | Float32Array | Float64Array;

/** Photometric interpretation after decoding (color is always delivered as RGB). */
export type Photometric = 'MONOCHROME1' | 'MONOCHROME2' | 'RGB' | 'MULTIBAND';

/** Stored value -> real units (DICOM Modality LUT slope/intercept; GeoTIFF scale/offset). */
export interface ValueMapping {
  slope: number;
  intercept: number;
  /** Unit of the mapped values when known, e.g. 'HU', 'm', 'reflectance'. */
  unit?: string;
  /** Stored value meaning "no data" (GeoTIFF GDAL_NODATA); excluded from statistics. */
  nodata?: number;
}

/** A VOI window preset in real (modality) units. */
export interface WindowPreset {
  center: number;
  width: number;
  explanation?: string;
}

/** Physical sampling. DICOM: mm between pixel centres; GeoTIFF: an affine geotransform. */
export type Spacing =
  | { kind: 'PixelSpacing' | 'ImagerPixelSpacing'; rowMm: number; columnMm: number }
  | {
      kind: 'geotransform';
      /** GDAL order: [originX, pixelWidth, rowRotation, originY, colRotation, pixelHeight]. */
      geotransform: [number, number, number, number, number, number];
      epsg?: number;
    };

/** Header-level facts about an image, known before any pixel is decoded. */
export interface ImageInfo {
  format: 'dicom' | 'geotiff';
  width: number;
  height: number;
  /** Number of frames (DICOM multi-frame); 1 for GeoTIFF. */
  frames: number;
  /** Samples per pixel (DICOM) or bands (GeoTIFF), as delivered by `read`. */
  samples: number;
  dtype: SampleType;
  /** Significant bits of each stored sample (DICOM BitsStored; TIFF BitsPerSample). */
  bitsStored: number;
  signed: boolean;
  /** Photometric interpretation as stored in the file (e.g. 'YBR_FULL_422', 'PALETTE COLOR', 'RGB'). */
  photometricStored: string;
  /** Photometric interpretation of the delivered raster. */
  photometric: Photometric;
  valueMapping: ValueMapping;
  windows: WindowPreset[];
  spacing?: Spacing;
  /** DICOM Transfer Syntax UID. */
  transferSyntaxUID?: string;
  /** TIFF compression name (e.g. 'deflate', 'lzw', 'jpeg'). */
  compression?: string;
  /** Whether the encoding loses information (lossy JPEG/J2K/JPEG-LS near-lossless, LERC with error). */
  lossy: boolean;
  /** Format metadata kept intact for viewers and exporters (DICOM UIDs and attributes, GeoKeys). */
  metadata: Record<string, unknown>;
  /** Set when the image is itself the result of super-resolution (the pipeline refuses it by default). */
  enhancement?: PriorEnhancement;
}

/**
 * What an image says about an earlier super-resolution step (DICOM: Derivation Code DCM 113085
 * "Spatial resampling", or tilesr named in Contributing Equipment / Derivation Description).
 */
export interface PriorEnhancement {
  /** 'tilesr' when tilesr made it; 'unknown' for a spatial resampling by another tool. */
  by: 'tilesr' | 'unknown';
  /** Model id of the earlier step, when the file names it. */
  model?: string;
  /** Scale factor of the earlier step, when the file names it. */
  scale?: number;
  /** The file's Derivation Description, as written. */
  description?: string;
}

/** A rectangle in pixel coordinates of the full-resolution image. */
export interface PixelWindow {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Whether `w` is a non-empty rectangle of whole pixels inside an image of the given size. */
export function windowInside(w: PixelWindow, size: { width: number; height: number }): boolean {
  return (
    [w.x, w.y, w.width, w.height].every(Number.isInteger) &&
    w.x >= 0 &&
    w.y >= 0 &&
    w.width >= 1 &&
    w.height >= 1 &&
    w.x + w.width <= size.width &&
    w.y + w.height <= size.height
  );
}

/** The window to read (the whole image when none is given); WINDOW_OUT_OF_BOUNDS unless it is inside. */
export function checkWindow(
  w: PixelWindow | undefined,
  size: { width: number; height: number },
): PixelWindow {
  if (!w) return { x: 0, y: 0, width: size.width, height: size.height };
  if (!windowInside(w, size))
    throw new FormatError(
      'WINDOW_OUT_OF_BOUNDS',
      `window ${w.x},${w.y} ${w.width}x${w.height} is not inside the ${size.width}x${size.height} image`,
    );
  return { x: w.x, y: w.y, width: w.width, height: w.height };
}

/** Decoded pixels of one frame (and optionally one window) with the facts needed to interpret them. */
export interface Raster {
  info: ImageInfo;
  frame: number;
  window: PixelWindow;
  /** Width and height of `data` (equal to the window size unless an overview was read). */
  width: number;
  height: number;
  samples: number;
  dtype: SampleType;
  /** Row-major, pixel-interleaved samples: index = (y * width + x) * samples + s. */
  data: TypedPixels;
}

/** Options for reading pixels from a source. */
export interface ReadOptions {
  frame?: number;
  window?: PixelWindow;
  /** GeoTIFF: read from the overview whose size is closest to (not below) this width/height. */
  targetSize?: { width: number; height: number };
  /**
   * GeoTIFF with `targetSize`: when no overview is small enough, sub-sample the chosen level
   * (every k-th pixel and row, k = floor(level size / target) >= 2; stored values kept) one row of
   * blocks at a time instead of decoding it whole. `width/height` are then the sub-sampled size.
   */
  decimate?: boolean;
  /**
   * Bytes this read may decode into (GeoTIFF), overriding `DecodeLimits.memoryBudget`; a larger
   * request fails with FormatError('MEMORY_BUDGET') before anything is fetched or allocated.
   */
  memoryBudget?: number;
  signal?: AbortSignal;
}

/** Size limits checked before large allocations. */
export interface DecodeLimits {
  /** Largest width*height*samples*frames accepted from a header. */
  maxSamples: number;
  /** Largest single dimension accepted. */
  maxDimension: number;
  /**
   * Largest decoded size in bytes of one read (GeoTIFF: window x samples x bytes per sample at the
   * chosen level); beyond it FormatError('MEMORY_BUDGET'), before allocating. Unset: no budget.
   */
  memoryBudget?: number;
}

/** Default decode budget of one read: 1 GiB (an 8192x8192x3 uint16 scene decodes to 384 MiB). */
export const DEFAULT_MEMORY_BUDGET = 2 ** 30;

/** Defaults: 2^31 samples (e.g. 46k x 46k grayscale), dimensions up to 2^20, 1 GiB per read. */
export const DEFAULT_LIMITS: DecodeLimits = {
  maxSamples: 2 ** 31,
  maxDimension: 2 ** 20,
  memoryBudget: DEFAULT_MEMORY_BUDGET,
};

/** An opened image: header parsed, pixels decoded on demand. */
export interface RasterSource {
  readonly info: ImageInfo;
  read(options?: ReadOptions): Promise<Raster>;
  close(): Promise<void>;
}

/** Bytes per sample of a SampleType. */
export function bytesPerSample(t: SampleType): number {
  switch (t) {
    case 'uint8':
    case 'int8':
      return 1;
    case 'uint16':
    case 'int16':
      return 2;
    case 'uint32':
    case 'int32':
    case 'float32':
      return 4;
    case 'float64':
      return 8;
  }
}

/** Allocates a typed array for a SampleType. */
export function allocatePixels(t: SampleType, length: number): TypedPixels {
  switch (t) {
    case 'uint8':
      return new Uint8Array(length);
    case 'int8':
      return new Int8Array(length);
    case 'uint16':
      return new Uint16Array(length);
    case 'int16':
      return new Int16Array(length);
    case 'uint32':
      return new Uint32Array(length);
    case 'int32':
      return new Int32Array(length);
    case 'float32':
      return new Float32Array(length);
    case 'float64':
      return new Float64Array(length);
  }
}

/** The SampleType of a typed array. */
export function sampleTypeOf(a: TypedPixels): SampleType {
  if (a instanceof Uint8Array) return 'uint8';
  if (a instanceof Int8Array) return 'int8';
  if (a instanceof Uint16Array) return 'uint16';
  if (a instanceof Int16Array) return 'int16';
  if (a instanceof Uint32Array) return 'uint32';
  if (a instanceof Int32Array) return 'int32';
  if (a instanceof Float32Array) return 'float32';
  return 'float64';
}

/** Stored values -> real units (modality values) as float64 (float32 when `single`), nodata -> NaN. */
export function toModalityValues(r: Raster, single = false): Float32Array | Float64Array {
  const { slope, intercept, nodata } = r.info.valueMapping;
  const out = single ? new Float32Array(r.data.length) : new Float64Array(r.data.length);
  for (let i = 0; i < r.data.length; i++) {
    const v = r.data[i] as number;
    out[i] = nodata !== undefined && v === nodata ? NaN : v * slope + intercept;
  }
  return out;
}
