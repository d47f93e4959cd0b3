// The tilesr: cornerstone loader in Chromium with the real cornerstone-core on real fixtures: what
// cornerstone draws equals the VOI mapping of the stored values (DICOM preset, GeoTIFF 2-98 % stretch,
// MONOCHROME1 inverted, RGB of the first three bands), and the pixel spacing is carried.
import { expect } from '@esm-bundle/chai';
import { openRaster } from '../../../formats/index.ts';
import { loadCornerstone, type Cornerstone, type CornerstoneImage } from './cornerstone.ts';
import { rangeToByte, voiToByte } from '../../live/display.ts';
import { registerLoader, registerRaster, type LoadedRaster } from './loader.ts';
import { rgba } from '../../live/testing/canvas.ts';

let cs: Cornerstone;

async function show(
  url: string,
  size = 256,
): Promise<{ el: HTMLDivElement; loaded: LoadedRaster; image: CornerstoneImage }> {
  const src = await openRaster(new URL(url, location.href));
  const raster = await src.read();
  await src.close();
  const loaded = registerRaster(raster);
  const el = document.createElement('div');
  el.style.width = `${size}px`;
  el.style.height = `${size}px`;
  document.body.append(el);
  cs.enable(el);
  const image = await cs.loadImage(loaded.imageId);
  const rendered = new Promise((r) => el.addEventListener('cornerstoneimagerendered', r, { once: true }));
  const vp = cs.getDefaultViewportForImage(el, image);
  vp.pixelReplication = true; // nearest: a canvas pixel at a pixel centre is exactly that pixel's LUT value
  cs.displayImage(el, image, vp);
  await rendered;
  return { el, loaded, image };
}

/** The canvas RGB at the centre of image pixel (x, y). */
function at(el: HTMLElement, x: number, y: number): [number, number, number] {
  const p = cs.pixelToCanvas(el, { x: x + 0.5, y: y + 0.5 });
  const d = rgba(cs.getEnabledElement(el).canvas, Math.floor(p.x), Math.floor(p.y), 1, 1).data;
  return [d[0] as number, d[1] as number, d[2] as number];
}

function done(el: HTMLElement): void {
  cs.disable(el);
  el.remove();
}

describe('tilesr: cornerstone loader (real cornerstone-core, real fixtures)', function () {
  this.timeout(60_000);
  before(async () => {
    cs = await loadCornerstone();
    registerLoader(cs);
  });

  it('DICOM MR: stored values + first VOI preset, 3.25 mm spacing', async () => {
    const { el, loaded, image } = await show('/fixtures/dicom/mr384_12bit_explicit_le.dcm');
    expect(image.color).to.equal(false);
    expect([image.windowCenter, image.windowWidth]).to.deep.equal([763, 1639]);
    expect([image.rowPixelSpacing, image.columnPixelSpacing]).to.deep.equal([3.25, 3.25]);
    expect(loaded.spacing.unit).to.equal('mm');
    const vp = cs.getViewport(el)!;
    let checked = 0;
    for (const [x, y] of [
      [192, 192],
      [100, 150],
      [250, 80],
      [300, 300],
      [10, 10],
    ] as const) {
      const v = loaded.modality[y * 384 + x]!;
      const want = voiToByte(v, vp.voi.windowCenter, vp.voi.windowWidth, false);
      const got = at(el, x, y);
      expect(Math.abs(got[0] - want), `pixel ${x},${y}: value ${v}`).to.be.at.most(1);
      expect(got[1]).to.equal(got[0]);
      checked++;
    }
    expect(checked).to.equal(5);
    done(el);
  });

  it('MONOCHROME1 CR is displayed inverted: bright where stored values are low', async () => {
    const { el, loaded, image } = await show('/fixtures/dicom/cr440_mono1_10bit.dcm');
    expect(image.invert).to.equal(true);
    expect(cs.getViewport(el)!.invert).to.equal(true);
    // the darkest and brightest stored values inside the window
    const { windowCenter: c, windowWidth: w } = cs.getViewport(el)!.voi;
    let lo = { v: Infinity, i: 0 };
    let hi = { v: -Infinity, i: 0 };
    loaded.modality.forEach((v, i) => {
      if (v < lo.v) lo = { v, i };
      if (v > hi.v) hi = { v, i };
    });
    const low = at(el, lo.i % 440, Math.floor(lo.i / 440))[0];
    const high = at(el, hi.i % 440, Math.floor(hi.i / 440))[0];
    expect(low, `stored ${lo.v} (lowest)`).to.be.greaterThan(200);
    expect(high, `stored ${hi.v} (highest)`).to.be.lessThan(55);
    const mid = 220 * 440 + 220;
    const want = voiToByte(loaded.modality[mid]!, c, w, true);
    expect(Math.abs(at(el, 220, 220)[0] - want)).to.be.at.most(1);
    done(el);
  });

  it('GeoTIFF u8 RGB (JPEG tiles): RGB as stored, 5 m spacing from the geotransform', async () => {
    const { el, loaded, image } = await show('/fixtures/geotiff/u8_rgb_jpeg_tiled.tif');
    expect(image.color).to.equal(true);
    expect(loaded.spacing).to.deep.include({ row: 5, column: 5, unit: 'm' });
    const r = loaded.raster;
    for (const [x, y] of [
      [96, 96],
      [20, 150],
      [170, 30],
    ] as const) {
      const got = at(el, x, y);
      const want = [0, 1, 2].map((b) => r.data[(y * r.width + x) * 3 + b]!);
      // nodata (0) is drawn black; anything else as stored
      for (let b = 0; b < 3; b++) expect(Math.abs(got[b]! - (want[b] === 0 ? 0 : want[b]!))).to.be.at.most(1);
    }
    done(el);
  });

  it('GeoTIFF u16 RGB: each band stretched 2-98 %, 60 m spacing', async () => {
    const { el, loaded } = await show('/fixtures/geotiff/u16_rgb_none_tiled64.tif');
    const d = loaded.display;
    if (d.kind !== 'color') throw new Error('expected color');
    expect(d.source).to.equal('percentile-2-98');
    expect(loaded.spacing).to.deep.include({ row: 60, column: 60, unit: 'm' });
    const r = loaded.raster;
    for (const [x, y] of [
      [64, 64],
      [10, 100],
      [120, 5],
    ] as const) {
      const got = at(el, x, y);
      for (let b = 0; b < 3; b++) {
        const [lo, hi] = d.ranges[b]!;
        const want = rangeToByte(loaded.modality[(y * r.width + x) * 3 + b]!, lo, hi);
        expect(Math.abs(got[b]! - want), `band ${b} at ${x},${y}`).to.be.at.most(1);
      }
    }
    done(el);
  });

  it('GeoTIFF float32 DSM: quantized to 16 bits in real units, 2-98 % window', async () => {
    const { el, loaded, image } = await show('/fixtures/geotiff/f32_dsm_none.tif');
    expect(image.color).to.equal(false);
    const d = loaded.display;
    if (d.kind !== 'gray') throw new Error('expected gray');
    expect(d.voi.source).to.equal('percentile-2-98');
    const vp = cs.getViewport(el)!;
    for (const [x, y] of [
      [64, 64],
      [10, 100],
    ] as const) {
      const want = voiToByte(loaded.modality[y * 128 + x]!, vp.voi.windowCenter, vp.voi.windowWidth, false);
      expect(Math.abs(at(el, x, y)[0] - want)).to.be.at.most(1);
    }
    done(el);
  });
});
