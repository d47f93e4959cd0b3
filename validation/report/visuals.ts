/**
 * Pictures for the HTML report, as strings with no external references: PNG thumbnails as data:
 * URIs (ground truth, bicubic, model, signed difference) and inline SVG (tile heat maps, bars).
 */
import type { Plane } from '../image.ts';
import { resize } from '../resample.ts';
import type { TileMap } from '../tiles.ts';
import { pngDataUri } from './png.ts';

/** Plane -> 8-bit gray PNG data URI, window [lo, hi], longest side at most `maxSide` (area-averaged). */
export function thumbnail(p: Plane, lo: number, hi: number, maxSide = 256): string {
  const f = Math.min(1, maxSide / Math.max(p.width, p.height));
  const w = Math.max(1, Math.round(p.width * f));
  const h = Math.max(1, Math.round(p.height * f));
  const small = f < 1 ? resize(nanToLo(p, lo), w, h, 'box', 'pil') : p;
  const px = new Uint8Array(w * h);
  const k = hi > lo ? 255 / (hi - lo) : 0;
  for (let i = 0; i < px.length; i++) {
    const v = ((small.data[i] as number) - lo) * k;
    px[i] = Number.isNaN(v) ? 0 : v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
  }
  return pngDataUri(w, h, 1, px);
}

function nanToLo(p: Plane, lo: number): Plane {
  return { ...p, data: p.data.map((v) => (Number.isNaN(v) ? lo : v)) };
}

/** Signed difference test - reference as gray around mid-grey; +-`span` maps to white/black. */
export function diffThumbnail(reference: Plane, test: Plane, span: number, maxSide = 256): string {
  const d = new Float64Array(reference.data.length);
  for (let i = 0; i < d.length; i++) d[i] = (test.data[i] as number) - (reference.data[i] as number);
  return thumbnail({ width: reference.width, height: reference.height, data: d }, -span, span, maxSide);
}

/** Finite min and max of a plane (for a shared thumbnail window). */
export function extent(p: Plane): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of p.data) {
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : [0, 1];
}

const esc = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

/** HTML/XML escaping for text and attribute values. */
export { esc as escapeHtml };

/** A colour from red (t = 0) through yellow to green (t = 1). */
export function ramp(t: number): string {
  const u = Math.min(1, Math.max(0, t));
  const r = Math.round(u < 0.5 ? 215 : 215 - (u - 0.5) * 2 * 189);
  const g = Math.round(u < 0.5 ? 48 + u * 2 * 170 : 218 - (u - 0.5) * 2 * 66);
  const b = Math.round(u < 0.5 ? 39 : 39 + (u - 0.5) * 2 * 41);
  return `rgb(${r},${g},${b})`;
}

/**
 * Tile heat map: each tile coloured by where its value falls in [lo, hi] (higher = greener), NaN
 * tiles hatched grey; tiles listed in `flag` get a dark outline. Each rect has a <title> tooltip.
 */
export function heatmapSvg(
  map: TileMap,
  opts: { lo: number; hi: number; label: string; cell?: number; flag?: Set<number>; digits?: number },
): string {
  const c = opts.cell ?? Math.max(4, Math.min(24, Math.floor(240 / Math.max(map.cols, map.rows))));
  const w = map.cols * c;
  const h = map.rows * c;
  const rects: string[] = [];
  for (let y = 0; y < map.rows; y++) {
    for (let x = 0; x < map.cols; x++) {
      const i = y * map.cols + x;
      const v = map.values[i] as number;
      const fill = Number.isNaN(v) ? '#bbb' : ramp((v - opts.lo) / (opts.hi - opts.lo || 1));
      const stroke = opts.flag?.has(i) ? ' stroke="#000" stroke-width="1.5"' : '';
      const t = Number.isNaN(v) ? 'not measured' : v.toFixed(opts.digits ?? 3);
      rects.push(
        `<rect x="${x * c}" y="${y * c}" width="${c}" height="${c}" fill="${fill}"${stroke}><title>tile ${x},${y}: ${t}</title></rect>`,
      );
    }
  }
  return (
    `<figure class="heat"><svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" role="img" aria-label="${esc(opts.label)}">` +
    rects.join('') +
    `</svg><figcaption>${esc(opts.label)}<br><span class="scale">${opts.lo.toFixed(opts.digits ?? 2)} <i class="bar"></i> ${opts.hi.toFixed(opts.digits ?? 2)}</span></figcaption></figure>`
  );
}

/** Horizontal bars, one per (name, value); the highlighted name is drawn in the accent colour. */
export function barsSvg(
  items: Array<{ name: string; value: number | null }>,
  opts: { unit: string; highlight?: string; lo?: number },
): string {
  const vals = items.map((i) => i.value).filter((v): v is number => v !== null && Number.isFinite(v));
  if (vals.length === 0) return '<p class="muted">no values</p>';
  const hi = Math.max(...vals);
  const lo = opts.lo ?? Math.min(...vals) - (hi - Math.min(...vals)) * 0.25 - 0.5;
  const rowH = 18;
  const labelW = 70;
  const barW = 220;
  const h = items.length * rowH + 4;
  const rows = items.map((it, k) => {
    const y = k * rowH + 2;
    const v = it.value;
    const len = v === null || !Number.isFinite(v) ? 0 : Math.max(1, ((v - lo) / (hi - lo || 1)) * barW);
    const fill = it.name === opts.highlight ? '#1f6feb' : '#8c959f';
    const text = v === null || !Number.isFinite(v) ? 'n/a' : `${v.toFixed(2)} ${opts.unit}`;
    return (
      `<text x="0" y="${y + 12}" font-size="11">${esc(it.name)}</text>` +
      `<rect x="${labelW}" y="${y}" width="${len.toFixed(1)}" height="${rowH - 5}" fill="${fill}"/>` +
      `<text x="${labelW + len + 4}" y="${y + 12}" font-size="11">${text}</text>`
    );
  });
  const w = labelW + barW + 80;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" role="img">${rows.join('')}</svg>`;
}
