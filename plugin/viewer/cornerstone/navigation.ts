/**
 * Viewport helpers (zoom about a point, pan, window/level) and the pointer bindings of a viewer:
 * wheel zooms about the pointer, primary drag pans, secondary (or shift+) drag changes the window.
 * cornerstone-core itself has no tools; these are the few a viewer cannot do without.
 */
import type { Cornerstone, Point } from './cornerstone.ts';
import { getLoadedRaster } from './loader.ts';

/** Sets the zoom to `scale` screen px per image px, keeping image point `centre` (default: the canvas centre's) where it is. */
export function zoomTo(cs: Cornerstone, element: HTMLElement, scale: number, centre?: Point): void {
  const vp = cs.getViewport(element);
  if (!vp) return;
  const canvas = cs.getEnabledElement(element).canvas;
  const mid = { x: canvas.width / 2, y: canvas.height / 2 };
  const at = centre ?? cs.canvasToPixel(element, mid);
  // cornerstone's translation is in image px from the centred position: put `at` at the canvas centre
  const image = cs.getEnabledElement(element).image;
  if (!image) return;
  vp.scale = scale;
  vp.translation = { x: image.width / 2 - at.x, y: image.height / 2 - at.y };
  cs.setViewport(element, vp);
}

/** Zooms by `factor` keeping the image point under canvas point `anchor` fixed. */
export function zoomBy(cs: Cornerstone, element: HTMLElement, factor: number, anchor: Point): void {
  const vp = cs.getViewport(element);
  if (!vp) return;
  const before = cs.canvasToPixel(element, anchor);
  // an overview stands for a larger image: allow the same zoom past NATIVE resolution
  const id = cs.getEnabledElement(element).image?.imageId;
  const ovr = id === undefined ? undefined : getLoadedRaster(id)?.overview;
  const max = 64 * (ovr ? Math.max(ovr.scaleX, ovr.scaleY) : 1);
  vp.scale = Math.min(max, Math.max(0.05, vp.scale * factor));
  cs.setViewport(element, vp);
  const after = cs.canvasToPixel(element, anchor);
  const vp2 = cs.getViewport(element) ?? vp;
  vp2.translation = { x: vp2.translation.x + after.x - before.x, y: vp2.translation.y + after.y - before.y };
  cs.setViewport(element, vp2);
}

/** Pans by (dx, dy) canvas px. */
export function panBy(cs: Cornerstone, element: HTMLElement, dx: number, dy: number): void {
  const vp = cs.getViewport(element);
  if (!vp) return;
  const a = cs.canvasToPixel(element, { x: 0, y: 0 });
  const b = cs.canvasToPixel(element, { x: dx, y: dy });
  vp.translation = { x: vp.translation.x + (b.x - a.x), y: vp.translation.y + (b.y - a.y) };
  cs.setViewport(element, vp);
}

/** Sets the VOI window (modality units for grayscale, 0..255 for color). */
export function setVoi(
  cs: Cornerstone,
  element: HTMLElement,
  windowCenter: number,
  windowWidth: number,
): void {
  const vp = cs.getViewport(element);
  if (!vp) return;
  vp.voi = { windowCenter, windowWidth: Math.max(1e-6, windowWidth) };
  cs.setViewport(element, vp);
}

/**
 * Binds wheel/drag navigation to `element`; returns the unbinding function. `wheel` sees each wheel
 * event first and returns true when it used it (frame stepping); otherwise the wheel zooms.
 */
export function bindNavigation(
  cs: Cornerstone,
  element: HTMLElement,
  wheel?: (e: WheelEvent) => boolean,
): () => void {
  let drag: { x: number; y: number; mode: 'pan' | 'voi' } | undefined;
  const local = (e: MouseEvent): Point => {
    const r = element.getBoundingClientRect();
    return { x: e.clientX - r.left, y: e.clientY - r.top };
  };
  const onWheel = (e: WheelEvent) => {
    e.preventDefault();
    if (wheel?.(e)) return;
    zoomBy(cs, element, Math.exp(-e.deltaY / 500), local(e));
  };
  const onDown = (e: PointerEvent) => {
    if (e.button !== 0 && e.button !== 2) return;
    drag = { x: e.clientX, y: e.clientY, mode: e.button === 2 || e.shiftKey ? 'voi' : 'pan' };
    element.setPointerCapture(e.pointerId);
  };
  const onMove = (e: PointerEvent) => {
    if (!drag) return;
    const dx = e.clientX - drag.x;
    const dy = e.clientY - drag.y;
    drag.x = e.clientX;
    drag.y = e.clientY;
    if (drag.mode === 'pan') panBy(cs, element, dx, dy);
    else {
      const vp = cs.getViewport(element);
      if (!vp) return;
      // one px of drag = 1/256 of the current width: the same feel at any window size
      const step = vp.voi.windowWidth / 256;
      setVoi(cs, element, vp.voi.windowCenter + dy * step, vp.voi.windowWidth + dx * step);
    }
  };
  const onUp = () => {
    drag = undefined;
  };
  const onMenu = (e: Event) => e.preventDefault();
  element.addEventListener('wheel', onWheel, { passive: false });
  element.addEventListener('pointerdown', onDown);
  element.addEventListener('pointermove', onMove);
  element.addEventListener('pointerup', onUp);
  element.addEventListener('pointercancel', onUp);
  element.addEventListener('contextmenu', onMenu);
  return () => {
    element.removeEventListener('wheel', onWheel);
    element.removeEventListener('pointerdown', onDown);
    element.removeEventListener('pointermove', onMove);
    element.removeEventListener('pointerup', onUp);
    element.removeEventListener('pointercancel', onUp);
    element.removeEventListener('contextmenu', onMenu);
  };
}
