/**
 * The adapter's browser checks, run once with WebGL (SwiftShader) and once in Cornerstone3D's CPU
 * rendering mode: the bundled CT series as a real StackViewport, real enhanced cells (enhanceCell on
 * WASM) drawn through the adapter, and pixel checks of both the original (Cornerstone3D's own
 * rendering) and the tiles at the same image points under pan, zoom, rotation, flip and VOI.
 */
import { expect } from '@esm-bundle/chai';
import { Enums, getShouldUseCPURendering, type Types } from '@cornerstonejs/core';
import { createWasmBackend } from '../../../../models/backend/ort-web.ts';
import type { InferenceSession } from '../../../../models/backend/types.ts';
import { computeRange } from '../../../../models/normalize.ts';
import { getModel, loadModel } from '../../../../models/registry.ts';
import type { DrawTile } from '../../../live/adapter.ts';
import type { Rect } from '../../../pipeline/tiler.ts';
import { enhanceCell } from '../../../live/cell.ts';
import { voiToByte } from '../../../live/display.ts';
import { pixelsOf } from '../../../live/testing/canvas.ts';
import { watermarkLabel } from '../../../watermark/viewport.ts';
import { Cornerstone3DAdapter } from '../adapter.ts';
import { apply } from '../geometry.ts';
import { getStackImage, imageIdForUrl, type StackImage } from '../loader.ts';
import { initCornerstone3D, type StackHandle } from '../stack.ts';
import type { VoiState } from '../../../live/tile-render.ts';
import { checkLayerTiles, CT_SERIES, expectMark, mountStack, redAt, renderOnce } from './stack.ts';

const CELL = 16;

/** Registers the suite under `describe(title)`; `cpu` picks Cornerstone3D's rendering mode. */
export function adapterSuite(title: string, cpu: boolean): void {
  describe(title, function () {
    this.timeout(120_000);
    let element: HTMLDivElement;
    let handle: StackHandle;
    let viewport: Types.IStackViewport;
    let adapter: Cornerstone3DAdapter;
    let session: InferenceSession;
    let image: StackImage;
    let tiles: DrawTile[] = [];
    let renders = 0;
    const label = watermarkLabel('medical-x2', 2, false);
    const ids = CT_SERIES.map((u) => imageIdForUrl(u));

    /** Renders and resolves after IMAGE_RENDERED (the adapter's listeners have run by then). */
    const render = () => renderOnce(viewport);

    /**
     * Zooms to `px` canvas px per image px. Measured through the adapter, because setZoom's unit
     * differs between rendering modes (relative to the fitted camera on WebGL, absolute on the CPU).
     */
    const zoomTo = async (px: number) => {
      const now = adapter.view()?.zoom;
      if (!now) throw new Error('no view');
      viewport.setZoom((viewport.getZoom() * px) / now);
      await render();
    };

    before(async () => {
      initCornerstone3D({ cpu });
      ({ element, handle } = await mountStack(ids));
      viewport = handle.viewport;
      viewport.setProperties({ interpolationType: Enums.InterpolationType.NEAREST });
      adapter = new Cornerstone3DAdapter(viewport);
      // what the live engine does on each render: draw the tiles of the shown frame
      adapter.onRender(() => {
        renders++;
        const v = adapter.view();
        adapter.draw(v && tiles.length > 0 && v.imageId === ids[0] ? tiles : [], label);
      });
      await render();
      image = getStackImage(ids[0] as string) as StackImage;
      session = await createWasmBackend().createSession(await loadModel(getModel('medical-x2')));
    });

    after(async () => {
      adapter?.dispose();
      handle?.dispose();
      element?.remove();
      await session?.dispose();
    });

    /** Original pixels Cornerstone3D drew at image px centres of `region` match the VOI of the HU values. */
    function checkOriginal(region: Rect, step: number): number {
      const m = adapter.affine();
      if (!m) throw new Error('no affine');
      const img = pixelsOf(adapter.canvas);
      const voi = adapter.voi();
      const w = voi.upper - voi.lower;
      let checked = 0;
      for (let y = region.y; y < region.y + region.height; y += step)
        for (let x = region.x; x < region.x + region.width; x += step) {
          const want = voiToByte(
            image.modality[y * image.raster.width + x] as number,
            voi.lower + w / 2,
            w,
            voi.invert,
          );
          // 0.2 px inside each edge: a half-pixel misplacement lands on a neighbour
          for (const [dx, dy] of [
            [0.2, 0.2],
            [0.8, 0.8],
            [0.2, 0.8],
          ] as const) {
            const got = redAt(img, apply(m, { x: x + dx, y: y + dy }));
            if (got === undefined) continue;
            expect(
              Math.abs(got - want),
              `original (${x},${y}) +${dx},${dy}: ${got} vs ${want}`,
            ).to.be.at.most(2);
            checked++;
          }
        }
      return checked;
    }

    /** Enhanced pixels on the layer at SR px centres equal the tiles' values through the current VOI. */
    function checkTiles(voi: VoiState): number {
      const m = adapter.affine();
      if (!m) throw new Error('no affine');
      return checkLayerTiles(
        pixelsOf(adapter.overlay),
        tiles,
        image.display,
        voi,
        m,
        adapter.lastDrawn.watermark,
      );
    }

    function checkMark(): void {
      expectMark(adapter.overlay, adapter.lastDrawn.watermark, label);
    }

    it('loads the CT series as a stack in the requested rendering mode', async () => {
      expect(getShouldUseCPURendering()).to.equal(cpu);
      expect(viewport.getImageIds()).to.deep.equal(ids);
      expect(image.raster.width).to.equal(512);
      expect(image.raster.info.metadata['InstanceNumber']).to.equal('13');
      const v = adapter.view();
      expect(v?.region).to.deep.equal({ x: 0, y: 0, width: 512, height: 512 });
      expect(v?.zoom).to.be.closeTo(0.5, 1e-4);
      // the preset window (900/2500 HU) reached Cornerstone3D, as DICOM's linear VOI range
      // (lower = c - 0.5 - (w - 1) / 2, upper = c - 0.5 + (w - 1) / 2)
      expect(adapter.voi()).to.deep.include({ lower: -350, upper: 2149 });
      await zoomTo(4);
      const z = adapter.view();
      expect(z?.zoom).to.be.closeTo(4, 1e-4);
      // 64 image px across 256 canvas px (65 when the CPU camera sits half a pixel off)
      expect(z?.region.width).to.be.within(64, 65);
      expect(checkOriginal(z?.region as Rect, 5)).to.be.greaterThan(100);
      // scrolling: the next slice is shown and the neighbours follow
      expect(adapter.neighbours()).to.deep.equal([ids[1]]);
      await viewport.setImageIdIndex(2);
      await render();
      expect(adapter.view()?.imageId).to.equal(ids[2]);
      expect(adapter.neighbours()).to.deep.equal([ids[3], ids[1]]);
      await viewport.setImageIdIndex(0);
      await render();
    });

    it('zoomed in, draws enhanced pixels equal to the pipeline output of those cells, with the mark', async () => {
      viewport.resetCamera();
      await render();
      await zoomTo(8); // 32x32 image px visible
      const v = adapter.view();
      if (!v) throw new Error('no view');
      expect(v.zoom).to.be.closeTo(8, 1e-4);
      const values = Float64Array.from(image.modality);
      const range = computeRange(values);
      const cells: Rect[] = [];
      for (let y = Math.floor(v.region.y / CELL) * CELL; y < v.region.y + v.region.height; y += CELL)
        for (let x = Math.floor(v.region.x / CELL) * CELL; x < v.region.x + v.region.width; x += CELL)
          cells.push({ x, y, width: CELL, height: CELL });
      expect(cells.length).to.be.within(4, 9);
      tiles = [];
      for (const rect of cells) {
        const r = await enhanceCell(image.raster, rect, {
          modelId: 'medical-x2',
          bands: [0],
          ranges: [range],
          session,
        });
        tiles.push({
          col: rect.x / CELL,
          row: rect.y / CELL,
          rect,
          pixels: { data: r.data, width: r.width, height: r.height, samples: r.samples },
          flagged: false,
        });
      }
      await render();
      expect(adapter.lastDrawn.tiles.length).to.equal(tiles.length);
      checkMark();
      expect(checkTiles(adapter.voi())).to.be.greaterThan(200);
    });

    const moves: Array<[string, () => void]> = [
      [
        'pan',
        () => {
          // the camera moved 3 mm right, 2 mm up in world space (setPan's unit differs between modes)
          const { focalPoint: f, position: p } = viewport.getCamera();
          if (!f || !p) throw new Error('no camera');
          viewport.setCamera({
            focalPoint: [f[0] + 3, f[1] - 2, f[2]],
            position: [p[0] + 3, p[1] - 2, p[2]],
          });
        },
      ],
      ['zoom', () => viewport.setZoom(viewport.getZoom() * 0.75)],
      ['rotation 90', () => viewport.setViewPresentation({ rotation: 90 })],
      ['horizontal flip', () => viewport.setCamera({ flipHorizontal: true })],
      ['vertical flip', () => viewport.setCamera({ flipVertical: true })],
      ['VOI', () => viewport.setProperties({ voiRange: { lower: 0, upper: 1500 } })],
      ['inversion', () => viewport.setProperties({ invert: true })],
    ];
    for (const [name, move] of moves)
      it(`keeps tiles and the original aligned after ${name}, with the mark on the render`, async () => {
        expect(tiles.length, 'tiles from the previous test').to.be.greaterThan(0);
        const before = renders;
        move();
        await render();
        expect(renders).to.be.greaterThan(before);
        checkMark();
        expect(checkTiles(adapter.voi()), 'tile pixels checked').to.be.greaterThan(100);
        // Cornerstone3D's own rendering of the original is where the same map says
        const v = adapter.view();
        if (!v) throw new Error('no view');
        expect(checkOriginal(v.region, 3), 'original pixels checked').to.be.greaterThan(50);
      });

    it('draws nothing (and no mark) on the next slice until its tiles exist', async () => {
      await viewport.setImageIdIndex(1);
      await render();
      expect(adapter.view()?.imageId).to.equal(ids[1]);
      expect(adapter.lastDrawn.tiles.length).to.equal(0);
      expect(adapter.lastDrawn.watermark).to.equal(undefined);
      const img = pixelsOf(adapter.overlay);
      expect(img.data.every((b) => b === 0)).to.equal(true);
    });
  });
}
