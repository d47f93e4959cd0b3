/**
 * Tile payloads of both layers: every raster band in real units (float32) and an alpha band after
 * them (1 = valid, 0 = nodata or outside the image; such pixels hold NaN in every band).
 */
import type { RasterSource } from '../../../formats/raster.ts';
import { toModalityValues } from '../../../formats/raster.ts';
import { FormatError } from '../../../formats/errors.ts';
import type { Rect } from '../../pipeline/tiler.ts';
import { TILE_SIZE } from './grid.ts';

/** An all-transparent tile of `samples` bands + alpha. */
export function emptyTile(samples: number): Float32Array {
  const out = new Float32Array(TILE_SIZE * TILE_SIZE * (samples + 1)).fill(NaN);
  for (let i = samples; i < out.length; i += samples + 1) out[i] = 0;
  return out;
}

/** Image values of one read: real units, pixel-interleaved, and how they map to full-res pixels. */
interface LevelRead {
  values: Float32Array | Float64Array;
  width: number;
  samples: number;
  /** Level px of the first column/row of `values`. */
  x0: number;
  y0: number;
  /** Level px per full-resolution px. */
  sx: number;
  sy: number;
}

/**
 * Reads full-resolution `win` from the overview formats/geotiff picks for a whole-image target of
 * 1/f of the image (smallest level >= the target, as source.ts pickLevel), and says how its pixels
 * map back. When the read does not come back at the size that level implies, reads full resolution
 * instead, so a tile is never shifted.
 */
async function readLevel(src: RasterSource, win: Rect, f: number, signal: AbortSignal): Promise<LevelRead> {
  const { info } = src;
  const full = async (): Promise<LevelRead> => {
    const r = await src.read({ window: win, signal });
    return {
      values: toModalityValues(r, true),
      width: r.width,
      samples: r.samples,
      x0: win.x,
      y0: win.y,
      sx: 1,
      sy: 1,
    };
  };
  if (f === 1) return full();
  const target = { width: Math.ceil(info.width / f), height: Math.ceil(info.height / f) };
  const overviews = (info.metadata.overviews ?? []) as Array<{ width: number; height: number }>;
  let level = { width: info.width, height: info.height };
  for (const l of overviews)
    if (l.width >= target.width && l.height >= target.height && l.width < level.width) level = l;
  if (level.width === info.width) return full();
  const sx = level.width / info.width;
  const sy = level.height / info.height;
  const x0 = Math.min(level.width - 1, Math.floor(win.x * sx));
  const y0 = Math.min(level.height - 1, Math.floor(win.y * sy));
  const x1 = Math.max(x0 + 1, Math.min(level.width, Math.ceil((win.x + win.width) * sx)));
  const y1 = Math.max(y0 + 1, Math.min(level.height, Math.ceil((win.y + win.height) * sy)));
  const r = await src.read({ window: win, targetSize: target, signal });
  if (r.width !== x1 - x0 || r.height !== y1 - y0) return full();
  return { values: toModalityValues(r, true), width: r.width, samples: r.samples, x0, y0, sx, sy };
}

/**
 * One base tile: full-resolution `win` at f image px per tile px (nearest sample of the level
 * read), the tile's top-left at image px (`left`, `top`).
 */
export async function baseTileData(
  src: RasterSource,
  win: Rect,
  left: number,
  top: number,
  f: number,
  signal: AbortSignal,
): Promise<Float32Array> {
  const nb = src.info.samples;
  const out = emptyTile(nb);
  if (win.width <= 0 || win.height <= 0) return out;
  const r = await readLevel(src, win, f, signal);
  const stride = nb + 1;
  for (let j = 0; j < TILE_SIZE; j++) {
    const Y = top + (j + 0.5) * f;
    if (Y >= win.y + win.height) break;
    const ry = Math.floor(Y * r.sy) - r.y0;
    for (let i = 0; i < TILE_SIZE; i++) {
      const X = left + (i + 0.5) * f;
      if (X >= win.x + win.width) break;
      const rx = Math.floor(X * r.sx) - r.x0;
      const src0 = (ry * r.width + rx) * r.samples;
      const dst = (j * TILE_SIZE + i) * stride;
      let valid = true;
      for (let b = 0; b < nb; b++) {
        const v = r.values[src0 + b] as number;
        if (!Number.isFinite(v)) valid = false;
        out[dst + b] = v;
      }
      if (valid) out[dst + nb] = 1;
      else for (let b = 0; b < nb; b++) out[dst + b] = NaN;
    }
  }
  return out;
}

/** Throws ABORTED when `signal` fired (between awaits of a tile loader). */
export function checkAborted(signal: AbortSignal): void {
  if (signal.aborted) throw new FormatError('ABORTED', 'the tile was aborted', { cause: signal.reason });
}
