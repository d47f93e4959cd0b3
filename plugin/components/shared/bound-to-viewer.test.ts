// The controls bound to a real <sr-viewer> (cornerstone, live tiles on WASM) with `for`: progress
// reaches total on WASM, provenance shows the viewer's provenance with the registry sha256 and the
// consistency flags counted from its tiles, the control's switch turns the viewer off, and Cancel
// calls the viewer's cancel().
import { expect } from '@esm-bundle/chai';
import { getModel } from '../../../models/registry.ts';
import '../sr-enhance-control/sr-enhance-control.ts';
import '../sr-progress/sr-progress.ts';
import '../sr-provenance/sr-provenance.ts';
import '../sr-viewer/sr-viewer.ts';
import { cleanup, click, part } from '../testing/dom.ts';

const SAMPLE = '/demo/samples/u16_rgb_cog_deflate_ovr.tif';

function waitFor(target: EventTarget, type: string, timeout = 90_000): Promise<Event> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no ${type}`)), timeout);
    target.addEventListener(type, (e) => (clearTimeout(t), resolve(e)), { once: true });
  });
}

describe('controls bound to a real <sr-viewer>', function () {
  this.timeout(180_000);
  after(cleanup);

  it('follow and drive the viewer', async () => {
    document.body.innerHTML = `
      <sr-enhance-control for="bv" enabled backend="wasm" model-id="satellite-x2"></sr-enhance-control>
      <sr-progress for="bv"></sr-progress>
      <sr-provenance for="bv"></sr-provenance>
      <sr-viewer id="bv" style="width:256px;height:256px" backend="wasm" model="satellite-x2" tile-size="64" prefetch="0"></sr-viewer>`;
    const viewer = document.querySelector('sr-viewer')!;
    const progress = document.querySelector('sr-progress')!;
    const provenance = document.querySelector('sr-provenance')!;
    const control = document.querySelector('sr-enhance-control')!;
    const provenanceEvent = waitFor(viewer, 'sr-provenance');
    viewer.enhance = true;
    viewer.src = SAMPLE;
    await provenanceEvent;
    await progress.updateComplete;
    await provenance.updateComplete;
    expect(progress.total).to.be.greaterThan(0);
    expect(progress.done).to.equal(progress.total);
    expect(part(progress, '.backend').textContent).to.equal('WASM');
    expect(part(provenance, '.model').textContent).to.equal('satellite-x2');
    expect(part(provenance, '.sha').dataset.sha256).to.equal(getModel('satellite-x2').sha256);
    expect(part(provenance, '.consistency').textContent).to.match(/\d+ of \d+ tiles/);
    expect(part(provenance, '.timings').textContent).to.match(
      /inference per tile median [\d.]+ m?s, max .* wait median .* total median [\d.]+ m?s/s,
    );
    // the control's switch turns the viewer off
    await click(part(control, 'button.switch'), control);
    expect(viewer.enhance).to.equal(false);
    // on again, and cancel through sr-progress while tiles run (zoomed in: new tiles to make)
    await click(part(control, 'button.switch'), control);
    expect(viewer.enhance).to.equal(true);
    viewer.zoomTo(8, { x: 100, y: 100 });
    await new Promise((r) => setTimeout(r, 50));
    await progress.updateComplete;
    let cancelled = 0;
    const original = viewer.cancel.bind(viewer);
    viewer.cancel = () => {
      cancelled++;
      original();
    };
    progress.total = Math.max(progress.total, progress.done + 1); // keep the button enabled if tiles were instant
    progress.status = 'enhancing';
    await progress.updateComplete;
    await click(part(progress, 'button.cancel'), progress);
    expect(cancelled).to.equal(1);
  });
});
