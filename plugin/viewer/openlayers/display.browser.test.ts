// What the map shows (real OpenLayers in Chromium, real files, no inference): the default display
// stretch of multiband uint16 imagery (2-98 % per band, QGIS's default cut) drawn as such, with the
// readout still in real units; NDVI rendered with the colours of its values; and "zoom past
// native" that never zooms out.
import { expect } from '@esm-bundle/chai';
import { openRaster, toModalityValues } from '../../../formats/index.ts';
import { computeRange } from '../../../models/normalize.ts';
import { imageToMap } from './grid.ts';
import { openEnhancedMap, type EnhancedMap } from './map.ts';
import { describeStretch } from './style.ts';

const LANDSAT = '/demo/samples/u16_rgb_cog_deflate_ovr.tif';
const RGBN = '/fixtures/geotiff/u8_rgbn_deflate_pred2_tiled.tif';

const maps: EnhancedMap[] = [];
async function open(input: string, size = 256): Promise<EnhancedMap> {
  const target = document.createElement('div');
  target.style.cssText = `width:${size}px;height:${size}px`;
  document.body.append(target);
  const m = await openEnhancedMap({ target, input: new URL(input, location.href).href, enhance: false });
  maps.push(m);
  return m;
}

/** RGBA of the composed map canvases at CSS px (x, y), read in the frame that completed the render. */
function renderedAt(m: EnhancedMap, points: Array<[number, number]>): Promise<number[][]> {
  return new Promise((done) => {
    m.map.once('rendercomplete', () => {
      const size = m.map.getSize() ?? [0, 0];
      const out = document.createElement('canvas');
      const ratio = window.devicePixelRatio;
      out.width = Math.round((size[0] ?? 0) * ratio);
      out.height = Math.round((size[1] ?? 0) * ratio);
      const ctx = out.getContext('2d', { willReadFrequently: true }) as CanvasRenderingContext2D;
      for (const c of (m.map.getViewport() as HTMLElement).querySelectorAll<HTMLCanvasElement>(
        '.ol-layer canvas, canvas.ol-layer',
      ))
        if (c.width > 0 && !c.classList.contains('sr-mark')) ctx.drawImage(c, 0, 0, out.width, out.height);
      done(
        points.map(([x, y]) => [
          ...ctx.getImageData(Math.round(x * ratio), Math.round(y * ratio), 1, 1).data,
        ]),
      );
    });
    m.map.render();
  });
}

/** CSS px of the centre of image px (x, y). */
function pixelOf(m: EnhancedMap, x: number, y: number): [number, number] {
  const p = m.map.getPixelFromCoordinate(imageToMap(m.placement, { x: x + 0.5, y: y + 0.5 }));
  return [p[0] ?? NaN, p[1] ?? NaN];
}

describe('OpenLayers display (stretch, NDVI, zoom past native)', function () {
  this.timeout(120_000);
  afterEach(async () => {
    for (const m of maps.splice(0)) {
      const el = m.map.getTargetElement();
      await m.dispose();
      el?.remove();
    }
  });

  it('multiband uint16: drawn through 2-98 % per band from an overview; readout in real units', async () => {
    const m = await open(LANDSAT);
    const src = await openRaster(new URL(LANDSAT, location.href).href);
    const raster = await src.read();
    await src.close();
    const values = toModalityValues(raster);
    expect(m.stretch.kind).to.equal('percentile');
    m.stretch.ranges.forEach((r, band) => {
      const want = computeRange(values, { stride: 3, band }, 2, 98);
      // the overview is the full 128 px image here: the very percentiles
      expect([r.lo, r.hi]).to.deep.equal([want.lo, want.hi]);
    });
    expect(describeStretch(m.stretch)).to.match(/^2–98 % per band \(1: \d+–\d+, 2: \d+–\d+, 3: \d+–\d+\)$/);
    // every drawn pixel is its value through that stretch (not the model's 0.1-99.9 % range)
    const at: Array<[number, number]> = [];
    for (let y = 8; y < 128; y += 24) for (let x = 8; x < 128; x += 24) at.push([x, y]);
    const rgba = await renderedAt(
      m,
      at.map(([x, y]) => pixelOf(m, x, y)),
    );
    at.forEach(([x, y], k) => {
      const want = m.stretch.ranges.map((r, b) => {
        const t = ((values[(y * 128 + x) * 3 + b] as number) - r.lo) / (r.hi - r.lo);
        return 255 * Math.min(1, Math.max(0, t));
      });
      const got = rgba[k] as number[];
      const dist = Math.max(...want.map((w, c) => Math.abs(w - (got[c] ?? 0))));
      expect(dist, `(${x}, ${y}): drawn ${got.join()} vs ${want.map(Math.round).join()}`).to.be.lessThan(3);
    });
    // the readout is the file's values, whatever the stretch
    const v = m.valuesAt(pixelOf(m, 40, 70));
    const i = (70 * 128 + 40) * 3;
    expect(v.original).to.deep.equal([values[i], values[i + 1], values[i + 2]]);
  });

  it('8-bit imagery keeps 0-255 as stored', async () => {
    const m = await open(RGBN);
    expect(m.stretch.kind).to.equal('dtype');
    expect(m.stretch.ranges).to.have.length(4);
    expect(describeStretch(m.stretch)).to.contain('0–255');
  });

  it('NDVI (bands 4, 1) is drawn with the colour of each pixel’s NDVI', async () => {
    const m = await open(RGBN);
    m.setBandStyle({ kind: 'ndvi', nir: 3, red: 0 });
    // two pixels with different NDVI (vegetation and not), read back from the drawn map
    const src = await openRaster(new URL(RGBN, location.href).href);
    const r = await src.read();
    await src.close();
    const ndviAt = (x: number, y: number) => {
      const i = (y * 192 + x) * 4;
      const nir = r.data[i + 3] as number;
      const red = r.data[i] as number;
      return (nir - red) / (nir + red);
    };
    const pts: Array<[number, number]> = [];
    const want: number[][][] = [];
    for (const [x, y] of [
      [20, 20],
      [100, 60],
      [150, 150],
      [60, 170],
    ] as const) {
      pts.push(pixelOf(m, x, y));
      // the pixel or a neighbour (a screen px on an image px edge may sample either)
      const near: number[][] = [];
      for (let dy = -1; dy <= 1; dy++)
        for (let dx = -1; dx <= 1; dx++) near.push(ndviColour(ndviAt(x + dx, y + dy)));
      want.push(near);
    }
    const got = await renderedAt(m, pts);
    got.forEach((px, k) => {
      const near = want[k] as number[][];
      const dist = Math.min(
        ...near.map((w) => Math.max(...[0, 1, 2].map((c) => Math.abs((px[c] ?? 0) - (w[c] ?? 0))))),
      );
      expect(
        dist,
        `pixel ${k}: drawn ${px.join()} vs NDVI colour ${near[4]?.map(Math.round).join()}`,
      ).to.be.lessThan(6);
    });
    // not the RGB rendering: NDVI colours differ from pixel to pixel as their NDVI does
    expect(new Set(got.map((p) => p.join())).size).to.be.greaterThan(2);
  });

  it('"zoom past native" goes one level deeper and never zooms out', async () => {
    const m = await open(LANDSAT, 560); // 128 px in 560 px: 4.4 screen px per image px, past native
    const view = m.map.getView();
    const at = view.getResolution() as number;
    expect(at).to.be.lessThan(m.placement.resolution / 2);
    expect(m.zoomPastNative(), 'already deeper than the enhanced level').to.equal(false);
    expect(view.getResolution()).to.equal(at);
    m.zoomTo(64, 64, 0.5);
    expect(m.zoomPastNative()).to.equal(true);
    expect(view.getResolution()).to.be.closeTo(m.placement.resolution / 2, 1e-9);
    expect(m.zoomPastNative(), 'satellite-x2: native / 2 is the deepest level').to.equal(false);
    expect(view.getResolution()).to.be.closeTo(m.placement.resolution / 2, 1e-9);
  });
});

/** The NDVI colour ramp of style.ts, linearly interpolated in RGB. */
function ndviColour(v: number): number[] {
  const stops: Array<[number, number[]]> = [
    [-0.2, [120, 70, 30]],
    [0, [235, 225, 170]],
    [0.3, [120, 190, 80]],
    [0.8, [0, 90, 20]],
  ];
  const first = stops[0] as [number, number[]];
  const last = stops[stops.length - 1] as [number, number[]];
  if (v <= first[0]) return first[1];
  if (v >= last[0]) return last[1];
  for (let k = 1; k < stops.length; k++) {
    const [b, cb] = stops[k] as [number, number[]];
    const [a, ca] = stops[k - 1] as [number, number[]];
    if (v <= b) return ca.map((c, i) => c + ((v - a) / (b - a)) * ((cb[i] ?? 0) - c));
  }
  return last[1];
}
