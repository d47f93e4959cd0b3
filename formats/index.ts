/** Public entry of formats/: open any supported file as a RasterSource. */
import { FormatError } from './errors.ts';
import { describeInput, readHead, type RasterInput } from './input.ts';
import { DEFAULT_LIMITS, type DecodeLimits, type RasterSource } from './raster.ts';
import { sniffFormat } from './sniff.ts';

export * from './errors.ts';
export * from './raster.ts';
export * from './input.ts';
export { sniffFormat } from './sniff.ts';

/** Options for opening a file. */
export interface OpenOptions {
  limits?: Partial<DecodeLimits>;
  signal?: AbortSignal;
}

/** Opens a DICOM or GeoTIFF file, URL, File or buffer. Decoders are loaded only when needed. */
export async function openRaster(input: RasterInput, options: OpenOptions = {}): Promise<RasterSource> {
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const head = await readHead(input, 132, options.signal);
  switch (sniffFormat(head)) {
    case 'dicom': {
      const { openDicom } = await import('./dicom/source.ts');
      return openDicom(input, { limits, signal: options.signal });
    }
    case 'geotiff': {
      const { openGeoTiff } = await import('./geotiff/source.ts');
      return openGeoTiff(input, { limits, signal: options.signal });
    }
    default:
      if (head.length < 8)
        throw new FormatError('TRUNCATED', `${describeInput(input)} is too short to be an image`);
      throw new FormatError('UNKNOWN_FORMAT', `${describeInput(input)} is neither DICOM nor TIFF`);
  }
}
