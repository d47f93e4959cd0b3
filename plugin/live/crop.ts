/** Cuts the pixels one enhancement tile needs (its cell plus halo) out of a full frame, without touching it. */
import { allocatePixels, type Raster } from '../../formats/raster.ts';
import type { Rect } from '../pipeline/tiler.ts';

/** The pipeline's halo growth (one definition, plugin/pipeline/tile.ts). */
export { growRect } from '../pipeline/tile.ts';

/**
 * A Raster holding `rect` of a full-frame raster and only `bands` (in that order); `window` is the
 * rect in full-image coordinates, so enhanceRaster's `window` option takes image coordinates.
 */
export function cropRaster(raster: Raster, rect: Rect, bands: number[]): Raster {
  const nb = bands.length;
  const data = allocatePixels(raster.dtype, rect.width * rect.height * nb);
  for (let y = 0; y < rect.height; y++) {
    for (let x = 0; x < rect.width; x++) {
      const src = ((rect.y + y) * raster.width + rect.x + x) * raster.samples;
      const dst = (y * rect.width + x) * nb;
      for (let b = 0; b < nb; b++) data[dst + b] = raster.data[src + (bands[b] as number)] as number;
    }
  }
  return {
    info: raster.info,
    frame: raster.frame,
    window: {
      x: raster.window.x + rect.x,
      y: raster.window.y + rect.y,
      width: rect.width,
      height: rect.height,
    },
    width: rect.width,
    height: rect.height,
    samples: nb,
    dtype: raster.dtype,
    data,
  };
}
