/**
 * Burns the "AI-enhanced" label into exported pixels (not an overlay: it survives any re-encoding
 * and screenshot). Operates on an 8/16-bit display rendering, never on the measured data.
 */
import { ADVANCE, GLYPH_HEIGHT, GLYPH_WIDTH, glyph, textWidth } from './font.ts';

/** A display image: row-major, pixel-interleaved, 1 (gray) or 3 (RGB) or 4 (RGBA) channels. */
export interface DisplayImage {
  data: Uint8Array | Uint16Array;
  width: number;
  height: number;
  channels: number;
}

/** Where the label went, in image pixels; `lines` as laid out. */
export interface BurnResult {
  x: number;
  y: number;
  width: number;
  height: number;
  /** Font pixel size in image pixels. */
  pixel: number;
  lines: string[];
}

/** Options for burnLabel. */
export interface BurnOptions {
  /** Font pixel size in image pixels; by default ~1/40 of the image height, at least 1. */
  pixel?: number;
  /** Box corner: 'bottom-left' (default) or 'top-left'. */
  corner?: 'bottom-left' | 'top-left';
}

/** The label every exported enhanced image carries. */
export function watermarkText(modelId: string, scale: number): string {
  return `AI-enhanced · ${modelId} · x${scale}`;
}

/** Splits at ' · ' into as few lines as fit `maxWidth` font pixels (a part too long stays whole). */
function layout(text: string, maxWidth: number): string[] {
  const parts = text.split(' · ');
  const lines: string[] = [];
  for (const part of parts) {
    const last = lines[lines.length - 1];
    if (last !== undefined && textWidth(`${last} · ${part}`) <= maxWidth)
      lines[lines.length - 1] = `${last} · ${part}`;
    else lines.push(part);
  }
  return lines;
}

/**
 * Draws `text` in white on a darkened box in a corner of `img`, in place. The box darkens what is
 * under it so the label reads on any content; the text uses the image's maximum value.
 */
export function burnLabel(img: DisplayImage, text: string, options: BurnOptions = {}): BurnResult {
  const max = img.data instanceof Uint16Array ? 65535 : 255;
  const pixel = Math.max(1, options.pixel ?? Math.floor(img.height / 40 / GLYPH_HEIGHT));
  const pad = pixel * 2;
  const lineHeight = (GLYPH_HEIGHT + 2) * pixel;
  const lines = layout(text, Math.floor((img.width - 2 * pad) / pixel));
  const boxW = Math.min(img.width, Math.max(...lines.map(textWidth)) * pixel + 2 * pad);
  const boxH = Math.min(img.height, lines.length * lineHeight - 2 * pixel + 2 * pad);
  const x0 = 0;
  const y0 = options.corner === 'top-left' ? 0 : img.height - boxH;
  const color = Math.min(img.channels, 3);
  const put = (x: number, y: number, f: (v: number) => number) => {
    if (x < 0 || y < 0 || x >= img.width || y >= img.height) return;
    const i = (y * img.width + x) * img.channels;
    for (let c = 0; c < color; c++) img.data[i + c] = f(img.data[i + c] as number);
  };
  for (let y = y0; y < y0 + boxH; y++)
    for (let x = x0; x < x0 + boxW; x++) put(x, y, (v) => Math.round(v * 0.3));
  lines.forEach((line, li) => {
    let cx = x0 + pad;
    const cy = y0 + pad + li * lineHeight;
    for (const ch of line) {
      const mask = glyph(ch);
      for (let gy = 0; gy < GLYPH_HEIGHT; gy++)
        for (let gx = 0; gx < GLYPH_WIDTH; gx++) {
          if (!mask[gy * GLYPH_WIDTH + gx]) continue;
          for (let py = 0; py < pixel; py++)
            for (let px = 0; px < pixel; px++) put(cx + gx * pixel + px, cy + gy * pixel + py, () => max);
        }
      cx += ADVANCE * pixel;
    }
  });
  return { x: x0, y: y0, width: boxW, height: boxH, pixel, lines };
}
