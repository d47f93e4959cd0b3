// <sr-compare> over a real <sr-viewer> in Chromium (real cornerstone, real MR, medical-x2 on WASM):
// left of the split is exactly the original rendering, right of it exactly the enhanced one, the
// watermark stays on the enhanced side at any split, and the slider follows pointer and keyboard.
import { expect } from '@esm-bundle/chai';
import { sendKeys, sendMouse } from '@web/test-runner-commands';
import { countColor, rgba } from '../../live/testing/canvas.ts';
import { WATERMARK_COLORS, type WatermarkBox } from '../../watermark/viewport.ts';
import '../sr-viewer/sr-viewer.ts';
import type { SrViewer } from '../sr-viewer/sr-viewer.component.ts';
import './sr-compare.ts';
import type { SrCompare } from './sr-compare.component.ts';

const MR = '/fixtures/dicom/mr384_12bit_explicit_le.dcm';

function rendered(v: SrViewer, action: () => void = () => v.redraw()) {
  return new Promise<HTMLElementEventMap['sr-rendered']['detail']>((resolve) => {
    v.addEventListener('sr-rendered', (e) => resolve(e.detail), { once: true });
    action();
  });
}

/** Largest per-channel difference between two canvases over a region. */
function maxDiff(
  a: ImageData,
  b: ImageData,
  keep: (x: number, y: number) => boolean,
): { max: number; n: number } {
  let max = 0;
  let n = 0;
  for (let y = 0; y < a.height; y++)
    for (let x = 0; x < a.width; x++) {
      if (!keep(x, y)) continue;
      n++;
      for (let c = 0; c < 3; c++)
        max = Math.max(
          max,
          Math.abs(a.data[(y * a.width + x) * 4 + c]! - b.data[(y * a.width + x) * 4 + c]!),
        );
    }
  return { max, n };
}

const inBox = (b: WatermarkBox | undefined, x: number, y: number, grow = 2) =>
  !!b && x >= b.x - grow && x < b.x + b.width + grow && y >= b.y - grow && y < b.y + b.height + grow;

describe('<sr-compare> (real sr-viewer, real model on WASM)', function () {
  this.timeout(120_000);
  let cmp: SrCompare;
  let viewer: SrViewer;

  before(async () => {
    cmp = document.createElement('sr-compare');
    cmp.style.width = '256px';
    cmp.style.height = '256px';
    cmp.position = 0;
    viewer = document.createElement('sr-viewer');
    viewer.backend = 'wasm';
    viewer.prefetch = 0;
    cmp.append(viewer);
    document.body.append(cmp);
    const loaded = new Promise((r) => viewer.addEventListener('sr-image-loaded', r, { once: true }));
    viewer.src = MR;
    await loaded;
    await rendered(viewer);
    await rendered(viewer, () => viewer.zoomTo(4, { x: 192, y: 192 }));
    const prov = new Promise((r) => viewer.addEventListener('sr-provenance', r, { once: true }));
    viewer.enhance = true;
    await prov;
  });
  after(() => cmp.remove());

  it('left of the split equals the original rendering, right of it the enhanced one', async () => {
    const canvas = viewer.canvas!;
    const full = await rendered(viewer); // position 0: everything enhanced
    expect(full.tiles.length).to.be.greaterThan(0);
    const enhanced = rgba(canvas, 0, 0, 256, 256);
    const off = await rendered(viewer, () => (viewer.enhance = false));
    expect(off.watermark).to.equal(undefined);
    const original = rgba(canvas, 0, 0, 256, 256);
    viewer.enhance = true;
    const split = await rendered(viewer, () => (cmp.position = 0.5));
    expect(viewer.splitX).to.equal(128);
    const both = rgba(canvas, 0, 0, 256, 256);
    const wm = split.watermark!;
    expect(wm, 'watermark drawn').to.not.equal(undefined);
    expect(wm.x).to.be.at.least(128); // on the enhanced side
    expect(countColor(canvas, wm, WATERMARK_COLORS.text)).to.be.greaterThan(20);
    const left = maxDiff(both, original, (x, y) => x < 126 && !inBox(wm, x, y));
    // position 0 showed the whole view enhanced: the frame along the view's edges (4 px) is not in the split
    const frame = (x: number, y: number) => x >= 250 || y < 6 || y >= 250;
    const right = maxDiff(
      both,
      enhanced,
      (x, y) => x >= 130 && !frame(x, y) && !inBox(wm, x, y) && !inBox(full.watermark, x, y),
    );
    // the enhanced side really differs from the original there
    const rightVsOriginal = maxDiff(both, original, (x, y) => x >= 130 && y < 200);
    console.log(
      `split 0.5: left vs original max ${left.max} (${left.n} px), right vs enhanced max ${right.max} (${right.n} px), right vs original max ${rightVsOriginal.max}`,
    );
    expect(left.n).to.be.greaterThan(20000);
    expect(left.max).to.be.at.most(1);
    expect(right.n).to.be.greaterThan(15000);
    expect(right.max).to.be.at.most(1);
    expect(rightVsOriginal.max).to.be.greaterThan(10);
  });

  it('the watermark stays on the enhanced side at any split (vertical when the strip is narrow)', async () => {
    for (const p of [0.2, 0.6, 0.8, 0.9]) {
      const d = await rendered(viewer, () => (cmp.position = p));
      const splitX = Math.round(p * 256);
      expect(d.tiles.length, `position ${p}`).to.be.greaterThan(0);
      const wm = d.watermark!;
      expect(wm, `position ${p}`).to.not.equal(undefined);
      expect(wm.x, `position ${p}: box ${JSON.stringify(wm)}`).to.be.at.least(splitX);
      expect(wm.x + wm.width).to.be.at.most(256);
      expect(countColor(viewer.canvas!, wm, WATERMARK_COLORS.text), `position ${p}`).to.be.greaterThan(20);
      if (p === 0.9) expect(wm.rotated).to.equal(true);
    }
    // all original: no enhanced pixel, no watermark
    const none = await rendered(viewer, () => (cmp.position = 1));
    expect(none.tiles).to.deep.equal([]);
    expect(none.watermark).to.equal(undefined);
  });

  it('keyboard: arrows move the split by 0.05 (0.01 with Shift), Home/End jump; sr-compare-change fires', async () => {
    cmp.position = 0.5;
    await cmp.updateComplete;
    const seen: number[] = [];
    cmp.addEventListener('sr-compare-change', (e) => seen.push(e.detail.position));
    const handle = cmp.shadowRoot!.querySelector<HTMLElement>('.handle')!;
    handle.focus();
    await sendKeys({ press: 'ArrowLeft' });
    await sendKeys({ press: 'ArrowLeft' });
    await sendKeys({ press: 'Shift+ArrowRight' });
    await sendKeys({ press: 'End' });
    await sendKeys({ press: 'Home' });
    expect(seen.map((v) => Math.round(v * 100) / 100)).to.deep.equal([0.45, 0.4, 0.41, 1, 0]);
    expect(handle.getAttribute('role')).to.equal('slider');
    await cmp.updateComplete;
    expect(handle.getAttribute('aria-valuenow')).to.equal('0');
  });

  it('pointer: dragging the handle moves the split and the viewer follows', async () => {
    cmp.position = 0.5;
    await cmp.updateComplete;
    const r = cmp.getBoundingClientRect();
    const y = Math.round(r.top + r.height / 2);
    await sendMouse({ type: 'move', position: [Math.round(r.left + 128), y] });
    await sendMouse({ type: 'down' });
    await sendMouse({ type: 'move', position: [Math.round(r.left + 64), y] });
    await sendMouse({ type: 'up' });
    expect(cmp.position).to.be.closeTo(0.25, 0.01);
    await cmp.updateComplete;
    expect(viewer.splitX).to.equal(64);
    const d = await rendered(viewer);
    expect(d.watermark!.x).to.be.at.least(64);
  });
});
