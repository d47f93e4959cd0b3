// <sr-viewer> and its bound components in one state (issue 20 #7, #8, #9, #10, #12, #14), in real
// Chromium with the real cornerstone-core, the 10-frame 12-bit MR and the 384 px MR fixtures and the
// shipped model on WASM: frames stepped by slider, keys and wheel are shown and enhanced (the frame
// left is forgotten); a failed open clears the view and what acts on it; the mark is compact when
// zoomed in, moves to the chosen corner and a frame says when the whole view is enhanced; 'complete'
// reveal never shows a partly enhanced view; controls and panels follow settings made from script.
import { expect } from '@esm-bundle/chai';
import { sendKeys } from '@web/test-runner-commands';
import { countColor } from '../../live/testing/canvas.ts';
import type { LiveTileInfo } from '../../live/types.ts';
import { WATERMARK_COLORS } from '../../watermark/viewport.ts';
import '../sr-enhance-control/sr-enhance-control.ts';
import '../sr-progress/sr-progress.ts';
import '../sr-provenance/sr-provenance.ts';
import { mountViewer, part } from '../testing/dom.ts';
import './sr-viewer.ts';
import type { SrViewer } from './sr-viewer.component.ts';

const FRAMES = '/fixtures/dicom/mr64_10frame_12bit_rle.dcm';
const MR = '/fixtures/dicom/mr384_12bit_explicit_le.dcm';

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

/** Resolves with the provenance of `frame` once its tiles are shown. */
const provenanceOf = (el: SrViewer, frame: number) =>
  once(el, 'sr-provenance', (e) => e.detail.provenance.frame === frame).then((e) => e.detail.provenance);

const text = (el: Element, sel: string) => part(el, sel).textContent!.replace(/\s+/g, ' ').trim();

describe('<sr-viewer> one state: frames, failed opens, the mark, reveal, bound controls', function () {
  this.timeout(120_000);
  let el: SrViewer;

  before(async () => {
    el = mountViewer(256, 256);
    el.id = 'v';
    const loaded = once(el, 'sr-image-loaded');
    el.src = FRAMES;
    await loaded;
  });
  after(() => document.body.replaceChildren());

  it('#14: a control and the panels follow settings made from script', async () => {
    const control = document.createElement('sr-enhance-control');
    control.setAttribute('for', 'v');
    document.body.append(control);
    await control.updateComplete;
    expect(text(control, 'button.switch')).to.equal('Off');
    const first = provenanceOf(el, 0);
    el.enhance = true; // as an integrator would, not through the control
    await once(el, 'sr-settings-change');
    await control.updateComplete;
    expect(control.enabled).to.equal(true);
    expect(text(control, 'button.switch')).to.equal('On');
    el.model = 'medical-x4';
    await once(el, 'sr-settings-change');
    await control.updateComplete;
    expect(control.modelId).to.equal('medical-x4');
    el.model = 'medical-x2';
    await first;
  });

  it('#7: frames move by keys, wheel and slider; the shown frame is enhanced, the one left forgotten', async () => {
    const bar = part(el, '.frames');
    const slider = part<HTMLInputElement>(el, '.frames input[type="range"]');
    expect(slider.max).to.equal('9');
    expect(bar.textContent).to.contain('Frame 1 / 10');
    // keys on the focused viewer
    el.focus();
    let next = provenanceOf(el, 1);
    await sendKeys({ press: 'PageDown' });
    expect((await next).frame).to.equal(1);
    expect(el.info!.frame).to.equal(1);
    const drawn = once(el, 'sr-rendered');
    el.redraw();
    expect((await drawn).detail.tiles.length).to.be.greaterThan(0);
    // only the shown frame's tiles are kept (64 px: one cell)
    expect(el.storedTiles.tiles).to.equal(1);
    await el.updateComplete;
    expect(part(el, '.frames').textContent).to.contain('Frame 2 / 10');
    next = provenanceOf(el, 3);
    await sendKeys({ press: 'ArrowDown' });
    await sendKeys({ press: 'ArrowRight' });
    expect((await next).frame).to.equal(3);
    // the wheel steps frames; Ctrl+wheel zooms and keeps the frame
    const viewport = part(el, '.viewport');
    next = provenanceOf(el, 2);
    viewport.dispatchEvent(new WheelEvent('wheel', { deltaY: -100, bubbles: true, cancelable: true }));
    expect((await next).frame).to.equal(2);
    const scale = el.viewport!.scale;
    viewport.dispatchEvent(
      new WheelEvent('wheel', { deltaY: -100, ctrlKey: true, bubbles: true, cancelable: true }),
    );
    expect(el.viewport!.scale).to.be.greaterThan(scale);
    expect(el.frame).to.equal(2);
    // the slider
    next = provenanceOf(el, 9);
    const slider2 = part<HTMLInputElement>(el, '.frames input[type="range"]');
    slider2.value = '9';
    slider2.dispatchEvent(new Event('input', { bubbles: true }));
    expect((await next).frame).to.equal(9);
    expect(el.storedTiles.tiles).to.equal(1);
    el.resetView();
  });

  it('#9: compact mark when zoomed in, in the chosen corner, and a frame when the whole view is enhanced', async () => {
    // fitted (~3.6 screen px per image px, the image narrower than the view): outline on screen
    const rendered = once(el, 'sr-rendered', (e) => e.detail.tiles.length > 0);
    el.redraw();
    const fitted = (await rendered).detail.watermark!;
    expect(fitted.compact).to.equal(true);
    expect(fitted.wholeView).to.equal(false);
    // a one-line, 11 px label: about a third of the 240x32 px it took before
    expect(fitted.height).to.be.at.most(20);
    expect(fitted.width * fitted.height).to.be.lessThan(240 * 32 * 0.5);
    expect(fitted.lines.join(' · ')).to.equal('AI-enhanced · medical-x2 · x2');
    // zoomed so the image covers the view: the outline is off-screen, the frame says it all is enhanced
    const zoomed = once(el, 'sr-rendered', (e) => e.detail.watermark?.wholeView === true);
    el.zoomTo(8, { x: 32, y: 32 });
    const box = (await zoomed).detail.watermark!;
    const canvas = el.canvas!;
    const edge = { x: 0, y: 0, width: canvas.width, height: 3, lines: [], rotated: false };
    expect(countColor(canvas, edge, WATERMARK_COLORS.text)).to.be.greaterThan(canvas.width * 0.8);
    expect(box.x + box.width).to.be.greaterThan(canvas.width - 12); // bottom-right by default
    // the corner is a choice; the mark stays
    const moved = once(el, 'sr-rendered', (e) => e.detail.watermark?.y === 6);
    el.markCorner = 'top-left';
    const tl = (await moved).detail.watermark!;
    expect([tl.x, tl.y]).to.deep.equal([6, 6]);
    expect(countColor(canvas, tl, WATERMARK_COLORS.text)).to.be.greaterThan(20);
    el.markCorner = 'bottom-right';
  });

  it('#8: a failed open clears the view: nothing shown, nothing to export, the panels emptied', async () => {
    const prov = document.createElement('sr-provenance');
    prov.setAttribute('for', 'v');
    document.body.append(prov);
    await prov.updateComplete;
    expect(el.info).to.not.equal(undefined);
    const cleared = once(el, 'sr-image-cleared');
    const error = once(el, 'sr-error');
    await el.open(new Uint8Array(4096).fill(7));
    expect((await cleared).detail.code).to.equal((await error).detail.code);
    expect(el.info).to.equal(undefined);
    expect(el.viewport).to.equal(undefined);
    expect(await el.exportFormats()).to.deep.equal([]);
    expect(el.provenance).to.equal(undefined);
    const canvas = el.canvas!;
    const px = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    expect(px.some((v) => v !== 0)).to.equal(false);
    el.redraw();
    await prov.updateComplete;
    expect(text(prov, '.empty')).to.equal('No enhanced image.');
    expect(prov.shadowRoot!.querySelector('.export')).to.equal(null);
    // and the next good file shows again
    const loaded = once(el, 'sr-image-loaded');
    void el.open(FRAMES);
    expect((await loaded).detail.info.frames).to.equal(10);
  });

  it("#10: reveal='complete' never shows a partly enhanced view", async () => {
    const small = mountViewer(256, 256);
    small.reveal = 'complete';
    const loaded = once(small, 'sr-image-loaded');
    small.src = MR;
    await loaded;
    const draws: number[] = [];
    small.addEventListener('sr-rendered', (e) => draws.push(e.detail.tiles.length));
    const done = once(small, 'sr-provenance');
    small.zoomTo(2, { x: 150, y: 150 });
    small.enhance = true;
    const prov = (await done).detail.provenance;
    small.redraw();
    await once(small, 'sr-rendered');
    const all = Math.max(...draws);
    expect(all).to.be.greaterThan(1);
    expect(prov.tiles.length).to.equal(all);
    // every render drew nothing enhanced or every visible tile
    expect(draws.filter((n) => n > 0 && n < all)).to.deep.equal([]);
    small.remove();
  });

  it('#12: provenance timings: inference, wait and total apart, shared runs not a 0 ms median', async () => {
    const prov = document.createElement('sr-provenance');
    document.body.append(prov);
    const tiles: LiveTileInfo[] = el.provenance?.tiles ?? [];
    expect(tiles.length).to.be.greaterThan(0);
    const ran = tiles[0]!;
    // one tile that ran, two that came from another request's run (0 ms of their own)
    prov.provenance = {
      ...el.provenance!,
      tiles: [ran, { ...ran, ms: 0, requestMs: 40 }, { ...ran, ms: 0, backend: 'cache' }],
    };
    await prov.updateComplete;
    const t = text(prov, '.timings');
    const fmt = (v: number) => (v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${v.toFixed(0)} ms`);
    expect(t).to.contain(`inference per tile median ${fmt(ran.ms)}`);
    expect(t).to.contain(`wait median ${fmt(Math.max(0, ran.requestMs - ran.ms))}`);
    expect(t).to.contain(`total median ${fmt(ran.requestMs)}`);
    expect(t).to.contain('1 run here, 2 from cache or a shared run');
    expect(ran.ms).to.be.greaterThan(0);
  });

  it('#14: the panel reads the provenance of an overview-backed image (native region)', async () => {
    const prov = document.createElement('sr-provenance');
    document.body.append(prov);
    // what the viewer reports for an 8192² COG shown on its 512² overview (sr-viewer.overview.test.ts)
    prov.provenance = {
      ...el.provenance!,
      frame: 0,
      region: { x: 4096, y: 2048, width: 512, height: 512 },
      source: { resolution: 'native', width: 8192, height: 8192, overviewScale: { x: 16, y: 16 } },
    };
    await prov.updateComplete;
    const region = text(prov, '.source');
    expect(region).to.equal(
      'frame 1, 512×512 at 4096,2048 of the native 8192×8192 image (shown on a 1/16 overview)',
    );
    expect(region).to.not.contain('undefined');
  });
});
