/**
 * The map geometry of one raster, without OpenLayers types: where the image lies in its CRS (or in a
 * pixel CRS), the resolutions of the base pyramid (powers of two down to native) and the one finer
 * level the enhanced layer adds (native / model scale), and the mapping between tile coordinates and
 * full-resolution image pixels. Pure functions, so Node tests check them without a browser.
 */
import type { ImageInfo } from '../../../formats/raster.ts';
import type { Rect } from '../../pipeline/tiler.ts';

/** Side of every tile of both layers, in tile pixels. */
export const TILE_SIZE = 256;

/** Where the image lies on the map. */
export interface MapPlacement {
  /** 'EPSG:<n>' from the GeoKeys, or PIXEL_CRS when the file has no usable georeferencing. */
  crs: string;
  /** Map units: 'm', 'degrees' or 'pixels'. */
  units: 'm' | 'degrees' | 'pixels';
  /** [minX, minY, maxX, maxY] of the image in map units. */
  extent: [number, number, number, number];
  /** Map units per full-resolution image pixel. */
  resolution: number;
  /** Why the placement fell back to pixel coordinates (undefined when georeferenced). */
  fallback?: string;
}

/** The CRS used when a file has no north-up, square-pixel geotransform with an EPSG code. */
export const PIXEL_CRS = 'tilesr:pixels';

/**
 * Places the image: its geotransform when it is north-up with square pixels and names an EPSG code;
 * otherwise image pixels (y up, top-left at (0, height)), with the reason.
 */
export function placeImage(info: ImageInfo): MapPlacement {
  const s = info.spacing;
  const pixels = (fallback: string): MapPlacement => ({
    crs: PIXEL_CRS,
    units: 'pixels',
    extent: [0, 0, info.width, info.height],
    resolution: 1,
    fallback,
  });
  if (!s || s.kind !== 'geotransform') return pixels('no geotransform');
  const [x0, dx, rx, y0, ry, dy] = s.geotransform;
  if (rx !== 0 || ry !== 0) return pixels('rotated geotransform');
  if (!(dx > 0) || !(dy < 0) || Math.abs(dx + dy) > 1e-9 * dx)
    return pixels('pixels are not square and north-up');
  if (s.epsg === undefined) return pixels('no EPSG code in the GeoKeys');
  // geographic CRS codes sit in 4000..4999 (EPSG's own convention); everything else here is projected
  const units = s.epsg >= 4000 && s.epsg < 5000 ? 'degrees' : 'm';
  return {
    crs: `EPSG:${s.epsg}`,
    units,
    extent: [x0, y0 + dy * info.height, x0 + dx * info.width, y0],
    resolution: dx,
  };
}

/** The tile pyramid shared by the base and the enhanced layer. */
export interface Pyramid {
  /** Resolutions (map units per tile pixel), coarsest first; the last base level is native. */
  resolutions: number[];
  /** z of the native level (= number of base levels - 1). */
  nativeZ: number;
  /** z of the enhanced level (nativeZ + 1), at native resolution / scale. */
  enhancedZ: number;
  /** Image pixels per tile pixel of each base level (2^(nativeZ - z)). */
  factors: number[];
  scale: number;
  /** Top-left corner of the image: the grid's origin. */
  origin: [number, number];
}

/**
 * Base levels halve the resolution from native until the whole image fits one tile; the enhanced
 * level continues the same grid at native / `scale` (a tile there covers TILE_SIZE / scale image px).
 */
export function buildPyramid(info: ImageInfo, place: MapPlacement, scale: number): Pyramid {
  if (!Number.isInteger(scale) || scale < 1 || TILE_SIZE % scale !== 0)
    throw new RangeError(`model scale ${scale} must divide the tile size ${TILE_SIZE}`);
  let levels = 1;
  while (Math.max(info.width, info.height) / 2 ** (levels - 1) > TILE_SIZE) levels++;
  const factors = Array.from({ length: levels }, (_, z) => 2 ** (levels - 1 - z));
  return {
    resolutions: [...factors.map((f) => place.resolution * f), place.resolution / scale],
    nativeZ: levels - 1,
    enhancedZ: levels,
    factors,
    scale,
    origin: [place.extent[0], place.extent[3]],
  };
}

/** Full-resolution image px covered by base tile (z, x, y), clipped to the image (empty: width 0). */
export function baseTileWindow(p: Pyramid, info: ImageInfo, z: number, x: number, y: number): Rect {
  const f = p.factors[z];
  if (f === undefined) return { x: 0, y: 0, width: 0, height: 0 };
  return clip(
    { x: x * TILE_SIZE * f, y: y * TILE_SIZE * f, width: TILE_SIZE * f, height: TILE_SIZE * f },
    info,
  );
}

/** The LR cell (full-resolution image px) an enhanced tile (x, y) shows, clipped to the image. */
export function enhancedTileCell(p: Pyramid, info: ImageInfo, x: number, y: number): Rect {
  const n = TILE_SIZE / p.scale;
  return clip({ x: x * n, y: y * n, width: n, height: n }, info);
}

/** Enhanced tile coordinates whose cells intersect `region` (image px); empty when none. */
export function enhancedTilesFor(p: Pyramid, info: ImageInfo, region: Rect): Array<[number, number]> {
  const r = clip(region, info);
  if (r.width <= 0 || r.height <= 0) return [];
  const n = TILE_SIZE / p.scale;
  const out: Array<[number, number]> = [];
  for (let y = Math.floor(r.y / n); y * n < r.y + r.height; y++)
    for (let x = Math.floor(r.x / n); x * n < r.x + r.width; x++) out.push([x, y]);
  return out;
}

/** Map extent [minX, minY, maxX, maxY] -> image px (full resolution), not clipped. */
export function extentToImage(place: MapPlacement, e: readonly number[]): Rect {
  const [minX = 0, minY = 0, maxX = 0, maxY = 0] = e;
  const x = (minX - place.extent[0]) / place.resolution;
  const y = (place.extent[3] - maxY) / place.resolution;
  return { x, y, width: (maxX - minX) / place.resolution, height: (maxY - minY) / place.resolution };
}

/**
 * The resolution one step deeper past native from `current`: the first of native/2, native/4, ...
 * (down to native/scale, the enhanced level's own resolution) finer than `current`; undefined when
 * `current` is already that fine (a deeper zoom would only magnify the enhanced pixels).
 */
export function nextResolutionPastNative(current: number, native: number, scale: number): number | undefined {
  const deepest = native / scale;
  // a view a hair coarser than a level (rounding in OpenLayers' view) counts as at that level
  const finer = (r: number) => r < current * (1 - 1e-6);
  for (let r = native / 2; r >= deepest * (1 - 1e-9); r /= 2) if (finer(r)) return r;
  return undefined;
}

/** Image px -> map coordinate. */
export function imageToMap(place: MapPlacement, px: { x: number; y: number }): [number, number] {
  return [place.extent[0] + px.x * place.resolution, place.extent[3] - px.y * place.resolution];
}

function clip(r: Rect, info: { width: number; height: number }): Rect {
  const x0 = Math.max(0, Math.floor(r.x));
  const y0 = Math.max(0, Math.floor(r.y));
  const x1 = Math.min(info.width, Math.ceil(r.x + r.width));
  const y1 = Math.min(info.height, Math.ceil(r.y + r.height));
  return { x: x0, y: y0, width: Math.max(0, x1 - x0), height: Math.max(0, y1 - y0) };
}
