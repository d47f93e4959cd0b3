/** Pixel helpers for the viewer's browser tests: read canvas regions, compare them. */

/** A grayscale (luma) region read from a canvas. */
export interface Gray {
  width: number;
  height: number;
  data: Float64Array;
}

/** RGBA pixels of a canvas region (clamped to the canvas). */
export function rgba(canvas: HTMLCanvasElement, x: number, y: number, w: number, h: number): ImageData {
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('no 2D context');
  return ctx.getImageData(Math.round(x), Math.round(y), Math.round(w), Math.round(h));
}

/** All pixels of a canvas with any context type (2D, WebGL), read through a 2D copy. */
export function pixelsOf(canvas: HTMLCanvasElement): ImageData {
  const c = document.createElement('canvas');
  c.width = canvas.width;
  c.height = canvas.height;
  const ctx = c.getContext('2d');
  if (!ctx) throw new Error('no 2D context');
  ctx.drawImage(canvas, 0, 0);
  return ctx.getImageData(0, 0, c.width, c.height);
}

/** The red channel of a region as floats (the viewer's grayscale renders have R = G = B). */
export function gray(canvas: HTMLCanvasElement, x: number, y: number, w: number, h: number): Gray {
  const img = rgba(canvas, x, y, w, h);
  const data = new Float64Array(img.width * img.height);
  for (let i = 0; i < data.length; i++) data[i] = img.data[i * 4] as number;
  return { width: img.width, height: img.height, data };
}

/** Pearson correlation of two equally sized sample arrays. */
export function correlation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i] as number;
    mb += b[i] as number;
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = (a[i] as number) - ma;
    const db = (b[i] as number) - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  return sab / Math.sqrt(saa * sbb);
}

/** Mean absolute difference. */
export function meanAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs((a[i] as number) - (b[i] as number));
  return s / a.length;
}

/** Number of pixels in a region whose RGB equals `color` within `tol`. */
export function countColor(
  canvas: HTMLCanvasElement,
  box: { x: number; y: number; width: number; height: number },
  color: readonly [number, number, number],
  tol = 0,
): number {
  const img = rgba(canvas, box.x, box.y, box.width, box.height);
  let n = 0;
  for (let i = 0; i < img.width * img.height; i++) {
    const ok = [0, 1, 2].every(
      (c) => Math.abs((img.data[i * 4 + c] as number) - (color[c] as number)) <= tol,
    );
    if (ok) n++;
  }
  return n;
}
