/**
 * Real fixture pixels as Rasters for the pipeline tests (DICOM through formats/, GeoTIFF bands
 * through GDAL).
 */
import type { ImageInfo, Raster } from '../../../formats/raster.ts';
import { fixturePixels, gdalBand, hasCommand } from '../../../models/testing/fixtures.ts';

const MR384 = await fixturePixels('fixtures/dicom/mr384_12bit_explicit_le.dcm');

function info(format: 'dicom' | 'geotiff', width: number, height: number, samples: number): ImageInfo {
  return {
    format,
    width,
    height,
    frames: 1,
    samples,
    dtype: 'float64',
    bitsStored: 64,
    signed: true,
    photometricStored: samples === 1 ? 'MONOCHROME2' : 'RGB',
    photometric: samples === 1 ? 'MONOCHROME2' : samples === 3 ? 'RGB' : 'MULTIBAND',
    valueMapping: { slope: 1, intercept: 0 },
    windows: [],
    spacing:
      format === 'dicom'
        ? { kind: 'PixelSpacing', rowMm: 0.7, columnMm: 0.8 }
        : { kind: 'geotransform', geotransform: [500000, 10, 0, 4100000, 0, -10], epsg: 32633 },
    lossy: false,
    metadata: {},
  };
}

/** A crop of a fixture as a Raster whose window is the crop (pixel-interleaved bands). */
function crop(
  format: 'dicom' | 'geotiff',
  planes: Array<{ width: number; height: number; data: Float64Array }>,
  x: number,
  y: number,
  w: number,
  h: number,
): Raster {
  const first = planes[0] as { width: number; height: number };
  const n = planes.length;
  const data = new Float64Array(w * h * n);
  planes.forEach((p, b) => {
    for (let j = 0; j < h; j++)
      for (let i = 0; i < w; i++) data[(j * w + i) * n + b] = p.data[(y + j) * p.width + x + i] as number;
  });
  return {
    info: info(format, first.width, first.height, n),
    frame: 0,
    window: { x, y, width: w, height: h },
    width: w,
    height: h,
    samples: n,
    dtype: 'float64',
    data,
  };
}

/** A crop of the 384x384 12-bit MR fixture. */
export function mrCrop(x: number, y: number, w: number, h: number): Raster {
  return crop('dicom', [MR384], x, y, w, h);
}

/** Whether GDAL is here to read GeoTIFF fixtures. */
export const HAS_GDAL = hasCommand('gdal_translate');

/** A crop of bands 1..n of a GeoTIFF fixture read by GDAL. */
export function geotiffCrop(file: string, bands: number, x: number, y: number, w: number, h: number): Raster {
  const planes = Array.from({ length: bands }, (_, b) => gdalBand(`fixtures/geotiff/${file}`, b + 1));
  return crop('geotiff', planes, x, y, w, h);
}
