/**
 * A real, minimal viewer for the live engine's tests and as the reference adapter: it shows one
 * band of a stack of LiveImages in a plain 2D canvas at a zoom (canvas px per image px) and pan
 * (image px at the canvas origin), gray through a fixed window, nearest-neighbour; it renders on
 * request (one render per animation frame) and draws the engine's tiles with the same window,
 * then the mark. No viewer library: what the engine needs from any viewer, and nothing more.
 */
import { drawWatermark } from '../../watermark/viewport.ts';
import type { DrawResult, DrawTile, Point2, ViewerAdapter, ViewState } from '../adapter.ts';
import type { LiveImage } from '../types.ts';

/** One draw call as the adapter saw it (tests check the mark was asked for every time). */
export interface DrawRecord {
  imageId: string;
  tiles: number;
  label: string;
  watermark: DrawResult['watermark'];
}

/** Byte of a real-unit value through the window [lo, hi] (NaN: black). */
export function windowByte(v: number, lo: number, hi: number): number {
  if (!Number.isFinite(v)) return 0;
  const t = Math.round(((v - lo) / (hi - lo)) * 255);
  return t < 0 ? 0 : t > 255 ? 255 : t;
}

/** A plain-canvas viewer of a stack; see the module comment. */
export class CanvasAdapter implements ViewerAdapter {
  readonly id = 'canvas';
  readonly draws: DrawRecord[] = [];
  /** Renders done (each calls the render listeners once). */
  renders = 0;
  zoom = 1;
  /** Image px shown at the canvas origin. */
  x0 = 0;
  y0 = 0;
  private index = 0;
  private pending = false;
  private readonly listeners = new Set<() => void>();
  private readonly ctx: CanvasRenderingContext2D;

  constructor(
    readonly canvas: HTMLCanvasElement,
    readonly stack: LiveImage[],
    /** Display window of band 0 (real units). */
    readonly window: { lo: number; hi: number },
  ) {
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    if (!ctx) throw new Error('no 2D context');
    this.ctx = ctx;
  }

  /** The frame shown. */
  get image(): LiveImage {
    return this.stack[this.index] as LiveImage;
  }

  /** Shows frame `index` of the stack. */
  show(index: number): void {
    this.index = index;
    this.requestRedraw();
  }

  /** Sets zoom and pan; the view renders on the next frame. */
  setView(zoom: number, x0: number, y0: number): void {
    this.zoom = zoom;
    this.x0 = x0;
    this.y0 = y0;
    this.requestRedraw();
  }

  view(): ViewState | undefined {
    const img = this.image;
    const { width, height } = img.raster;
    const x0 = Math.max(0, Math.floor(this.x0));
    const y0 = Math.max(0, Math.floor(this.y0));
    const x1 = Math.min(width, Math.ceil(this.x0 + this.canvas.width / this.zoom));
    const y1 = Math.min(height, Math.ceil(this.y0 + this.canvas.height / this.zoom));
    const region = { x: x0, y: y0, width: Math.max(0, x1 - x0), height: Math.max(0, y1 - y0) };
    return { imageId: img.imageId, width, height, region, zoom: this.zoom };
  }

  imageToCanvas(p: Point2): Point2 {
    return { x: (p.x - this.x0) * this.zoom, y: (p.y - this.y0) * this.zoom };
  }

  requestRedraw(): void {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      this.render();
    });
  }

  /** Draws the original, then lets the engine draw over it. */
  render(): void {
    const img = this.image;
    const { width, height, samples } = img.raster;
    const ctx = this.ctx;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, this.canvas.width, this.canvas.height);
    const rgba = new Uint8ClampedArray(width * height * 4);
    for (let i = 0; i < width * height; i++) {
      const b = windowByte(img.modality[i * samples] as number, this.window.lo, this.window.hi);
      rgba.fill(b, i * 4, i * 4 + 3);
      rgba[i * 4 + 3] = 255;
    }
    this.blit(new ImageData(rgba, width, height), this.x0, this.y0, width, height);
    this.renders++;
    for (const l of this.listeners) l();
  }

  private blit(pixels: ImageData, x: number, y: number, w: number, h: number): void {
    const off = document.createElement('canvas');
    off.width = pixels.width;
    off.height = pixels.height;
    (off.getContext('2d') as CanvasRenderingContext2D).putImageData(pixels, 0, 0);
    this.ctx.imageSmoothingEnabled = false;
    this.ctx.drawImage(
      off,
      (x - this.x0) * this.zoom,
      (y - this.y0) * this.zoom,
      w * this.zoom,
      h * this.zoom,
    );
  }

  onRender(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  draw(tiles: DrawTile[], label: string): DrawResult {
    let watermark: DrawResult['watermark'];
    try {
      for (const t of tiles) {
        const { data, width, height, samples } = t.pixels;
        const rgba = new Uint8ClampedArray(width * height * 4);
        for (let i = 0; i < width * height; i++) {
          rgba.fill(
            windowByte(data[i * samples] as number, this.window.lo, this.window.hi),
            i * 4,
            i * 4 + 3,
          );
          rgba[i * 4 + 3] = 255;
        }
        this.blit(new ImageData(rgba, width, height), t.rect.x, t.rect.y, t.rect.width, t.rect.height);
      }
    } finally {
      // whatever happened above: no enhanced pixel without the mark
      watermark =
        tiles.length > 0
          ? drawWatermark(this.ctx, label, { x0: 0, x1: this.canvas.width, height: this.canvas.height })
          : undefined;
      this.draws.push({ imageId: this.image.imageId, tiles: tiles.length, label, watermark });
    }
    return { watermark };
  }

  neighbours(): string[] {
    const out: string[] = [];
    for (const i of [this.index + 1, this.index - 1]) {
      const img = this.stack[i];
      if (img) out.push(img.imageId);
    }
    return out;
  }

  dispose(): void {
    this.listeners.clear();
  }
}
