/**
 * The live engine (plugin/live/live-tile-enhancer.ts) on a real Cornerstone3D stack: zoomed in on
 * the bundled CT series it enhances the visible cells and prefetches the same cells of the next
 * slice, so scrolling shows enhanced pixels with no new inference; every render with enhanced
 * pixels carries the mark; provenance reports the enhanced spacing. WASM backend, WebGL rendering.
 */
import { expect } from '@esm-bundle/chai';
import type { Types } from '@cornerstonejs/core';
import type { LiveTileInfo, ViewerProvenance } from '../../live/live-tile-enhancer.ts';
import { countColor } from '../../live/testing/canvas.ts';
import { until } from '../../live/testing/wait.ts';
import { WATERMARK_COLORS } from '../../watermark/viewport.ts';
import { Cs3dLiveEnhancement } from './live.ts';
import { imageIdForUrl } from './loader.ts';
import { initCornerstone3D, type StackHandle } from './stack.ts';
import { CT_SERIES, mountStack, scrollToPrefetchedSlice } from './testing/stack.ts';

describe('live enhancement of a Cornerstone3D stack', function () {
  this.timeout(180_000);
  let element: HTMLDivElement;
  let handle: StackHandle;
  let viewport: Types.IStackViewport;
  let live: Cs3dLiveEnhancement;
  const provenances: ViewerProvenance[] = [];
  const rendered: Array<{ tiles: LiveTileInfo[]; marked: boolean }> = [];
  const errors: string[] = [];
  const ids = CT_SERIES.map((u) => imageIdForUrl(u));

  before(async () => {
    initCornerstone3D({ cpu: false });
    ({ element, handle } = await mountStack(ids));
    viewport = handle.viewport;
    live = new Cs3dLiveEnhancement(
      viewport,
      {
        progress: () => {},
        tile: () => {},
        fallback: () => {},
        provenance: (p) => provenances.push(p),
        error: (e) => errors.push(`${e.code}: ${e.message}`),
        rendered: (tiles, watermark) =>
          rendered.push({
            tiles,
            marked:
              !!watermark && countColor(live.adapter.overlay, watermark, WATERMARK_COLORS.text, 60) > 20,
          }),
        status: () => {},
      },
      { enabled: true, backend: 'wasm', tileSize: 32, prefetchRing: 0 },
    );
  });

  after(() => {
    live?.dispose();
    handle?.dispose();
    element?.remove();
  });

  it('does nothing at fit zoom (< 1 screen px per image px)', async () => {
    viewport.render();
    await until(() => rendered.length > 0, 'a render');
    expect(live.engine.status).to.equal('zoom-in');
    expect(live.engine.stats.inferences ?? 0).to.equal(0);
  });

  it('zoomed in: enhances the visible cells, prefetches the next slice, and scrolling needs no inference', async () => {
    viewport.setZoom(16); // 8 canvas px per image px: 32x32 image px, 1-4 cells of 32
    viewport.render();
    await until(() => live.engine.status === 'done', 'the visible cells');
    const visible = live.engine.lastDrawn.length;
    expect(visible).to.be.within(1, 4);
    expect(errors).to.deep.equal([]);
    // the next slice (the only neighbour of slice 0) gets the same cells at prefetch priority; wait
    // until the engine is idle (no cell stored for 1.5 s)
    await until(() => live.engine.stats.completed >= 2 * visible, 'the prefetched cells of slice 1');
    let last = -1;
    let since = performance.now();
    await until(() => {
      if (live.engine.stats.completed !== last) {
        last = live.engine.stats.completed;
        since = performance.now();
      }
      return performance.now() - since > 1500;
    }, 'an idle engine');
    const runs = live.engine.stats.inferences ?? 0;
    // merged blocks by default: the centre cell alone, the rest of the view and the next slice's cells merged
    expect(runs).to.be.within(2, 2 * visible);
    const p0 = provenances.at(-1);
    expect(p0?.imageId).to.equal(ids[0]);
    expect(p0?.spacing.row).to.be.closeTo(0.451171875 / 2, 1e-9);
    expect(rendered.filter((r) => r.tiles.length > 0).every((r) => r.marked)).to.equal(true);

    await scrollToPrefetchedSlice(live, viewport, ids, visible, runs);
    expect(rendered.at(-1)?.marked).to.equal(true);
    // its provenance (tiles from the prefetch) reaches the host
    await until(() => provenances.at(-1)?.imageId === ids[1], 'slice 1 provenance');
    expect(provenances.at(-1)?.tiles.length).to.equal(visible);
    expect(errors).to.deep.equal([]);
  });

  it('redraws the tiles with a new VOI (render from real units), the mark still on', async () => {
    viewport.setProperties({ voiRange: { lower: 500, upper: 1500 } });
    const before = rendered.length;
    viewport.render();
    await until(() => rendered.length > before, 'a render');
    const last = rendered.at(-1);
    expect(last?.tiles.length).to.be.greaterThan(0);
    expect(last?.marked).to.equal(true);
    expect(viewport.element.querySelector('.tilesr-enhanced-layer')).to.equal(live.adapter.overlay);
  });
});
