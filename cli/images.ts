/**
 * Loads any image the metrics/validate commands accept as float planes in real units: .npy, .png
 * (cli/png.ts), DICOM and GeoTIFF (formats/ openRaster, modality values, nodata -> NaN), plus the
 * facts needed to derive a data range and to record provenance (sha256).
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import {
  FormatError,
  openRaster,
  toModalityValues,
  type Raster,
  type RasterSource,
} from '../formats/index.ts';
import { decodeNpy } from '../formats/npy.ts';
import {
  dataRangeFromBits,
  dataRangeFromDtype,
  dataRangeFromSpan,
  explicitDataRange,
  type DataRange,
} from '../validation/datarange.ts';
import { splitBands, type Plane } from '../validation/image.ts';
import { decodePng, isPng } from '../formats/png/decode.ts';
import { UsageError } from './errors.ts';

/** One opened image file. */
export interface LoadedImage {
  file: string;
  sha256: string;
  format: 'npy' | 'png' | 'dicom' | 'geotiff';
  width: number;
  height: number;
  frames: number;
  /** Bands (samples) per frame; 3 = RGB for PNG/DICOM colour. */
  samples: number;
  /** Stored sample type (uint8, uint16, float32, ...). */
  dtype: string;
  bitsStored: number;
  /** Modality slope (1 for npy/png). */
  slope: number;
  photometric: string;
  /** Reads one frame as one plane per band (real units, NaN = nodata). */
  read(frame: number): Promise<Plane[]>;
  close(): Promise<void>;
  /** Raster of the frame as the formats layer returns it (DICOM/GeoTIFF only). */
  raster?: (frame: number) => Promise<Raster>;
}

const INT_BITS: Record<string, number> = { uint8: 8, int8: 8, uint16: 16, int16: 16, uint32: 32, int32: 32 };

/** Opens a file; the format is chosen by magic bytes (.npy, PNG) or left to formats/ (DICOM, TIFF). */
export async function openImage(file: string): Promise<LoadedImage> {
  const bytes = new Uint8Array(await readFile(file));
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const fixed = (p: Omit<LoadedImage, 'file' | 'sha256' | 'close'>): LoadedImage => ({
    ...p,
    file,
    sha256,
    close: async () => undefined,
  });
  if (bytes[0] === 0x93 && String.fromCharCode(...bytes.subarray(1, 6)) === 'NUMPY') {
    const a = decodeNpy(bytes);
    const [h, w, c = 1] = a.shape;
    if (a.shape.length < 2 || a.shape.length > 3 || h === undefined || w === undefined)
      throw new FormatError(
        'UNSUPPORTED_SAMPLE_FORMAT',
        `.npy shape ${a.shape.join('x')}: expected [H,W] or [H,W,C]`,
      );
    return fixed({
      format: 'npy',
      width: w,
      height: h,
      frames: 1,
      samples: c,
      dtype: a.dtype,
      bitsStored: INT_BITS[a.dtype] ?? 0,
      slope: 1,
      photometric: c === 3 ? 'RGB' : c === 1 ? 'MONOCHROME2' : 'MULTIBAND',
      read: async () => splitBands(w, h, c, a.data),
    });
  }
  if (isPng(bytes)) {
    const p = decodePng(bytes);
    return fixed({
      format: 'png',
      width: p.width,
      height: p.height,
      frames: 1,
      samples: p.samples,
      dtype: p.bitDepth === 16 ? 'uint16' : 'uint8',
      bitsStored: p.bitDepth,
      slope: 1,
      photometric: p.samples === 3 ? 'RGB' : 'MONOCHROME2',
      read: async () => splitBands(p.width, p.height, p.samples, p.data),
    });
  }
  const src: RasterSource = await openRaster(bytes);
  const info = src.info;
  return {
    file,
    sha256,
    format: info.format,
    width: info.width,
    height: info.height,
    frames: info.frames,
    samples: info.samples,
    dtype: info.dtype,
    bitsStored: info.bitsStored,
    slope: info.valueMapping.slope,
    photometric: info.photometric,
    read: async (frame) => {
      const r = await src.read({ frame });
      return splitBands(r.width, r.height, r.samples, toModalityValues(r));
    },
    raster: (frame) => src.read({ frame }),
    close: () => src.close(),
  };
}

/** `--data-range-rule`: how the data range of PSNR/SSIM is chosen (a number gives it explicitly). */
export type DataRangeChoice = 'auto' | 'gt' | 'bits-stored' | 'dtype' | number;

/**
 * Parses `--data-range-rule gt|bits-stored|dtype|auto|R` and the older `--data-range R` (same as a
 * number). Default 'auto'.
 */
export function parseDataRangeChoice(rule: string | undefined, range: string | undefined): DataRangeChoice {
  if (rule !== undefined && range !== undefined)
    throw new UsageError('give --data-range-rule or --data-range, not both');
  const text = rule ?? range;
  if (text === undefined) return 'auto';
  if (text === 'auto' || text === 'gt' || text === 'bits-stored' || text === 'dtype') return text;
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0)
    throw new UsageError(
      `--data-range-rule wants gt, bits-stored, dtype, auto or a positive number, got "${text}"`,
    );
  return n;
}

/**
 * The data range of a ground-truth plane. 'auto' (the default): the ground truth's own span (max -
 * min of valid pixels) for DICOM and GeoTIFF, whose stored bit depth says little about the signal (a
 * 16-bit CT compared over 65535 reads 80 dB for bicubic); the dtype span for PNG/npy integers (natural
 * images, as published SR tables use 255); the span for float data. 'bits-stored' = 2^bits - 1 x
 * |slope| (modality values); 'dtype' = the integer type's span; a number is used as given.
 */
export function deriveDataRange(img: LoadedImage, gt: Plane, choice: DataRangeChoice = 'auto'): DataRange {
  if (typeof choice === 'number') return explicitDataRange(choice);
  const integer = img.dtype in INT_BITS;
  const raster = img.format === 'dicom' || img.format === 'geotiff';
  switch (choice) {
    case 'gt':
      return dataRangeFromSpan(gt);
    case 'bits-stored':
      if (!raster || !(img.bitsStored > 0))
        throw new UsageError(`${img.format} has no bits-stored: use --data-range-rule gt|dtype|R`);
      return dataRangeFromBits(img.bitsStored, img.slope);
    case 'dtype':
      return dataRangeFromDtype(img.dtype);
    case 'auto':
      return raster || !integer ? dataRangeFromSpan(gt) : dataRangeFromDtype(img.dtype);
  }
}
