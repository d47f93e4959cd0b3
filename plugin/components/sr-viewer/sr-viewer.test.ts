// <sr-viewer> in real Chromium with the real cornerstone-core, real fixtures and the shipped models on
// WASM: enhanced tiles land where the original is, differ from a nearest-neighbour upscale, follow
// window/level, carry the watermark on every render that shows them (and only then), panning drops
// stale work, spacing is original / scale, and nothing but this origin is contacted.
import { expect } from '@esm-bundle/chai';
import { resetMouse, sendMouse } from '@web/test-runner-commands';
import { correlation, countColor, gray, meanAbsDiff, type Gray } from '../../live/testing/canvas.ts';
import type { LiveTileInfo } from '../../live/types.ts';
import { getLoadedRaster } from '../../viewer/cornerstone/loader.ts';
import { computeRange } from '../../../models/normalize.ts';
import { getModel } from '../../../models/registry.ts';
import { DEFAULT_HALO_MARGIN, enhanceRaster } from '../../pipeline/enhance.ts';
import { loadCornerstone } from '../../viewer/cornerstone/cornerstone.ts';
import { cropRaster, growRect } from '../../live/crop.ts';
import { voiToByte } from '../../live/display.ts';
import { sharedSession } from '../../live/sessions.ts';
import { WATERMARK_COLORS, type WatermarkBox } from '../../watermark/viewport.ts';
import { mountViewer } from '../testing/dom.ts';
import './sr-viewer.ts';
import type { SrViewer } from './sr-viewer.component.ts';

const MR = '/fixtures/dicom/mr384_12bit_explicit_le.dcm';
const CR_MONO1 = '/fixtures/dicom/cr440_mono1_10bit.dcm';
const RGB_TIF = '/fixtures/geotiff/u8_rgb_jpeg_tiled.tif';

// every URL fetched during the suite (installed before any model or file is loaded)
const fetched: string[] = [];
const realFetch = window.fetch.bind(window);
window.fetch = (input: RequestInfo | URL, init?: RequestInit) => {
  fetched.push(input instanceof Request ? input.url : String(input));
  return realFetch(input, init);
};

function once<K extends keyof HTMLElementEventMap>(
  el: HTMLElement,
  type: K,
  pred: (e: HTMLElementEventMap[K]) => boolean = () => true,
): Promise<HTMLElementEventMap[K]> {
  return new Promise((resolve) => {
    const on = (e: HTMLElementEventMap[K]) => {
      if (!pred(e)) return;
      el.removeEventListener(type, on);
      resolve(e);
    };
    el.addEventListener(type, on);
  });
}

async function render(el: SrViewer, action: () => void = () => el.redraw()) {
  const r = once(el, 'sr-rendered');
  action();
  return (await r).detail;
}

async function openIn(el: SrViewer, url: string): Promise<void> {
  const loaded = once(el, 'sr-image-loaded');
  el.src = url;
  await loaded;
  await render(el);
}

/** Enhances the current view and resolves after a render that drew every visible tile. */
async function enhanced(el: SrViewer, action: () => void): Promise<LiveTileInfo[]> {
  const prov = once(el, 'sr-provenance');
  action();
  await prov;
  return (await render(el)).tiles;
}

function canvasOf(el: SrViewer): HTMLCanvasElement {
  const c = el.canvas;
  if (!c) throw new Error('no canvas');
  return c;
}

/** Watermark drawn: opaque box and yellow text pixels inside the reported box. */
function watermarkPixels(canvas: HTMLCanvasElement, box: WatermarkBox): { text: number; box: number } {
  return {
    text: countColor(canvas, box, WATERMARK_COLORS.text),
    box: countColor(canvas, box, WATERMARK_COLORS.box) / (box.width * box.height),
  };
}

function sub(g: Gray, x: number, y: number, w: number, h: number): Float64Array {
  const out = new Float64Array(w * h);
  for (let j = 0; j < h; j++) for (let i = 0; i < w; i++) out[j * w + i] = g.data[(y + j) * g.width + x + i]!;
  return out;
}

describe('<sr-viewer> (real cornerstone, real fixtures, real model on WASM)', function () {
  this.timeout(120_000);
  let el: SrViewer;

  before(async () => {
    el = mountViewer(256, 256);
    await openIn(el, MR);
  });
  after(() => el.remove());

  it('reports the image: DICOM MR 384x384, 3.25 mm, VOI preset 763/1639', () => {
    const info = el.info!;
    expect([info.format, info.width, info.height, info.display]).to.deep.equal(['dicom', 384, 384, 'gray']);
    expect(info.voi).to.deep.equal({ windowCenter: 763, windowWidth: 1639 });
    expect(info.spacing).to.deep.include({ row: 3.25, column: 3.25, unit: 'mm' });
    expect(el.effectiveModel).to.equal('medical-x2');
    expect(el.viewport!.scale).to.be.lessThan(1); // fitted: no enhancement at this zoom
  });

  it('enhanced tiles appear where the original is, sharper than a nearest-neighbour upscale', async () => {
    const canvas = canvasOf(el);
    await render(el, () => el.zoomTo(4, { x: 192, y: 192 }));
    const original = gray(canvas, 0, 0, 256, 256);
    const vp = el.viewport!;
    await render(el, () => el.setVoi(vp.voi.windowCenter, vp.voi.windowWidth)); // same view, redrawn
    // cornerstone's own nearest-neighbour rendering of the same view
    const cornerstone = await loadCornerstone();
    const enabled = cornerstone.getEnabledElements().find((e) => e.canvas === canvas)!;
    await render(el, () => cornerstone.setViewport(enabled.element, { ...vp, pixelReplication: true }));
    const nearest = gray(canvas, 0, 0, 256, 256);
    await render(el, () => cornerstone.setViewport(enabled.element, { ...vp, pixelReplication: false }));

    const raster = getLoadedRaster(el.info!.imageId)!.raster;
    const stored = raster.data.slice();
    const progress: Array<{ done: number; total: number }> = [];
    el.addEventListener('sr-enhance-progress', (e) => progress.push(e.detail));
    const t0 = performance.now();
    const tiles = await enhanced(el, () => (el.enhance = true));
    const ms = performance.now() - t0;
    expect(tiles.length).to.equal(4); // 64x64 LR visible around (192,192): four 64-px cells
    expect(progress.at(-1)).to.deep.include({ done: 4, total: 4 });
    console.log(
      `4 tiles (64 px + halo 17, x2, WASM) in ${ms.toFixed(0)} ms incl. session; per tile:`,
      el
        .provenance!.tiles.map(
          (t) =>
            `${t.ms.toFixed(0)} ms (${t.requestMs.toFixed(0)} ms with queue) ${t.consistencyPsnr.toFixed(1)} dB`,
        )
        .join(', '),
    );
    expect(raster.data).to.deep.equal(stored); // the original is never modified
    const e = gray(canvas, 0, 0, 256, 256);
    // compare away from the watermark (bottom) and outline (none inside: tiles cover the canvas)
    const [x, y, w, h] = [16, 16, 224, 190];
    const E = sub(e, x, y, w, h);
    const O = sub(original, x, y, w, h);
    const N = sub(nearest, x, y, w, h);
    const rEO = correlation(E, O);
    const rEN = correlation(E, N);
    const dEN = meanAbsDiff(E, N);
    let differ = 0;
    for (let i = 0; i < E.length; i++) if (Math.abs(E[i]! - N[i]!) > 2) differ++;
    console.log(
      `corr(enhanced, original) ${rEO.toFixed(4)}, corr(enhanced, nearest) ${rEN.toFixed(4)}, |E-N| ${dEN.toFixed(2)}, ${((100 * differ) / E.length).toFixed(0)}% differ`,
    );
    expect(rEO).to.be.greaterThan(0.95);
    expect(dEN).to.be.greaterThan(1);
    expect(differ / E.length).to.be.greaterThan(0.2);
    // right place: shifting the original by 8 screen px (2 LR px) lowers the correlation
    for (const [dx, dy] of [
      [8, 0],
      [-8, 0],
      [0, 8],
      [0, -8],
    ] as const) {
      const shifted = correlation(E, sub(original, x + dx, y + dy, w, h));
      expect(shifted, `shift ${dx},${dy}`).to.be.lessThan(rEO - 0.02);
    }
    const wm = el.watermark!;
    expect(wm.lines.join(' · ')).to.equal('AI-enhanced · medical-x2 · x2');
    const px = watermarkPixels(canvas, wm);
    expect(px.text).to.be.greaterThan(20);
    expect(px.box).to.be.greaterThan(0.3);
  });

  it("each drawn SR pixel is the pipeline's output for that cell, windowed, at its place (nearest sampling)", async () => {
    const canvas = canvasOf(el);
    await render(el, () => el.zoomTo(4, { x: 192, y: 192 }));
    const vp = el.viewport!;
    const cornerstone = await loadCornerstone();
    const enabled = cornerstone.getEnabledElements().find((e) => e.canvas === canvas)!;
    const d = await render(el, () =>
      cornerstone.setViewport(enabled.element, { ...vp, pixelReplication: true }),
    );
    expect(d.tiles.map((t) => `${t.col},${t.row}`)).to.include('2,2');
    const img = canvas.getContext('2d')!.getImageData(0, 0, 256, 256);
    // the expected tile, made independently through plugin/pipeline on the same session and ranges
    const loaded = getLoadedRaster(el.info!.imageId)!;
    const cell = { x: 128, y: 128, width: 64, height: 64 };
    const halo = getModel('medical-x2').receptiveFieldLrPx + DEFAULT_HALO_MARGIN;
    const { raster } = loaded;
    const shared = await sharedSession('medical-x2', 'fidelity', 'wasm');
    const sr = await enhanceRaster(cropRaster(raster, growRect(cell, halo, 384, 384), [0]), {
      modelId: 'medical-x2',
      window: cell,
      tile: 64,
      halo,
      session: shared.session,
      ranges: [computeRange(loaded.modality, { stride: 1, band: 0 })],
    });
    let checked = 0;
    let max = 0;
    const wm = d.watermark!;
    for (let j = 0; j < sr.height; j++)
      for (let i = 0; i < sr.width; i++) {
        const p = el.pixelToCanvas({ x: cell.x + (i + 0.5) / 2, y: cell.y + (j + 0.5) / 2 });
        const [cx, cy] = [Math.floor(p.x), Math.floor(p.y)];
        // inside the canvas, off the outline and the whole-view frame (4 px along the edges)
        if (cx < 5 || cy < 5 || cx >= 251 || cy >= 251) continue;
        if (cx >= wm.x - 2 && cy >= wm.y - 2) continue;
        const want = voiToByte(sr.data[j * sr.width + i]!, vp.voi.windowCenter, vp.voi.windowWidth, false);
        max = Math.max(max, Math.abs(img.data[(cy * 256 + cx) * 4]! - want));
        checked++;
      }
    console.log(`${checked} SR pixels of cell (2,2) checked on the canvas: max |diff| ${max}`);
    expect(checked).to.be.greaterThan(3000);
    expect(max).to.be.at.most(1);
    await render(el, () => cornerstone.setViewport(enabled.element, { ...vp, pixelReplication: false }));
  });

  it('pixel spacing of the enhanced image is the original / scale', () => {
    expect(el.enhancedSpacing).to.deep.include({ row: 3.25 / 2, column: 3.25 / 2, unit: 'mm' });
    const p = el.provenance!;
    expect(p.spacing).to.deep.include({ row: 1.625, column: 1.625 });
    expect([p.modelId, p.variant, p.scale, p.perceptual, p.aiEnhanced]).to.deep.equal([
      'medical-x2',
      'fidelity',
      2,
      false,
      true,
    ]);
    expect(p.backends.wasm ?? 0).to.be.greaterThan(0);
    expect(p.sha256).to.match(/^[0-9a-f]{64}$/);
  });

  it('the watermark is drawn on every render with enhanced pixels: zoom, pan, window/level, resize', async () => {
    const canvas = canvasOf(el);
    const seen: string[] = [];
    const failures: string[] = [];
    const check = (label: string) => (e: HTMLElementEventMap['sr-rendered']) => {
      const { tiles, watermark } = e.detail;
      if (tiles.length === 0) return;
      seen.push(label);
      if (!watermark) return void failures.push(`${label}: tiles without watermark`);
      const px = watermarkPixels(canvas, watermark);
      if (px.text < 20 || px.box < 0.3) failures.push(`${label}: watermark pixels ${JSON.stringify(px)}`);
    };
    const steps: Array<[string, () => void]> = [
      ['zoom', () => el.zoomTo(5, { x: 192, y: 192 })],
      ['pan', () => el.panBy(20, 10)],
      ['window/level', () => el.setVoi(600, 900)],
      ['resize', () => (el.style.width = '300px')],
    ];
    for (const [label, act] of steps) {
      const listener = check(label);
      el.addEventListener('sr-rendered', listener);
      const d = await render(el, act);
      el.removeEventListener('sr-rendered', listener);
      expect(d.tiles.length, `${label}: enhanced tiles drawn`).to.be.greaterThan(0);
    }
    expect(failures).to.deep.equal([]);
    expect(new Set(seen)).to.deep.equal(new Set(steps.map((s) => s[0])));
    expect(canvas.width).to.equal(300);
    el.style.width = '256px';
    await render(el);
  });

  it('window/level changes the enhanced tiles consistently with the original', async () => {
    const canvas = canvasOf(el);
    await render(el, () => el.zoomTo(4, { x: 192, y: 192 }));
    const [x, y, w, h] = [16, 16, 224, 190];
    const shot = async (c: number, wd: number) => {
      await render(el, () => el.setVoi(c, wd));
      el.enhance = true;
      const e = sub(gray(canvas, 0, 0, 256, 256), x, y, w, h);
      const d = await render(el, () => (el.enhance = false));
      expect(d.watermark).to.equal(undefined);
      const o = sub(gray(canvas, 0, 0, 256, 256), x, y, w, h);
      el.enhance = true;
      await render(el);
      return { e, o };
    };
    const a = await shot(763, 1639);
    const b = await shot(400, 500);
    const mean = (v: Float64Array) => v.reduce((s, q) => s + q, 0) / v.length;
    console.log(
      `W/L 763/1639 -> 400/500: enhanced mean ${mean(a.e).toFixed(1)} -> ${mean(b.e).toFixed(1)}, original ${mean(a.o).toFixed(1)} -> ${mean(b.o).toFixed(1)}`,
    );
    expect(meanAbsDiff(a.e, b.e)).to.be.greaterThan(5); // the tiles were re-rendered with the new window
    expect(Math.abs(mean(b.e) - mean(b.o))).to.be.lessThan(3); // ... the same way as the original
    expect(correlation(b.e, b.o)).to.be.greaterThan(0.95);
  });

  it('no watermark and no enhanced pixel when enhancement is off or the view is zoomed out', async () => {
    const canvas = canvasOf(el);
    el.enhance = true;
    await render(el, () => el.zoomTo(4, { x: 192, y: 192 }));
    let d = await render(el, () => (el.enhance = false));
    expect(d.tiles).to.deep.equal([]);
    expect(d.watermark).to.equal(undefined);
    expect(countColor(canvas, { x: 0, y: 0, width: 256, height: 256 }, WATERMARK_COLORS.text)).to.equal(0);
    el.enhance = true;
    d = await render(el, () => el.zoomTo(0.5));
    expect(d.tiles).to.deep.equal([]);
    expect(d.watermark).to.equal(undefined);
    expect(countColor(canvas, { x: 0, y: 0, width: 256, height: 256 }, WATERMARK_COLORS.text)).to.equal(0);
  });

  it("panning away cancels the old viewport's tiles; none of them is drawn afterwards", async () => {
    el.tileSize = 32; // a fresh grid: nothing cached
    el.enhance = false;
    await render(el, () => el.zoomTo(4, { x: 100, y: 100 }));
    const abortedBefore = el.stats.aborted;
    const first = once(el, 'sr-tile-enhanced');
    el.enhance = true;
    await first; // the old view is being enhanced (9 cells of 32 px)
    const oldRegion = { x0: 68, x1: 132 };
    const drawnAfter: LiveTileInfo[] = [];
    const onRender = (e: HTMLElementEventMap['sr-rendered']) => drawnAfter.push(...e.detail.tiles);
    const prov = once(el, 'sr-provenance');
    el.zoomTo(4, { x: 300, y: 300 });
    el.addEventListener('sr-rendered', onRender);
    await prov;
    await render(el);
    el.removeEventListener('sr-rendered', onRender);
    const aborted = el.stats.aborted - abortedBefore;
    console.log(`pan: ${aborted} stale tile requests aborted; ${drawnAfter.length} tile draws after the pan`);
    expect(aborted).to.be.greaterThan(0);
    expect(drawnAfter.length).to.be.greaterThan(0);
    for (const t of drawnAfter) {
      expect(t.rect.x, `tile ${t.col},${t.row}`).to.be.greaterThan(oldRegion.x1);
      expect(t.rect.x + t.rect.width).to.be.greaterThan(268);
      expect(t.rect.y + t.rect.height).to.be.greaterThan(268);
    }
    el.tileSize = 64;
  });

  it('tiles below the consistency threshold get a dashed marker outline (threshold applies at draw time)', async () => {
    const canvas = canvasOf(el);
    el.enhance = true;
    await render(el, () => el.zoomTo(4, { x: 192, y: 192 }));
    const all = { x: 0, y: 0, width: 256, height: 256 };
    const magenta = [255, 0, 255] as const;
    let d = await render(el);
    expect(d.tiles.length).to.be.greaterThan(0);
    expect(d.tiles.every((t) => !t.flagged && t.consistencyPsnr > 35)).to.equal(true);
    expect(countColor(canvas, all, magenta)).to.equal(0);
    el.consistencyThreshold = 100; // every tile now fails
    await el.updateComplete;
    d = await render(el);
    expect(d.tiles.every((t) => t.flagged)).to.equal(true);
    expect(countColor(canvas, all, magenta)).to.be.greaterThan(50);
    el.consistencyThreshold = 35;
    await el.updateComplete;
    d = await render(el);
    expect(d.tiles.some((t) => t.flagged)).to.equal(false);
    expect(countColor(canvas, all, magenta)).to.equal(0);
  });

  it('prefetches a ring at lower priority after the visible tile; panning into it needs no new inference', async () => {
    const small = mountViewer(128, 128);
    try {
      small.tileSize = 32;
      small.prefetch = 1;
      await openIn(small, MR);
      await render(small, () => small.zoomTo(8, { x: 48, y: 48 })); // 16x16 LR px inside cell (1,1)
      const order: string[] = [];
      small.addEventListener('sr-tile-enhanced', (e) =>
        order.push(`${e.detail.tile.col},${e.detail.tile.row}`),
      );
      await enhanced(small, () => (small.enhance = true));
      expect(order[0]).to.equal('1,1');
      expect(new Set(order)).to.deep.equal(
        new Set(['0,0', '1,0', '2,0', '0,1', '1,1', '2,1', '0,2', '1,2', '2,2']),
      );
      const before = order.length;
      const d = await render(small, () => small.panBy(-96, 0)); // 12 LR px right: into cell (2,1)
      expect(d.tiles.map((t) => `${t.col},${t.row}`)).to.include('2,1');
      expect(order.length).to.equal(before);
    } finally {
      small.remove();
    }
  });

  it('status follows zoom and work; cancel() stops the current view until it changes', async () => {
    const small = mountViewer(128, 128);
    try {
      small.tileSize = 16; // a fresh grid: nothing cached
      await openIn(small, MR);
      const statuses: string[] = [];
      small.addEventListener('sr-enhance-status', (e) => statuses.push(e.detail.status));
      await render(small, () => (small.enhance = true));
      expect(small.enhanceStatus).to.equal('zoom-in'); // fitted: below 1 screen px per image px
      const first = once(small, 'sr-tile-enhanced');
      await render(small, () => small.zoomTo(2, { x: 200, y: 200 })); // 64x64 LR: 16+ cells of 16 px
      expect(small.enhanceStatus).to.equal('enhancing');
      await first;
      const abortedBefore = small.stats.aborted;
      small.cancel();
      expect(small.enhanceStatus).to.equal('cancelled');
      await new Promise((r) => setTimeout(r, 0)); // rejections of the dropped requests settle
      expect(small.stats.aborted).to.be.greaterThan(abortedBefore);
      const completed = small.stats.completed;
      await render(small); // same view: stays cancelled
      await new Promise((r) => setTimeout(r, 300));
      expect(small.enhanceStatus).to.equal('cancelled');
      expect(small.stats.completed).to.equal(completed);
      small.tileSize = 64; // a new setting resumes (cells of 64 px are cached from earlier tests)
      await once(small, 'sr-enhance-status', (e) => e.detail.status === 'done');
      expect(statuses.slice(0, 3)).to.deep.equal(['zoom-in', 'enhancing', 'cancelled']);
    } finally {
      small.remove();
    }
  });

  it('opens a GeoTIFF in the same viewer after a DICOM; zoom, pan and window/level work on both', async () => {
    const canvas = canvasOf(el);
    el.enhance = false;
    await openIn(el, RGB_TIF);
    expect(el.info!.format).to.equal('geotiff');
    await render(el, () => el.zoomTo(2, { x: 96, y: 96 }));
    const a = canvas.getContext('2d')!.getImageData(0, 0, 256, 256).data;
    await render(el, () => el.panBy(30, 0));
    const b = canvas.getContext('2d')!.getImageData(0, 0, 256, 256).data;
    await render(el, () => el.setVoi(100, 100));
    const c = canvas.getContext('2d')!.getImageData(0, 0, 256, 256).data;
    // after the pan, column x shows what column x - 30 showed before
    let same = 0;
    for (let y = 20; y < 230; y++)
      if (Math.abs(b[(y * 256 + 130) * 4]! - a[(y * 256 + 100) * 4]!) <= 2) same++;
    expect(same).to.be.greaterThan(200);
    expect(meanAbsDiff(b, c)).to.be.greaterThan(5);
    expect(el.viewport!.voi).to.deep.equal({ windowCenter: 100, windowWidth: 100 });
    await openIn(el, MR);
    expect(el.info!.format).to.equal('dicom');
    expect(el.info!.voi).to.deep.equal({ windowCenter: 763, windowWidth: 1639 });
  });

  it('shows another frame of a multi-frame DICOM; opens a dropped file; reports a bad file as sr-error', async () => {
    const small = mountViewer(128, 128);
    try {
      await openIn(small, '/fixtures/dicom/mr64_10frame_12bit_explicit_le.dcm');
      expect(small.info!.frames).to.equal(10);
      const f0 = canvasOf(small).getContext('2d')!.getImageData(0, 0, 128, 128).data;
      const loaded = once(small, 'sr-image-loaded');
      small.frame = 3;
      expect((await loaded).detail.info.frame).to.equal(3);
      await render(small);
      const f3 = canvasOf(small).getContext('2d')!.getImageData(0, 0, 128, 128).data;
      expect(meanAbsDiff(f0, f3)).to.be.greaterThan(1);

      const bytes = await (await fetch(RGB_TIF)).arrayBuffer();
      const dt = new DataTransfer();
      dt.items.add(new File([bytes], 'dropped.tif', { type: 'image/tiff' }));
      const dropped = once(small, 'sr-image-loaded');
      small.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
      expect((await dropped).detail.info.format).to.equal('geotiff');

      const err = once(small, 'sr-error');
      void small.open('/fixtures/README.md');
      expect((await err).detail.code).to.equal('UNKNOWN_FORMAT');
    } finally {
      small.remove();
    }
  });

  it('mouse: wheel zooms about the pointer, drag pans, right-drag changes the window', async () => {
    const small = mountViewer(128, 128);
    try {
      await openIn(small, MR);
      const r = small.getBoundingClientRect();
      const at = { x: r.left + 40, y: r.top + 50 };
      const before = small.viewport!;
      const under = small.canvasToPixel({ x: 40, y: 50 });
      await render(small, () =>
        small.canvas!.dispatchEvent(
          new WheelEvent('wheel', {
            deltaY: -500,
            clientX: at.x,
            clientY: at.y,
            bubbles: true,
            cancelable: true,
          }),
        ),
      );
      expect(small.viewport!.scale / before.scale).to.be.closeTo(Math.E, 1e-6);
      const still = small.canvasToPixel({ x: 40, y: 50 });
      expect(Math.hypot(still.x - under.x, still.y - under.y)).to.be.lessThan(0.01);
      const t0 = small.viewport!.translation;
      await sendMouse({ type: 'move', position: [Math.round(r.left + 60), Math.round(r.top + 60)] });
      await sendMouse({ type: 'down' });
      await sendMouse({ type: 'move', position: [Math.round(r.left + 80), Math.round(r.top + 70)] });
      await sendMouse({ type: 'up' });
      const t1 = small.viewport!.translation;
      const s = small.viewport!.scale;
      expect(t1.x - t0.x).to.be.closeTo(20 / s, 1e-6);
      expect(t1.y - t0.y).to.be.closeTo(10 / s, 1e-6);
      const w0 = small.viewport!.voi.windowWidth;
      await sendMouse({ type: 'down', button: 'right' });
      await sendMouse({ type: 'move', position: [Math.round(r.left + 100), Math.round(r.top + 70)] });
      await sendMouse({ type: 'up', button: 'right' });
      expect(small.viewport!.voi.windowWidth).to.be.greaterThan(w0);
    } finally {
      small.remove();
      await resetMouse();
    }
  });

  it('works declaratively: attributes set before connection open the file and configure enhancement', async () => {
    const box = document.createElement('div');
    box.innerHTML = `<sr-viewer src="${MR}" enhance backend="wasm" prefetch="0" tile-size="32" model="medical-x4"
      style="width:96px;height:96px"></sr-viewer>`;
    const v = box.firstElementChild as SrViewer;
    const loaded = once(v, 'sr-image-loaded');
    document.body.append(box);
    try {
      expect((await loaded).detail.info.width).to.equal(384);
      await render(v);
      expect([v.enhance, v.backend, v.prefetch, v.tileSize, v.effectiveModel]).to.deep.equal([
        true,
        'wasm',
        0,
        32,
        'medical-x4',
      ]);
      expect(v.enhanceStatus).to.equal('zoom-in');
      expect(v.enhancedSpacing).to.deep.include({ row: 3.25 / 4 });
    } finally {
      box.remove();
    }
  });

  it('attaches to an existing cornerstone element given as a property', async () => {
    const host = document.createElement('div');
    host.style.width = '100px';
    host.style.height = '100px';
    document.body.append(host);
    const v = document.createElement('sr-viewer');
    v.cornerstoneElement = host;
    v.style.width = '10px';
    v.style.height = '10px';
    document.body.append(v);
    try {
      await openIn(v, MR);
      expect(v.canvas!.parentElement).to.equal(host);
      expect(v.canvas!.width).to.equal(100);
    } finally {
      v.remove();
      host.remove();
    }
  });

  it('MONOCHROME1: enhanced tiles are inverted like the original', async () => {
    const small = mountViewer(128, 128);
    try {
      await openIn(small, CR_MONO1);
      const canvas = canvasOf(small);
      await render(small, () => small.zoomTo(4, { x: 96, y: 96 }));
      const o = gray(canvas, 0, 0, 128, 128);
      const tiles = await enhanced(small, () => (small.enhance = true));
      expect(tiles.length).to.equal(1);
      const e = gray(canvas, 0, 0, 128, 128);
      const h = small.watermark!.y - 12; // above the watermark (it wraps to several lines at 128 px)
      const r = correlation(sub(e, 8, 8, 112, h), sub(o, 8, 8, 112, h));
      console.log(`MONOCHROME1 corr(enhanced, original) ${r.toFixed(4)}`);
      expect(r).to.be.greaterThan(0.9);
      expect(small.viewport!.invert).to.equal(true);
      // the GAN variant is never the default, and says so in the watermark when chosen
      expect(small.variant).to.equal('fidelity');
      await enhanced(small, () => (small.variant = 'perceptual'));
      expect(small.watermark!.lines.join(' · ')).to.equal('AI-enhanced · medical-x2 · x2 · perceptual');
      expect(small.provenance!.perceptual).to.equal(true);
    } finally {
      small.remove();
    }
  });

  it('GeoTIFF RGB with satellite-x2: three bands enhanced, drawn in colour with the watermark', async () => {
    const small = mountViewer(128, 128);
    try {
      await openIn(small, RGB_TIF);
      expect(small.info!.display).to.equal('color');
      expect(small.effectiveModel).to.equal('satellite-x2');
      expect(small.info!.spacing).to.deep.include({ row: 5, unit: 'm' });
      const canvas = canvasOf(small);
      await render(small, () => small.zoomTo(4, { x: 32, y: 32 }));
      const o = canvas.getContext('2d')!.getImageData(8, 8, 112, 40).data;
      const tiles = await enhanced(small, () => (small.enhance = true));
      expect(tiles.length).to.equal(1);
      expect(small.watermark!.y).to.be.greaterThan(52);
      const e = canvas.getContext('2d')!.getImageData(8, 8, 112, 40).data;
      for (let c = 0; c < 3; c++) {
        const pick = (d: Uint8ClampedArray) =>
          Float64Array.from({ length: d.length / 4 }, (_, i) => d[i * 4 + c]!);
        const r = correlation(pick(e), pick(o));
        expect(r, `channel ${c}`).to.be.greaterThan(0.9);
      }
      expect(small.watermark!.lines.join(' · ')).to.equal('AI-enhanced · satellite-x2 · x2');
      expect(small.enhancedSpacing).to.deep.include({ row: 2.5, column: 2.5, unit: 'm' });
      expect(small.provenance!.normalization.map((n) => n.band)).to.deep.equal([0, 1, 2]);
    } finally {
      small.remove();
    }
  });

  it('contacted nothing but this origin (fetch calls and resource timing)', () => {
    expect(fetched.length).to.be.greaterThan(0);
    const resources = performance.getEntriesByType('resource').map((r) => r.name);
    const foreign = [...fetched, ...resources].filter(
      (u) => new URL(u, location.href).origin !== location.origin,
    );
    expect(foreign).to.deep.equal([]);
    // the model weights came through fetch from this origin
    expect(fetched.some((u) => u.includes('.onnx'))).to.equal(true);
  });
});

describe('<sr-viewer> on WebGPU (software adapter: one tiny tile)', function () {
  this.timeout(180_000);
  it('backend "webgpu" enhances in the WebGPU worker and draws what WASM draws', async function () {
    const gpu = (navigator as { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
    if (!gpu || !(await gpu.requestAdapter())) this.skip();
    const small = mountViewer(128, 128);
    try {
      small.tileSize = 8; // 8 px cell + 17 px halo per side: a 42x42 input, ~10 s on SwiftShader
      await openIn(small, MR);
      const canvas = canvasOf(small);
      await render(small, () => small.zoomTo(16, { x: 196, y: 196 })); // exactly cell (24, 24)
      await enhanced(small, () => (small.enhance = true)); // WASM first
      const wasm = gray(canvas, 0, 0, 128, 128);
      const fallbacks: unknown[] = [];
      small.addEventListener('sr-fallback', (e) => fallbacks.push(e.detail.record));
      const tile = once(small, 'sr-tile-enhanced');
      const tiles = await enhanced(small, () => (small.backend = 'webgpu'));
      const t = (await tile).detail;
      console.log(
        `WebGPU (SwiftShader) tile 8 px + halo: ${t.ms.toFixed(0)} ms (first run, shader compilation included)`,
      );
      expect(t.backend).to.equal('webgpu');
      expect(fallbacks).to.deep.equal([]);
      expect(tiles.map((q) => [q.col, q.row])).to.deep.equal([[24, 24]]);
      expect(small.provenance!.backends).to.deep.equal({ webgpu: 1 });
      const webgpu = gray(canvas, 0, 0, 128, 128);
      let max = 0;
      for (let i = 0; i < wasm.data.length; i++)
        max = Math.max(max, Math.abs(wasm.data[i]! - webgpu.data[i]!));
      expect(max).to.be.at.most(2); // same tile, same place, same watermark
      expect(countColor(canvas, small.watermark!, WATERMARK_COLORS.text)).to.be.greaterThan(20);
    } finally {
      small.remove();
    }
  });
});
