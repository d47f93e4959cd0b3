/**
 * Places SR tiles into the output plane: crops each tile's halo (exact when the halo covers the
 * receptive field) and optionally feather-blends a band of `feather` LR px across tile seams.
 */
import { PipelineError } from './errors.ts';
import type { Rect, TilePlan, TileSpec } from './tiler.ts';

/** An SR tile as returned by a backend: row-major, width*height values. */
export interface PlaneTile {
  data: Float32Array;
  width: number;
  height: number;
}

/** Options for Stitcher. */
export interface StitchOptions {
  /**
   * LR px each tile reaches past its core into its neighbour, linearly blended (0 = hard crop).
   * Must not exceed the halo or half the smallest core; it hides seams when the halo is too small.
   */
  feather?: number;
}

/** Assembles one band's SR output for a TilePlan region: (region.width*s) x (region.height*s). */
export class Stitcher {
  readonly width: number;
  readonly height: number;
  readonly data: Float32Array;
  private readonly weight: Float32Array | undefined;
  private readonly feather: number;

  constructor(
    private readonly plan: TilePlan,
    options: StitchOptions = {},
  ) {
    this.feather = options.feather ?? 0;
    // ramps from both sides of a tile must not cross: feather <= half the smallest core
    const limit = Math.min(
      plan.halo,
      Math.floor(Math.min(...plan.tiles.flatMap((t) => [t.core.width, t.core.height])) / 2),
    );
    if (!Number.isInteger(this.feather) || this.feather < 0 || this.feather > limit) {
      throw new PipelineError(
        'INVALID_REQUEST',
        `feather must be an integer in 0..${limit} (halo and half the smallest tile), got ${this.feather}`,
      );
    }
    this.width = plan.region.width * plan.scale;
    this.height = plan.region.height * plan.scale;
    this.data = new Float32Array(this.width * this.height);
    this.weight = this.feather > 0 ? new Float32Array(this.width * this.height) : undefined;
  }

  /** Writes (or blends) one SR tile; `sr` must be the model output for `tile.input`. */
  place(tile: TileSpec, sr: PlaneTile): void {
    const s = this.plan.scale;
    if (sr.width !== tile.input.width * s || sr.height !== tile.input.height * s) {
      throw new PipelineError(
        'TILE_FAILED',
        `tile ${tile.index}: expected ${tile.input.width * s}x${tile.input.height * s} output, got ${sr.width}x${sr.height}`,
      );
    }
    const area = this.contribution(tile);
    // HR coordinates relative to the output region and to the SR tile
    const ox = (area.x - this.plan.region.x) * s;
    const oy = (area.y - this.plan.region.y) * s;
    const tx = (area.x - tile.input.x) * s;
    const ty = (area.y - tile.input.y) * s;
    const w = area.width * s;
    const h = area.height * s;
    if (!this.weight) {
      for (let y = 0; y < h; y++) {
        const src = (ty + y) * sr.width + tx;
        this.data.set(sr.data.subarray(src, src + w), (oy + y) * this.width + ox);
      }
      return;
    }
    const wx = this.ramp(tile.core.x, tile.core.width, area.x, w, this.plan.region.x, this.plan.region.width);
    const wy = this.ramp(
      tile.core.y,
      tile.core.height,
      area.y,
      h,
      this.plan.region.y,
      this.plan.region.height,
    );
    for (let y = 0; y < h; y++) {
      const src = (ty + y) * sr.width + tx;
      const dst = (oy + y) * this.width + ox;
      const fy = wy[y] as number;
      for (let x = 0; x < w; x++) {
        const k = fy * (wx[x] as number);
        this.data[dst + x] = (this.data[dst + x] as number) + k * (sr.data[src + x] as number);
        this.weight[dst + x] = (this.weight[dst + x] as number) + k;
      }
    }
  }

  /** Returns the stitched plane (normalizing blended weights when feathering). */
  finish(): Float32Array {
    if (this.weight) {
      for (let i = 0; i < this.data.length; i++) {
        const w = this.weight[i] as number;
        this.data[i] = w > 0 ? (this.data[i] as number) / w : 0;
      }
    }
    return this.data;
  }

  /** The LR area a tile writes: its core, grown by `feather` towards neighbours inside the region. */
  private contribution(tile: TileSpec): Rect {
    const f = this.feather;
    const r = this.plan.region;
    const x0 = Math.max(r.x, tile.core.x - f);
    const y0 = Math.max(r.y, tile.core.y - f);
    const x1 = Math.min(r.x + r.width, tile.core.x + tile.core.width + f);
    const y1 = Math.min(r.y + r.height, tile.core.y + tile.core.height + f);
    return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
  }

  /**
   * Per-HR-pixel weights along one axis: linear ramps of 2*feather*s px centred on each seam, so
   * the two tiles meeting at a seam sum to exactly 1 (and corners, as products, too).
   */
  private ramp(core0: number, coreLen: number, area0: number, n: number, reg0: number, regLen: number) {
    const s = this.plan.scale;
    const span = 2 * this.feather * s;
    const lo = (core0 - this.feather) * s;
    const hi = (core0 + coreLen + this.feather) * s;
    const hasLeft = core0 > reg0;
    const hasRight = core0 + coreLen < reg0 + regLen;
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const X = area0 * s + i;
      const left = hasLeft ? Math.min(1, (X - lo + 0.5) / span) : 1;
      const right = hasRight ? Math.min(1, (hi - X - 0.5) / span) : 1;
      out[i] = Math.max(0, Math.min(left, right));
    }
    return out;
  }
}
