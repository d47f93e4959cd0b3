/**
 * Cornerstone3D behind the live engine's ViewerAdapter (plugin/live/adapter.ts): a StackViewport
 * showing `tilesr:` images (loader.ts) or host images bridged into it (host-images.ts). Enhanced tiles, their outline and the mark are drawn on a 2D
 * canvas laid over the viewport's canvas, through the image->canvas affine taken from the camera on
 * every IMAGE_RENDERED (README.md says why this layer and not extra actors or SVG).
 */
import { Enums, getShouldUseCPURendering, utilities, type Types } from '@cornerstonejs/core';
import type { DrawResult, DrawTile, Point2, ViewState, ViewerAdapter } from '../../live/adapter.ts';
import { drawWatermark, outlineTiles, type MarkOptions } from '../../watermark/viewport.ts';
import { affineFrom, apply, visibleRegion, zoomOf, type Affine } from './geometry.ts';
import { getStackImage } from './loader.ts';
import { TileCanvases, tileOutline, type VoiState } from '../../live/tile-render.ts';

/** What the adapter needs besides the viewport. */
export interface Cornerstone3DAdapterOptions {
  /** Canvas x (device px) left of which enhanced pixels are not drawn (before/after split). */
  splitX?: number;
}

/** What the latest render drew (tests and the component's `sr-rendered` event). */
export interface Cs3dDrawn {
  tiles: DrawTile[];
  watermark: DrawResult['watermark'];
}

const OVERLAY_CLASS = 'tilesr-enhanced-layer';

/** Live enhancement's view of one Cornerstone3D StackViewport. */
export class Cornerstone3DAdapter implements ViewerAdapter {
  readonly id = 'cornerstone3d';
  /** The layer enhanced tiles and the mark are drawn on (above the viewport canvas, below tools' SVG). */
  readonly overlay: HTMLCanvasElement;
  /** What the latest render drew; reset to nothing at the start of each render. */
  lastDrawn: Cs3dDrawn = { tiles: [], watermark: undefined };
  splitX: number;
  private readonly listeners = new Set<() => void>();
  private readonly tileCanvases = new TileCanvases();
  private readonly onRendered = () => {
    // tiles of the previous render never survive a camera/VOI/image change undrawn-over
    this.clear();
    for (const l of [...this.listeners]) l();
  };

  constructor(
    readonly viewport: Types.IStackViewport,
    options: Cornerstone3DAdapterOptions = {},
  ) {
    this.splitX = options.splitX ?? 0;
    this.overlay = document.createElement('canvas');
    this.overlay.className = OVERLAY_CLASS;
    const s = this.overlay.style;
    s.position = 'absolute';
    s.left = '0';
    s.top = '0';
    s.width = '100%';
    s.height = '100%';
    s.pointerEvents = 'none';
    const canvas = viewport.canvas;
    // right after the viewport canvas: above the image, below annotation (SVG) layers
    canvas.after(this.overlay);
    viewport.element.addEventListener(Enums.Events.IMAGE_RENDERED, this.onRendered);
  }

  /** The canvas Cornerstone3D renders the original into. */
  get canvas(): HTMLCanvasElement {
    return this.viewport.canvas;
  }

  /** Device px per CSS px of the viewport canvas (worldToCanvas answers in CSS px). */
  private ratio(): number {
    const c = this.canvas;
    return c.clientWidth > 0 ? c.width / c.clientWidth : 1;
  }

  /** Whether this viewport renders on the CPU (a private field of StackViewport; else the global mode). */
  cpu(): boolean {
    const own = (this.viewport as unknown as { useCPURendering?: unknown }).useCPURendering;
    return typeof own === 'boolean' ? own : getShouldUseCPURendering();
  }

  /** Image px (of the shown frame) -> overlay canvas px, from the current camera. */
  affine(): Affine | undefined {
    const imageId = this.viewport.getCurrentImageId();
    if (!imageId || !getStackImage(imageId)) return undefined;
    const r = this.ratio();
    // WebGL places the image position (world origin) at the CENTRE of pixel 0 (imageToWorldCoords'
    // convention), the CPU renderer at its top-left CORNER: shift by half a pixel to follow the
    // pixels actually drawn (testing/suite.ts checks both modes against the rendered original)
    const half = this.cpu() ? 0.5 : 0;
    const at = (x: number, y: number): Point2 => {
      const world = utilities.imageToWorldCoords(imageId, [x + half, y + half]) as Types.Point3;
      const c = this.viewport.worldToCanvas(world);
      return { x: c[0] * r, y: c[1] * r };
    };
    return affineFrom(at(0, 0), at(1, 0), at(0, 1));
  }

  view(): ViewState | undefined {
    const imageId = this.viewport.getCurrentImageId();
    const img = imageId ? getStackImage(imageId) : undefined;
    const m = this.affine();
    const { width, height } = this.canvas;
    if (!img || !m || width === 0 || height === 0) return undefined;
    const size = { width: img.raster.width, height: img.raster.height };
    const x0 = Math.max(0, Math.min(width, this.splitX));
    return {
      imageId: img.imageId,
      ...size,
      region: visibleRegion(m, { width, height, x0 }, size),
      zoom: zoomOf(m),
    };
  }

  imageToCanvas(p: Point2): Point2 {
    const m = this.affine();
    return m ? apply(m, p) : { x: NaN, y: NaN };
  }

  requestRedraw(): void {
    this.viewport.render();
  }

  onRender(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The current VOI range and inversion (what the original is rendered with). */
  voi(): VoiState {
    const p = this.viewport.getProperties();
    const range = p.voiRange;
    if (range) return { lower: range.lower, upper: range.upper, invert: p.invert === true };
    const img = getStackImage(this.viewport.getCurrentImageId());
    const v = img?.display.voi ?? { windowCenter: 0.5, windowWidth: 1 };
    return {
      lower: v.windowCenter - v.windowWidth / 2,
      upper: v.windowCenter + v.windowWidth / 2,
      invert: p.invert === true,
    };
  }

  private syncSize(): CanvasRenderingContext2D {
    const o = this.overlay;
    const { width, height } = this.canvas;
    if (o.width !== width) o.width = width;
    if (o.height !== height) o.height = height;
    const ctx = o.getContext('2d');
    if (!ctx) throw new Error('no 2D context for the enhanced layer');
    return ctx;
  }

  /** Empties the enhanced layer. */
  clear(): void {
    const ctx = this.syncSize();
    ctx.save();
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, this.overlay.width, this.overlay.height);
    ctx.restore();
    this.lastDrawn = { tiles: [], watermark: undefined };
  }

  draw(tiles: DrawTile[], label: string, mark: MarkOptions = {}): DrawResult {
    const ctx = this.syncSize();
    ctx.save();
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, this.overlay.width, this.overlay.height);
    ctx.restore();
    if (tiles.length === 0) {
      this.lastDrawn = { tiles: [], watermark: undefined };
      return { watermark: undefined };
    }
    const { width, height } = this.overlay;
    const splitX = Math.max(0, Math.min(width, this.splitX));
    const area = { x0: splitX, x1: width, height };
    let watermark: DrawResult['watermark'];
    let wholeView = false;
    ctx.save();
    try {
      const m = this.affine();
      if (!m) throw new Error('no shown image to draw tiles over');
      const voi = this.voi();
      const img = getStackImage(this.viewport.getCurrentImageId());
      if (!img) throw new Error('no shown image to draw tiles over');
      ctx.beginPath();
      ctx.rect(splitX, 0, width - splitX, height);
      ctx.clip();
      ctx.setTransform(m.a, m.b, m.c, m.d, m.e, m.f);
      // the same interpolation Cornerstone3D used for the original, so only the model's detail differs
      ctx.imageSmoothingEnabled =
        this.viewport.getProperties().interpolationType !== Enums.InterpolationType.NEAREST;
      for (const t of tiles) {
        const { x, y, width: w, height: h } = t.rect;
        ctx.drawImage(this.tileCanvases.get(t.pixels, img.display, voi), x, y, w, h);
      }
      const outline = tileOutline(tiles, (p) => apply(m, p));
      // with a compare split part of the view is the original: never "the whole view is enhanced"
      wholeView = outlineTiles(ctx, outline, area) && splitX === 0;
    } finally {
      ctx.restore();
      // the mark goes on even when a tile failed to draw
      watermark = drawWatermark(ctx, label, area, { ...mark, wholeView });
      this.lastDrawn = { tiles, watermark };
    }
    return { watermark };
  }

  neighbours(): string[] {
    const ids = this.viewport.getImageIds();
    const i = this.viewport.getCurrentImageIdIndex();
    return [ids[i + 1], ids[i - 1]].filter((id): id is string => id !== undefined);
  }

  dispose(): void {
    this.viewport.element.removeEventListener(Enums.Events.IMAGE_RENDERED, this.onRendered);
    this.listeners.clear();
    this.overlay.remove();
  }
}
