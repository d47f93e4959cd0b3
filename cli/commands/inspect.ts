/** `tilesr inspect FILE`: prints what the header says, as JSON. */
import { openRaster } from '../../formats/index.ts';
import { parse } from '../args.ts';
import { isSeriesUrl } from '../../dicomweb/url.ts';
import type { ImageInfo } from '../../formats/raster.ts';

/** The JSON shape printed by `inspect` (stable field names, snake_case like the rest of the CLI). */
export function describe(info: ImageInfo): Record<string, unknown> {
  const spacing = info.spacing;
  return {
    format: info.format,
    width: info.width,
    height: info.height,
    frames: info.frames,
    samples: info.samples,
    dtype: info.dtype,
    bits_stored: info.bitsStored,
    signed: info.signed,
    photometric: info.photometricStored,
    photometric_decoded: info.photometric,
    transfer_syntax_uid: info.transferSyntaxUID ?? null,
    compression: info.compression ?? null,
    lossy: info.lossy,
    rescale_slope: info.valueMapping.slope,
    rescale_intercept: info.valueMapping.intercept,
    unit: info.valueMapping.unit ?? null,
    nodata: info.valueMapping.nodata ?? null,
    windows: info.windows,
    pixel_spacing:
      spacing && spacing.kind !== 'geotransform'
        ? { kind: spacing.kind, row_mm: spacing.rowMm, column_mm: spacing.columnMm }
        : null,
    geotransform: spacing?.kind === 'geotransform' ? spacing.geotransform : null,
    epsg: spacing?.kind === 'geotransform' ? (spacing.epsg ?? null) : null,
    metadata: info.metadata,
  };
}

/** Runs `inspect` on a file, or on a DICOMweb series URL. */
export async function inspect(argv: string[]): Promise<number> {
  // a DICOMweb series URL: its instances (cli/inspect-series.ts)
  if (argv.some(isSeriesUrl)) return (await import('../inspect-series.ts')).inspectSeries(argv);
  const { positionals } = parse(argv, {}, 1);
  const source = await openRaster(positionals[0] as string);
  try {
    process.stdout.write(JSON.stringify(describe(source.info), null, 2) + '\n');
  } finally {
    await source.close();
  }
  return 0;
}
