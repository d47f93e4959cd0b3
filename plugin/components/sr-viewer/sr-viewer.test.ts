// <sr-viewer> in real Chromium on real fixtures with the real cornerstone-core and the shipped model on WASM.
import { expect } from '@esm-bundle/chai';
import './sr-viewer.ts';
import type { SrViewer } from './sr-viewer.component.ts';

const MR = '/fixtures/dicom/mr384_12bit_explicit_le.dcm';

function mount(w = 256, h = 256): SrViewer {
  const el = document.createElement('sr-viewer');
  el.style.width = `${w}px`;
  el.style.height = `${h}px`;
  el.backend = 'wasm';
  el.prefetch = 0;
  document.body.append(el);
  return el;
}

function nextRender(el: SrViewer): Promise<void> {
  return new Promise((r) => el.addEventListener('sr-rendered', () => r(), { once: true }));
}

describe('<sr-viewer> smoke', function () {
  this.timeout(120_000);
  it('opens a DICOM and enhances the zoomed view with a watermark', async () => {
    const el = mount();
    const loaded = new Promise<unknown>((r) =>
      el.addEventListener('sr-image-loaded', (e) => r(e.detail.info), { once: true }),
    );
    el.src = MR;
    const info = await loaded;
    console.log(JSON.stringify(info).slice(0, 300));
    await nextRender(el);
    el.zoomTo(4, { x: 192, y: 192 });
    el.enhance = true;
    const tiles: unknown[] = [];
    el.addEventListener('sr-tile-enhanced', (e) => tiles.push(e.detail));
    await new Promise<void>((r) => el.addEventListener('sr-provenance', () => r(), { once: true }));
    const r = nextRender(el);
    el.redraw();
    await r;
    console.log(JSON.stringify(tiles), JSON.stringify(el.watermark), el.drawnTiles.length);
    expect(el.drawnTiles.length).to.be.greaterThan(0);
    el.remove();
  });
});
