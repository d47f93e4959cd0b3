/**
 * Splits an LR region into tiles whose halo covers the model's receptive field, so that cropping the
 * halo from each SR tile gives exactly what the model would output on the whole image.
 */
import { windowInside } from '../../formats/raster.ts';
import { PipelineError } from './errors.ts';

/** An axis-aligned rectangle in LR pixel coordinates of the whole image. */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** One tile: the part of the output it owns and the pixels the model must see to produce it. */
export interface TileSpec {
  index: number;
  /** Output area this tile owns, in LR image coordinates; cores never overlap and cover the region. */
  core: Rect;
  /** Pixels fed to the model: the core grown by the halo, cropped to the image (never padded). */
  input: Rect;
}

/** A complete tiling of a region. */
export interface TilePlan {
  image: { width: number; height: number };
  region: Rect;
  scale: number;
  /** Largest core side used (LR px). */
  tile: number;
  /** Halo per side (LR px) before cropping at the image border. */
  halo: number;
  columns: number;
  rows: number;
  tiles: TileSpec[];
}

/** Device limits that bound the tile size (e.g. from WebGPU adapter limits). */
export interface TileLimits {
  /** Largest single buffer in bytes (WebGPU maxStorageBufferBindingSize / maxBufferSize). */
  maxBufferBytes?: number;
  /** Largest LR input (core + halo) area in pixels. */
  maxTilePixels?: number;
  /** Fraction of maxBufferBytes we allow ourselves (drivers need room too). Default 0.75. */
  headroom?: number;
  /** Channels of the model's widest activation (64 for the shipped generators). */
  channels?: number;
}

/** Options for planTiles. */
export interface TilePlanOptions extends TileLimits {
  scale: number;
  /** Halo per side in LR px; must be >= the model's receptive field for exact stitching. */
  halo: number;
  /** Requested core side in LR px (default 256); shrunk to fit the limits. */
  tile?: number;
}

/**
 * Halo used when the registry gives no receptive field: the shipped generators need ~36 LR px
 * (34 LR convs + the upsampler), so 40 leaves a margin.
 */
export const DEFAULT_HALO = 40;
/** Default core side in LR pixels. */
export const DEFAULT_TILE = 256;

/** Bytes of the widest activation for an LR input of w x h: channels x (w*s) x (h*s) float32. */
export function activationBytes(width: number, height: number, scale: number, channels = 64): number {
  return channels * width * scale * height * scale * 4;
}

/**
 * Tile limits from a WebGPU adapter/device's limits: the widest activation must fit both one storage
 * binding and one buffer (onnxruntime-web allocates each activation as one buffer).
 */
export function webGpuTileLimits(
  limits: { maxStorageBufferBindingSize: number; maxBufferSize: number },
  headroom = 0.75,
): TileLimits {
  return { maxBufferBytes: Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize), headroom };
}

/** Largest core side whose input (core + 2*halo, squared) fits the limits; Infinity when unbounded. */
export function maxTileForLimits(limits: TileLimits, scale: number, halo: number): number {
  const channels = limits.channels ?? 64;
  let side = Infinity;
  if (limits.maxBufferBytes !== undefined) {
    const budget = limits.maxBufferBytes * (limits.headroom ?? 0.75);
    side = Math.min(side, Math.floor(Math.sqrt(budget / (channels * 4)) / scale));
  }
  if (limits.maxTilePixels !== undefined) side = Math.min(side, Math.floor(Math.sqrt(limits.maxTilePixels)));
  return side - 2 * halo;
}

/** Splits `length` into `n` near-equal parts (sizes differ by at most one). */
function split(start: number, length: number, n: number): Array<[number, number]> {
  const parts: Array<[number, number]> = [];
  let pos = start;
  for (let i = 0; i < n; i++) {
    const size = Math.floor(length / n) + (i < length % n ? 1 : 0);
    parts.push([pos, size]);
    pos += size;
  }
  return parts;
}

/** Plans the tiles covering `region` of an image of the given size. */
export function planTiles(
  image: { width: number; height: number },
  region: Rect,
  options: TilePlanOptions,
): TilePlan {
  const { scale, halo } = options;
  const ints = [region.x, region.y, region.width, region.height, halo, scale];
  if (ints.some((n) => !Number.isInteger(n)) || halo < 0 || scale < 1) {
    throw new PipelineError('INVALID_REQUEST', 'region, halo and scale must be integers (halo >= 0)');
  }
  if (!windowInside(region, image)) {
    throw new PipelineError(
      'INVALID_REQUEST',
      `region ${region.x},${region.y},${region.width},${region.height} is not inside the ${image.width}x${image.height} image`,
    );
  }
  const requested = options.tile ?? DEFAULT_TILE;
  if (!Number.isInteger(requested) || requested < 1) {
    throw new PipelineError('INVALID_REQUEST', `tile size must be a positive integer, got ${requested}`);
  }
  const fit = maxTileForLimits(options, scale, halo);
  // below 16 px of core per tile, the halo would be >80% of the work: the limits are unusable
  if (fit < 16) {
    throw new PipelineError(
      'INVALID_REQUEST',
      `device limits leave no room for a tile: halo ${halo} px at x${scale} needs more than the buffer allows`,
    );
  }
  const tile = Math.min(requested, fit);
  const columns = Math.ceil(region.width / tile);
  const rows = Math.ceil(region.height / tile);
  const xs = split(region.x, region.width, columns);
  const ys = split(region.y, region.height, rows);
  const tiles: TileSpec[] = [];
  for (const [y, height] of ys) {
    for (const [x, width] of xs) {
      const x0 = Math.max(0, x - halo);
      const y0 = Math.max(0, y - halo);
      const x1 = Math.min(image.width, x + width + halo);
      const y1 = Math.min(image.height, y + height + halo);
      tiles.push({
        index: tiles.length,
        core: { x, y, width, height },
        input: { x: x0, y: y0, width: x1 - x0, height: y1 - y0 },
      });
    }
  }
  return {
    image: { width: image.width, height: image.height },
    region: { ...region },
    scale,
    tile: Math.max(...xs.map((p) => p[1]), ...ys.map((p) => p[1])),
    halo,
    columns,
    rows,
    tiles,
  };
}

/** Copies `rect` out of a single-channel plane of the given width (row-major). */
export function cropPlane(plane: Float32Array, planeWidth: number, rect: Rect): Float32Array {
  const out = new Float32Array(rect.width * rect.height);
  for (let y = 0; y < rect.height; y++) {
    const start = (rect.y + y) * planeWidth + rect.x;
    out.set(plane.subarray(start, start + rect.width), y * rect.width);
  }
  return out;
}
