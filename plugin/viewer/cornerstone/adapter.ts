/**
 * The cornerstone-core adapter of the live engine (plugin/live/): what a cornerstone enabled
 * element shows (pixelToCanvas / canvasToPixel of the current viewport, the part right of the
 * compare split), renders through 'cornerstoneimagerendered', and drawing inside that render: each
 * tile through plugin/live's TileCanvases with the CURRENT VOI/inversion in cornerstone's pixel coordinate
 * system (so pan, zoom, rotation and flips apply), clipped right of the split, then the outline and
 * the mark (plugin/watermark/viewport.ts), the mark even if drawing a tile throws.
 */
import type { DrawResult, DrawTile, Point2, ViewerAdapter, ViewState } from '../../live/adapter.ts';
import { regionOf } from '../../live/grid.ts';
import type { Cornerstone, ImageRenderedDetail } from './cornerstone.ts';
import type { LoadedRaster } from './loader.ts';
import { TileCanvases, tileOutline } from '../../live/tile-render.ts';
import { drawWatermark, outlineTiles, type MarkOptions } from '../../watermark/viewport.ts';

/** Drives one cornerstone-core enabled element for the live engine. */
export class CornerstoneAdapter implements ViewerAdapter {
  readonly id = 'cornerstone';
  /** Canvas x (px) left of which enhanced pixels are not drawn (before/after compare). */
  splitX = 0;
  private cs: Cornerstone | undefined;
  private element: HTMLElement | undefined;
  private loaded: LoadedRaster | undefined;
  private detail: ImageRenderedDetail | undefined;
  private readonly listeners = new Set<() => void>();
  /** One canvas per enhanced tile, re-rendered only when the VOI changes. */
  private readonly canvases = new TileCanvases();
  private readonly onRendered = (e: Event) => {
    this.detail = (e as CustomEvent<ImageRenderedDetail>).detail;
    try {
      for (const l of this.listeners) l();
    } finally {
      this.detail = undefined;
    }
  };

  /** Follows renders of a cornerstone enabled element (replacing any previous one). */
  attach(cs: Cornerstone, element: HTMLElement): void {
    this.detach();
    this.cs = cs;
    this.element = element;
    element.addEventListener('cornerstoneimagerendered', this.onRendered);
  }

  /** Stops following the element (the element is left as it was). */
  detach(): void {
    this.element?.removeEventListener('cornerstoneimagerendered', this.onRendered);
    this.element = undefined;
  }

  /** The element followed now and its cornerstone (undefined: none). */
  get attached(): { cs: Cornerstone; element: HTMLElement } | undefined {
    return this.cs && this.element ? { cs: this.cs, element: this.element } : undefined;
  }

  /** The raster shown (its display model renders the tiles; its size bounds the region). */
  setImage(loaded: LoadedRaster | undefined): void {
    this.loaded = loaded;
  }

  view(): ViewState | undefined {
    const { cs, element: el, loaded } = this;
    if (!cs || !el || !loaded) return undefined;
    let canvas: HTMLCanvasElement;
    let imageId: string | undefined;
    try {
      const enabled = cs.getEnabledElement(el);
      canvas = enabled.canvas;
      imageId = this.detail ? this.detail.image?.imageId : (enabled.image?.imageId ?? loaded.imageId);
    } catch {
      return undefined; // not enabled (yet): nothing is shown
    }
    if (imageId === undefined) return undefined;
    const p0 = cs.pixelToCanvas(el, { x: 0, y: 0 });
    const px = cs.pixelToCanvas(el, { x: 1, y: 0 });
    const py = cs.pixelToCanvas(el, { x: 0, y: 1 });
    const zoom = Math.min(Math.hypot(px.x - p0.x, px.y - p0.y), Math.hypot(py.x - p0.x, py.y - p0.y));
    const x0c = Math.max(0, Math.min(canvas.width, this.splitX));
    const corners = [
      { x: x0c, y: 0 },
      { x: canvas.width, y: 0 },
      { x: x0c, y: canvas.height },
      { x: canvas.width, y: canvas.height },
    ].map((c) => cs.canvasToPixel(el, c));
    const { width, height } = loaded.raster;
    return { imageId, width, height, zoom, region: regionOf(corners, width, height) };
  }

  imageToCanvas(p: Point2): Point2 {
    if (!this.cs || !this.element) return { ...p };
    return this.cs.pixelToCanvas(this.element, p);
  }

  requestRedraw(): void {
    if (!this.cs || !this.element || !this.loaded) return;
    try {
      this.cs.updateImage(this.element);
    } catch {
      // the element is not enabled (yet): nothing is shown, nothing to redraw
    }
  }

  onRender(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  draw(tiles: DrawTile[], label: string, mark: MarkOptions = {}): DrawResult {
    const detail = this.detail;
    const cs = this.cs;
    const loaded = this.loaded;
    if (!detail || !cs || !loaded || tiles.length === 0) return { watermark: undefined };
    const { canvasContext: ctx, enabledElement, element, viewport } = detail;
    const canvas = enabledElement.canvas;
    const splitX = Math.max(0, Math.min(canvas.width, this.splitX));
    const area = { x0: splitX, x1: canvas.width, height: canvas.height };
    let watermark: DrawResult['watermark'];
    let wholeView = false;
    ctx.save();
    try {
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.beginPath();
      ctx.rect(splitX, 0, canvas.width - splitX, canvas.height);
      ctx.clip();
      cs.setToPixelCoordinateSystem(enabledElement, ctx);
      // the same smoothing cornerstone used for the original, so only the model's detail differs
      ctx.imageSmoothingEnabled = !viewport.pixelReplication;
      const { windowCenter, windowWidth } = viewport.voi;
      const voi = { windowCenter, windowWidth, invert: viewport.invert };
      for (const t of tiles) {
        const { x, y, width, height } = t.rect;
        ctx.drawImage(this.canvases.get(t.pixels, loaded.display, voi), x, y, width, height);
      }
      const outline = tileOutline(tiles, (q) => cs.pixelToCanvas(element, q));
      // with a compare split part of the view is the original: never "the whole view is enhanced"
      wholeView = outlineTiles(ctx, outline, area) && splitX === 0;
    } finally {
      ctx.restore();
      // drawn last and whatever happened above: no enhanced pixel without the mark
      watermark = drawWatermark(ctx, label, area, { ...mark, wholeView });
    }
    return { watermark };
  }

  dispose(): void {
    this.detach();
    this.listeners.clear();
  }
}
