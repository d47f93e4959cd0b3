/**
 * The per-tile consistency check shown in the viewer: each band of an enhanced tile, downsampled
 * with the models' training degradation, should give its LR cell back (validation/consistency.ts).
 */
import type { NormRange } from '../../models/normalize.ts';
import type { Rect } from './tiler.ts';
import { consistency } from '../../validation/consistency.ts';

/** Real-unit values of a whole frame, pixel-interleaved. */
export interface FrameValues {
  data: ArrayLike<number>;
  width: number;
  samples: number;
}

/** SR pixels of one cell: [h, w, bands] real units. */
export interface TileValues {
  data: ArrayLike<number>;
  width: number;
  height: number;
  samples: number;
  scale: number;
}

/** The worst band's consistency PSNR (dB) of a tile; data range = the band's normalization range. */
export function tileConsistencyPsnr(
  frame: FrameValues,
  cell: Rect,
  bands: number[],
  tile: TileValues,
  ranges: NormRange[],
): number {
  let worst = Infinity;
  for (let b = 0; b < tile.samples; b++) {
    const band = bands[b] as number;
    const lr = new Float64Array(cell.width * cell.height);
    for (let y = 0; y < cell.height; y++)
      for (let x = 0; x < cell.width; x++)
        lr[y * cell.width + x] = frame.data[
          ((cell.y + y) * frame.width + cell.x + x) * frame.samples + band
        ] as number;
    const sr = new Float32Array(tile.width * tile.height);
    for (let i = 0; i < sr.length; i++) sr[i] = tile.data[i * tile.samples + b] as number;
    const r = ranges[b] as NormRange;
    const check = consistency(
      { width: cell.width, height: cell.height, data: lr },
      { width: tile.width, height: tile.height, data: sr },
      {
        scale: tile.scale,
        degradation: 'torch',
        dataRange: r.hi - r.lo || 1,
        tileSize: Math.max(cell.width, cell.height),
      },
    );
    worst = Math.min(worst, check.psnr);
  }
  return worst;
}
