// <sr-viewer block-size>: the opt-in that merges missing visible tiles into shared-halo inference
// blocks reaches the live engine from the attribute: the same four tiles of the zoomed MR view are
// drawn, with fewer model runs and less halo work than one run per tile (real model on WASM).
import { expect } from '@esm-bundle/chai';
import './sr-viewer.ts';
import type { SrViewer } from './sr-viewer.component.ts';

const MR = '/fixtures/dicom/mr384_12bit_explicit_le.dcm';

function once<K extends keyof HTMLElementEventMap>(
  el: HTMLElement,
  type: K,
): Promise<HTMLElementEventMap[K]> {
  return new Promise((resolve) => el.addEventListener(type, resolve, { once: true }));
}

async function zoomedAndEnhanced(
  blockSize: number,
): Promise<{ tiles: number; runs: number; overhead: number }> {
  const el: SrViewer = document.createElement('sr-viewer');
  el.style.width = '256px';
  el.style.height = '256px';
  el.backend = 'wasm';
  el.prefetch = 0;
  el.setAttribute('block-size', String(blockSize));
  document.body.append(el);
  try {
    const loaded = once(el, 'sr-image-loaded');
    el.src = MR;
    await loaded;
    let r = once(el, 'sr-rendered');
    el.zoomTo(4, { x: 192, y: 192 });
    await r;
    const prov = once(el, 'sr-provenance');
    el.enhance = true;
    await prov;
    r = once(el, 'sr-rendered');
    el.redraw();
    const drawn = (await r).detail.tiles;
    const s = el.stats;
    return {
      tiles: drawn.length,
      runs: s.inferences ?? 0,
      overhead: (s.computedPx ?? 0) / Math.max(1, s.shownPx ?? 0),
    };
  } finally {
    el.remove();
  }
}

describe('<sr-viewer block-size>', function () {
  this.timeout(180_000);

  it('merges the visible tiles into shared-halo blocks: same tiles, fewer runs, less halo work', async () => {
    const perTile = await zoomedAndEnhanced(0);
    const blocks = await zoomedAndEnhanced(256);
    console.log(`per tile: ${JSON.stringify(perTile)}; block-size 256: ${JSON.stringify(blocks)}`);
    expect(perTile.tiles).to.equal(4);
    expect(blocks.tiles).to.equal(4);
    expect(perTile.runs).to.equal(4);
    expect(blocks.runs).to.be.lessThan(perTile.runs);
    expect(blocks.overhead).to.be.lessThan(perTile.overhead);
  });
});
