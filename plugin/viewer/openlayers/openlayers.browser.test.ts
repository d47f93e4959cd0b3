// The OpenLayers adapter in Chromium with real OpenLayers (WebGL tile layers), real COGs and the real
// satellite-x2 model on WASM: base pixels equal our decoder's; the enhanced tile equals enhanceCell's
// output for its cell; the mark is drawn on every frame showing enhanced tiles; panning aborts stale
// tiles; nodata stays transparent and is never enhanced into; a zoomed view of a 2048x2048 COG
// (made with gdal_translate -of COG by the ol-cog-server plugin, not committed) fetches a small part
// of the file with range requests, from localhost only.
import { expect } from '@esm-bundle/chai';
import { executeServerCommand } from '@web/test-runner-commands';
import { openRaster, toModalityValues, type Raster } from '../../../formats/index.ts';
import { getModel } from '../../../models/registry.ts';
import { enhanceCell } from '../../live/cell.ts';
import { growRect } from '../../live/crop.ts';
import { sharedSession } from '../../live/sessions.ts';
import { WATERMARK_COLORS, type WatermarkBox } from '../../watermark/viewport.ts';
import { imageToMap, TILE_SIZE } from './grid.ts';
import { openEnhancedMap, type EnhancedMap, type EnhancedMapOptions } from './map.ts';

const SMALL = '/fixtures/geotiff/u16_rgb_cog_deflate_ovr.tif';
const MODEL = 'satellite-x2';

function target(): HTMLElement {
  const div = document.createElement('div');
  div.style.cssText = 'width:256px;height:256px';
  document.body.append(div);
  return div;
}

async function open(input: string, opts: Partial<EnhancedMapOptions> = {}): Promise<EnhancedMap> {
  return openEnhancedMap({
    target: target(),
    input: new URL(input, location.href).href,
    modelId: MODEL,
    backend: 'wasm',
    ...opts,
  });
}

/** Resolves after the next frame in which every wanted tile was loaded and drawn. */
function settled(m: EnhancedMap): Promise<void> {
  return new Promise((done) => {
    m.map.once('rendercomplete', () => done());
    m.map.render();
  });
}

/** CSS px of the centre of image px (x, y). */
function pixelOf(m: EnhancedMap, x: number, y: number): [number, number] {
  const p = m.map.getPixelFromCoordinate(imageToMap(m.placement, { x: x + 0.5, y: y + 0.5 }));
  return [p[0] ?? NaN, p[1] ?? NaN];
}

async function decode(input: string): Promise<Raster> {
  const src = await openRaster(new URL(input, location.href));
  try {
    return await src.read();
  } finally {
    await src.close();
  }
}

function markCanvas(m: EnhancedMap): HTMLCanvasElement {
  const viewport = m.map.getViewport() as HTMLElement;
  return viewport.querySelector('canvas.sr-mark') as HTMLCanvasElement;
}

/** The label box is on the canvas: its fill at the corner, and text pixels inside. */
function labelDrawn(canvas: HTMLCanvasElement, box: WatermarkBox): boolean {
  const ctx = canvas.getContext('2d') as CanvasRenderingContext2D;
  const px = ctx.getImageData(box.x, box.y, box.width, box.height).data;
  const corner = [px[0], px[1], px[2], px[3]];
  if (corner.join() !== [...WATERMARK_COLORS.box, 255].join()) return false;
  const [tr, tg, tb] = WATERMARK_COLORS.text;
  for (let i = 0; i < px.length; i += 4)
    if (px[i] === tr && px[i + 1] === tg && px[i + 2] === tb) return true;
  return false;
}

describe('OpenLayers adapter (Chromium, real OpenLayers, satellite-x2 on WASM)', function () {
  this.timeout(600_000);
  const maps: EnhancedMap[] = [];
  after(async () => {
    for (const m of maps) await m.dispose();
  });

  it('base layer pixels equal our decoder (native level and overview level, getData)', async () => {
    const m = await open(SMALL, { enhance: false });
    maps.push(m);
    const r = await decode(SMALL);
    const v = toModalityValues(r);
    expect(m.placement.crs).to.equal('EPSG:32620');
    m.zoomTo(64, 64, 1);
    await settled(m);
    let checked = 0;
    for (const [x, y] of [
      [1, 1],
      [64, 64],
      [100, 27],
      [127, 127],
    ] as Array<[number, number]>) {
      const got = m.valuesAt(pixelOf(m, x, y)).original;
      expect(got, `pixel ${x},${y}`).to.not.equal(null);
      const want = [0, 1, 2].map((b) => v[(y * r.width + x) * 3 + b]);
      expect(got).to.deep.equal(want);
      checked++;
    }
    expect(checked).to.equal(4);
  });

  it('zoomed past native: the enhanced tile equals enhanceCell for its cell; the mark is on the canvas', async () => {
    const boxes: Array<WatermarkBox | undefined> = [];
    const m = await open(SMALL, {
      on: { rendered: (tiles, box) => void (tiles.length > 0 && boxes.push(box)) },
    });
    maps.push(m);
    m.zoomTo(64, 64, 2);
    await settled(m);
    const tile = m.tiles.tile(0, 0);
    expect(tile, 'the one enhanced tile of a 128 px image').to.not.equal(undefined);
    const entry = getModel(MODEL);
    expect(m.tiles.stats.completed).to.equal(1);
    const r = await decode(SMALL);
    const session = (await sharedSession(MODEL, 'fidelity', 'wasm')).session;
    const ref = await enhanceCell(
      r,
      { x: 0, y: 0, width: 128, height: 128 },
      {
        modelId: MODEL,
        bands: [0, 1, 2],
        ranges: m.ranges,
        session,
      },
    );
    expect([ref.width, ref.height, ref.samples]).to.deep.equal([256, 256, 3]);
    const data = (tile as NonNullable<typeof tile>).data;
    let worst = 0;
    for (let i = 0; i < 256 * 256; i++)
      for (let b = 0; b < 3; b++)
        worst = Math.max(worst, Math.abs((data[i * 4 + b] as number) - (ref.data[i * 3 + b] as number)));
    expect(worst, 'max |tile - enhanceCell|').to.equal(0);
    // getData on the enhanced layer: SR pixel (2x+1, 2y) of image px (x, y)'s right-hand half
    const [px, py] = pixelOf(m, 70, 40);
    const at = m.valuesAt([px + 0.25 * 2, py - 0.25 * 2]);
    const i = 2 * 40 * 256 + 2 * 70 + 1;
    expect(at.enhanced).to.deep.equal([0, 1, 2].map((b) => ref.data[i * 3 + b]));
    expect(at.original).to.not.equal(null);
    // the mark: label box colours on the mark layer's canvas
    const box = boxes[boxes.length - 1];
    expect(box, 'a label was placed').to.not.equal(undefined);
    expect(labelDrawn(markCanvas(m), box as WatermarkBox)).to.equal(true);
    expect(m.label()).to.contain('AI-enhanced').and.contain(entry.id).and.contain('x2');
    // provenance of what is shown
    const prov = m.provenance();
    expect(prov.aiEnhanced).to.equal(true);
    expect(prov.tiles.length).to.equal(1);
    expect(prov.normalization.map((n) => n.lo)).to.deep.equal(m.ranges.map((rg) => rg.lo));
  });

  describe('a 2048x2048 COG over HTTP range requests', () => {
    let cog: { url: string; size: number };
    let skip = '';
    before(async () => {
      const got = (await executeServerCommand('ol-cog')) as { url: string; size: number } | { skip: string };
      if ('skip' in got) skip = got.skip;
      else cog = got;
    });

    it('a zoomed view fetches a small part of the file, from localhost only; aborts stale tiles; nodata transparent', async function () {
      if (skip) this.skip();
      await executeServerCommand('ol-cog-log');
      const frames: Array<{ tiles: number; drawn: boolean }> = [];
      const div = target();
      const m = await openEnhancedMap({
        target: div,
        input: cog.url,
        modelId: MODEL,
        backend: 'wasm',
        on: {
          rendered: (tiles, box) => {
            if (tiles.length === 0) return;
            const canvas = div.querySelector('canvas.sr-mark') as HTMLCanvasElement;
            frames.push({ tiles: tiles.length, drawn: !!box && labelDrawn(canvas, box) });
          },
        },
      });
      maps.push(m);
      // overview first (whole image in 256 px: the 256x256 overview, 8 image px per screen px)
      await settled(m);
      expect(m.pyramid.factors).to.deep.equal([8, 4, 2, 1]);
      const ovSrc = await openRaster(cog.url);
      const ov = await ovSrc.read({ targetSize: { width: 256, height: 256 } });
      await ovSrc.close();
      expect(ov.width).to.equal(256);
      const ovValues = toModalityValues(ov);
      for (const [x, y] of [
        [1000, 1200],
        [1900, 700],
        [450, 1300],
      ] as Array<[number, number]>) {
        const lx = Math.floor(x / 8);
        const ly = Math.floor(y / 8);
        const got = m.valuesAt(pixelOf(m, lx * 8 + 3, ly * 8 + 3)).original;
        expect(got, `overview pixel ${lx},${ly}`).to.deep.equal(
          [0, 1, 2].map((b) => ovValues[(ly * 256 + lx) * 3 + b]),
        );
      }
      // zoomed past native at the nodata square's corner
      m.zoomTo(400, 400, 2);
      await settled(m);
      const log = (
        (await executeServerCommand('ol-cog-log')) as {
          requests: Array<{ range: string | null; bytes: number }>;
        }
      ).requests;
      const bytes = log.reduce((s, q) => s + q.bytes, 0);
      expect(log.length).to.be.greaterThan(0);
      expect(
        log.every((q) => q.range !== null),
        'every request is a range request',
      ).to.equal(true);
      expect(bytes, `${log.length} range requests, ${bytes} of ${cog.size} bytes`).to.be.lessThan(
        cog.size / 4,
      );
      const hosts = new Set(
        performance
          .getEntriesByType('resource')
          .map((e) => new URL((e as PerformanceResourceTiming).name).hostname),
      );
      expect(
        [...hosts].every((h) => h === 'localhost' || h === '127.0.0.1'),
        [...hosts].join(),
      ).to.equal(true);

      // nodata (image px < 400 on both axes) -> alpha 0 in both layers, NaN in the enhanced tile
      const inside = m.valuesAt(pixelOf(m, 390, 390));
      expect(inside.original).to.equal(null);
      expect(inside.enhanced).to.equal(null);
      const outside = m.valuesAt(pixelOf(m, 420, 420));
      expect(outside.original).to.not.equal(null);
      expect(outside.enhanced).to.not.equal(null);
      const n = TILE_SIZE / 2;
      // the cell 256..384 is all nodata: never enhanced, no tile to mark
      expect(m.tiles.tile(2, 2)).to.equal(undefined);
      const t = m.tiles.tile(Math.floor(390 / n), Math.floor(390 / n));
      expect(t, 'the tile over the nodata edge').to.not.equal(undefined);
      const tile = t as NonNullable<typeof t>;
      const sr = (x: number, y: number) => (2 * (y - tile.cell.y) * TILE_SIZE + 2 * (x - tile.cell.x)) * 4;
      expect(tile.data[sr(390, 390) + 3]).to.equal(0);
      expect(Number.isNaN(tile.data[sr(390, 390)])).to.equal(true);
      expect(tile.data[sr(410, 410) + 3]).to.equal(1);

      // the enhanced tile equals enhanceCell on a larger crop around its cell (halo covered)
      const src = await openRaster(cog.url);
      const region = growRect(tile.cell, 48, 2048, 2048);
      const crop = await src.read({ window: region });
      await src.close();
      const frame: Raster = { ...crop, window: { x: 0, y: 0, width: region.width, height: region.height } };
      const ref = await enhanceCell(
        frame,
        {
          x: tile.cell.x - region.x,
          y: tile.cell.y - region.y,
          width: tile.cell.width,
          height: tile.cell.height,
        },
        {
          modelId: MODEL,
          bands: [0, 1, 2],
          ranges: m.ranges,
          session: (await sharedSession(MODEL, 'fidelity', 'wasm')).session,
        },
      );
      let worst = 0;
      for (let j = 0; j < ref.height; j++)
        for (let i = 0; i < ref.width; i++)
          for (let b = 0; b < 3; b++) {
            const a = tile.data[(j * TILE_SIZE + i) * 4 + b] as number;
            const e = ref.data[(j * ref.width + i) * 3 + b] as number;
            if (Number.isNaN(a) || Number.isNaN(e)) expect(Number.isNaN(a) && Number.isNaN(e)).to.equal(true);
            else worst = Math.max(worst, Math.abs(a - e) / ((m.ranges[b]?.hi ?? 1) - (m.ranges[b]?.lo ?? 0)));
          }
      expect(worst, 'max |tile - enhanceCell on a wider crop| / range').to.be.lessThan(1e-4);

      // pan away while tiles are queued: the stale ones are aborted, not run
      const before = m.tiles.stats.aborted;
      m.zoomTo(1500, 1500, 2);
      await new Promise((r) => setTimeout(r, 50));
      m.zoomTo(1000, 1700, 2);
      await settled(m);
      expect(m.tiles.stats.aborted, 'tiles aborted by panning').to.be.greaterThan(before);
      expect(m.tiles.tile(Math.floor(1500 / n), Math.floor(1500 / n))).to.equal(undefined);

      // every frame that showed enhanced tiles had the label on the canvas
      expect(frames.length).to.be.greaterThan(1);
      expect(frames.filter((f) => !f.drawn).length).to.equal(0);
      expect(m.markStats.labelled).to.equal(m.markStats.enhancedFrames);
    });
  });
});
