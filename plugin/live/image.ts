/**
 * The one record of a loaded frame: every viewer loader (cornerstone-core's `LoadedRaster`,
 * Cornerstone3D's `StackImage`) builds a `DisplayedImage` here, i.e. the engine's `LiveImage` plus the
 * display model its adapter renders with, so the engine takes the loader's own record (no copy, no
 * bridge). Also the viewer-agnostic facts those loaders derive from a Raster: pixel spacing with its
 * unit, and the finite value range of pixels.
 */
import { toModalityValues, type Raster, type Spacing } from '../../formats/raster.ts';
import { displayModelFor, type DisplayModel } from './display.ts';
import type { LiveImage, PixelSpacing } from './types.ts';

/** A frame as a viewer shows it: what the engine enhances, and how the adapter renders it. */
export interface DisplayedImage extends LiveImage {
  display: DisplayModel;
}

/** Row/column pixel spacing: DICOM mm; GeoTIFF |pixel size| from the geotransform, unit from the EPSG code. */
export function pixelSpacingOf(spacing: Spacing | undefined): PixelSpacing {
  if (!spacing) return { row: 1, column: 1, unit: 'px', source: 'none' };
  if (spacing.kind !== 'geotransform')
    return { row: spacing.rowMm, column: spacing.columnMm, unit: 'mm', source: spacing.kind };
  const [, pw, , , , ph] = spacing.geotransform;
  // EPSG 4000-4999 are geographic CRSs (lat/lon degrees); projected CRSs are almost always metres
  const geographic = spacing.epsg !== undefined && spacing.epsg >= 4000 && spacing.epsg < 5000;
  const unit = spacing.epsg === undefined ? 'px' : geographic ? 'deg' : 'm';
  return { row: Math.abs(ph) || 1, column: Math.abs(pw) || 1, unit, source: 'geotransform' };
}

/** Smallest and largest value ([0, 0] when there is none), e.g. a viewer image's min/max pixel value. */
export function minMax(a: ArrayLike<number>): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < a.length; i++) {
    const v = a[i] as number;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : [0, 0];
}

/** Raster bands enhanced and drawn, in output order (one for gray, three for colour). */
export function displayBands(display: DisplayModel): number[] {
  return display.kind === 'gray' ? [display.band] : [...display.bands];
}

/**
 * The record of a decoded frame (kept, never modified): real-unit values computed once (float32:
 * half the memory of a large frame; display and tile checks need no more precision), display model,
 * bands and spacing.
 */
export function displayedImage(imageId: string, raster: Raster, frame: number): DisplayedImage {
  const modality = toModalityValues(raster, true) as Float32Array;
  const display = displayModelFor(raster, modality);
  return {
    imageId,
    raster,
    modality,
    display,
    bands: displayBands(display),
    spacing: pixelSpacingOf(raster.info.spacing),
    frame,
  };
}
