/**
 * Host-loaded images enhanced: the bundled CT series loaded by the REAL
 * @cornerstonejs/dicom-image-loader 5.14 (`wadouri:` + file URL, its decode worker; a different
 * decoder than formats/) into a real StackViewport, bridged by host-images.ts and enhanced by
 * Cs3dLiveEnhancement with no host code. Checked against formats/: the bridged frame's real units
 * equal openRaster's, the drawn cells equal the pipeline's output (bindTileEnhancer on the slice
 * formats/ decoded) pixel for pixel on the layer, the mark is drawn, scrolling uses the prefetched
 * next slice (loaded through the host loader), the host's pixels are untouched; MONOCHROME1 and RGB
 * fixtures bridge to formats/'s values; an image without pixel data is refused with NO_PIXEL_DATA.
 */
import { expect } from '@esm-bundle/chai';
import { cache, Enums, imageLoader, type Types } from '@cornerstonejs/core';
import { init as initDicomImageLoader } from '@cornerstonejs/dicom-image-loader';
import { openRaster } from '../../../formats/index.ts';
import { toModalityValues, type Raster } from '../../../formats/raster.ts';
import { createWasmBackend } from '../../../models/backend/ort-web.ts';
import type { InferenceSession } from '../../../models/backend/types.ts';
import { getModel, loadModel } from '../../../models/registry.ts';
import { bindTileEnhancer } from '../../pipeline/tile.ts';
import { pixelsOf } from '../../live/testing/canvas.ts';
import { until } from '../../live/testing/wait.ts';
import { watermarkLabel } from '../../watermark/viewport.ts';
import { HostImageError, loadHostImage, rasterFromCs3dImage } from './host-images.ts';
import { Cs3dLiveEnhancement } from './live.ts';
import { getStackImage } from './loader.ts';
import { initCornerstone3D, type StackHandle } from './stack.ts';
import {
  checkLayerTiles,
  CT_SERIES,
  expectMark,
  mountStack,
  renderOnce,
  scrollToPrefetchedSlice,
} from './testing/stack.ts';

const wadouri = (path: string) => `wadouri:${new URL(path, location.href).href}`;

async function formatsRaster(path: string): Promise<Raster> {
  const src = await openRaster(new URL(path, location.href));
  try {
    return await src.read({ frame: 0 });
  } finally {
    await src.close();
  }
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).to.equal(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs((a[i] as number) - (b[i] as number)));
  return d;
}

describe('host-loaded (dicom-image-loader wadouri:) images enhanced through the bridge', function () {
  this.timeout(240_000);
  let element: HTMLDivElement;
  let handle: StackHandle;
  let viewport: Types.IStackViewport;
  let live: Cs3dLiveEnhancement;
  let session: InferenceSession;
  let hostCopy: Int16Array | Float32Array | Uint16Array;
  const errors: Array<{ code: string; message: string }> = [];
  const ids = CT_SERIES.map(wadouri);

  before(async () => {
    initCornerstone3D({ cpu: false });
    initDicomImageLoader({ maxWebWorkers: 1 });
    ({ element, handle } = await mountStack(ids));
    viewport = handle.viewport;
    viewport.setProperties({ interpolationType: Enums.InterpolationType.NEAREST });
    const host = cache.getImage(ids[0] as string) as Types.IImage;
    hostCopy = (host.getPixelData() as Int16Array).slice();
    session = await createWasmBackend().createSession(await loadModel(getModel('medical-x2')));
  });

  after(async () => {
    live?.dispose();
    handle?.dispose();
    element?.remove();
    await session?.dispose();
  });

  it('the host decoded the slice itself (pre-scaled HU), and the bridge equals formats/ in real units', async () => {
    const host = cache.getImage(ids[0] as string) as Types.IImage;
    expect(host.preScale?.scaled, 'dicom-image-loader pre-scales CT').to.equal(true);
    live = new Cs3dLiveEnhancement(
      viewport,
      {
        progress: () => {},
        tile: () => {},
        fallback: () => {},
        provenance: () => {},
        error: (e) => errors.push(e),
        rendered: () => {},
        status: () => {},
      },
      { enabled: true, backend: 'wasm', tileSize: 32, prefetchRing: 0 },
    );
    const img = getStackImage(ids[0] as string);
    expect(img, 'bridged on attach').to.not.equal(undefined);
    if (!img) return;
    const ours = await formatsRaster(CT_SERIES[0] as string);
    const want = toModalityValues(ours, true);
    expect(img.raster.width).to.equal(512);
    expect(img.raster.height).to.equal(512);
    expect(maxAbsDiff(img.modality, want), 'HU of the host decode vs formats/').to.equal(0);
    // pre-scaled by the host: identity mapping, never slope/intercept twice
    expect(img.raster.info.valueMapping).to.deep.include({ slope: 1, intercept: 0, unit: 'HU' });
    expect(img.raster.info.metadata['RescaleIntercept']).to.equal(-1024);
    expect(img.raster.info.windows[0]).to.deep.include({ center: 900, width: 2500 });
    expect(img.raster.info.spacing).to.deep.equal({
      kind: 'PixelSpacing',
      rowMm: 0.451171875,
      columnMm: 0.451171875,
    });
    expect(img.raster.info.photometric).to.equal('MONOCHROME2');
    expect(img.display).to.deep.include({ kind: 'gray', invert: false });
    expect(live.engine.current?.imageId).to.equal(ids[0]);
    expect(live.engine.current?.spacing).to.deep.include({ row: 0.451171875, unit: 'mm' });
  });

  it('zoomed in: the drawn cells equal the pipeline output on formats/ decode, with the mark', async () => {
    viewport.setZoom(16); // 8 canvas px per image px: 32x32 image px, 1-4 cells of 32
    viewport.render();
    await until(() => live.engine.status === 'done', 'the visible cells');
    expect(errors).to.deep.equal([]);
    // one more render with every cell stored: what is on the layer now is checked
    await renderOnce(viewport);
    const drawn = live.adapter.lastDrawn.tiles;
    expect(drawn.length).to.be.within(1, 4);
    const ours = await formatsRaster(CT_SERIES[0] as string);
    const oracle = bindTileEnhancer({
      values: toModalityValues(ours, true),
      width: ours.width,
      height: ours.height,
      samples: 1,
      imageId: 'formats-oracle',
      modelId: 'medical-x2',
      bands: [0],
      session,
    });
    const img = getStackImage(ids[0] as string);
    if (!img) throw new Error('bridged frame evicted');
    const m = live.adapter.affine();
    if (!m) throw new Error('no affine');
    const box = live.adapter.lastDrawn.watermark;
    for (const t of drawn) {
      const want = await oracle.enhanceTile(t.rect);
      expect(t.pixels.width).to.equal(want.width);
      expect(maxAbsDiff(t.pixels.data, want.data), `cell ${t.col},${t.row} vs pipeline (HU)`).to.be.at.most(
        1e-3,
      );
    }
    // on the layer: the tiles rendered through the viewport's VOI at SR pixel centres
    const checked = checkLayerTiles(
      pixelsOf(live.adapter.overlay),
      drawn,
      img.display,
      live.adapter.voi(),
      m,
      box,
    );
    expect(checked).to.be.greaterThan(100);
    expectMark(live.adapter.overlay, box, watermarkLabel('medical-x2', 2, false), 'the mark');
  });

  it('scrolling: the next slice, prefetched through the host loader, is drawn with no new inference', async () => {
    const visible = live.engine.lastDrawn.length;
    await until(() => live.engine.stats.completed >= 2 * visible, 'the prefetched cells of slice 1');
    const runs = live.engine.stats.inferences ?? 0;
    expect(getStackImage(ids[1] as string)?.raster.info.metadata['HostImageId']).to.equal(ids[1]);
    await scrollToPrefetchedSlice(live, viewport, ids, visible, runs);
    expect(errors).to.deep.equal([]);
  });

  it("the host's image is left as it was (pixels, scaling)", () => {
    const host = cache.getImage(ids[0] as string) as Types.IImage;
    const px = host.getPixelData();
    expect(px).to.not.equal(getStackImage(ids[0] as string)?.raster.data);
    expect(maxAbsDiff(px, hostCopy)).to.equal(0);
    expect(host.preScale?.scaled).to.equal(true);
    expect(host.intercept).to.equal(-1024);
  });

  it('MONOCHROME1 (CR): bridged with its photometric, values equal formats/', async () => {
    const path = '/fixtures/dicom/cr440_mono1_10bit.dcm';
    const img = await loadHostImage(wadouri(path));
    const ours = await formatsRaster(path);
    expect(img.raster.info.photometric).to.equal('MONOCHROME1');
    expect(img.display).to.deep.include({ kind: 'gray', invert: true });
    expect(maxAbsDiff(img.modality, toModalityValues(ours, true))).to.equal(0);
  });

  it('RGB (YBR_FULL_422 JPEG baseline): bridged as 3 bands equal to formats/ decode', async () => {
    const path = '/fixtures/dicom/sc100_rgb_jpeg_baseline_ybr422.dcm';
    const img = await loadHostImage(wadouri(path));
    const ours = await formatsRaster(path);
    expect(img.raster.samples).to.equal(3);
    expect(img.raster.info.photometric).to.equal('RGB');
    expect(img.display.kind).to.equal('color');
    // the host's worker decoded it (libjpeg-turbo wasm + its YBR conversion): the same RGB as formats/
    expect(maxAbsDiff(img.modality, toModalityValues(ours, true))).to.equal(0);
  });

  it('an image without pixel data is refused with NO_PIXEL_DATA (typed), and a load failure with IMAGE_NOT_LOADED', async () => {
    const host = cache.getImage(ids[0] as string) as Types.IImage;
    const empty = {
      ...host,
      imageId: 'empty:1',
      getPixelData: () => new Int16Array(0),
      voxelManager: undefined,
    } as Types.IImage;
    expect(() => rasterFromCs3dImage(empty))
      .to.throw(HostImageError)
      .with.property('code', 'NO_PIXEL_DATA');
    imageLoader.registerImageLoader('tilesr-test-fail', () => {
      const promise = Promise.reject(new Error('no such study'));
      // Cornerstone3D's imageLoader chains its own handler-less promise on it (logged, not failed)
      promise.catch(() => {});
      return { promise };
    });
    let code: string | undefined;
    try {
      await loadHostImage('tilesr-test-fail:1');
    } catch (e) {
      code = (e as HostImageError).code;
    }
    expect(code).to.equal('IMAGE_NOT_LOADED');
  });
});
