/**
 * The OpenLayers adapter (the only folder importing `ol`, an optional peer dependency): a GeoTIFF
 * map with the original, an enhanced level past native resolution, the mark, swipe and readout.
 */
export { openEnhancedMap, EnhancedMap } from './map.ts';
export type { EnhancedMapOptions, EnhancedMapEvents, PixelValues } from './map.ts';
export type { BandStyle } from './style.ts';
export { defaultBandStyle, olStyle, styleBands } from './style.ts';
export { placeImage, buildPyramid, PIXEL_CRS, TILE_SIZE } from './grid.ts';
export type { MapPlacement, Pyramid } from './grid.ts';
export type { EnhancedStats, EnhancedMapTile } from './enhanced-tiles.ts';
export type { MarkStats } from './mark-layer.ts';
