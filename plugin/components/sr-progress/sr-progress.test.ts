// <sr-progress> in Chromium, bound to a stand-in viewer element that re-emits a real enhanceRaster
// run's progress as sr-enhance-progress events, and a real fallback record (WebGPU on the software
// adapter, its first output poisoned by the test hook, moved to WASM by the real NaN check).
import { expect } from '@esm-bundle/chai';
import { sendKeys } from '@web/test-runner-commands';
import type { ViewerProgressDetail } from '../shared/viewer-events.ts';
import { enhancedCrop, realFallback } from '../testing/data.ts';
import { cleanup, click, mount, part, record } from '../testing/dom.ts';
import type { CancelDetail } from './sr-progress.component.ts';
import './sr-progress.ts';

function viewerStub(id: string) {
  const v = document.createElement('div') as HTMLDivElement & { cancel?: () => void; cancelled?: number };
  v.id = id;
  v.cancelled = 0;
  v.cancel = () => (v.cancelled = (v.cancelled ?? 0) + 1);
  document.body.appendChild(v);
  return v;
}

describe('<sr-progress>', function () {
  this.timeout(120_000);
  afterEach(cleanup);

  it('follows a real enhancement tile by tile and ends at total/total on WASM', async () => {
    const viewer = viewerStub('v1');
    const el = await mount('sr-progress', { for: 'v1' });
    const seen: string[] = [];
    await enhancedCrop('fidelity', (p) => {
      viewer.dispatchEvent(new CustomEvent<ViewerProgressDetail>('sr-enhance-progress', { detail: p }));
      seen.push(el.shadowRoot!.querySelector('.count')!.textContent!);
    });
    await el.updateComplete;
    expect(el.total).to.be.greaterThan(1);
    expect(el.done).to.equal(el.total);
    expect(part(el, '.count').textContent!.trim()).to.equal(`${el.total} / ${el.total} tiles`);
    expect(part(el, '.backend').textContent).to.equal('WASM');
    expect(part(el, '[role=progressbar]').getAttribute('aria-valuenow')).to.equal(String(el.total));
    expect(part<HTMLButtonElement>(el, 'button.cancel').disabled).to.equal(true, 'nothing left to cancel');
    expect(seen.length).to.equal(el.total);
  });

  it('says "done" only when the count is complete (issue 20 #12: "1 / 18 tiles … done")', async () => {
    const viewer = viewerStub('v3');
    const el = await mount('sr-progress', { for: 'v3' });
    const send = (type: string, detail: unknown) => viewer.dispatchEvent(new CustomEvent(type, { detail }));
    send('sr-enhance-progress', { done: 1, total: 18, backend: 'wasm' });
    send('sr-enhance-status', { status: 'done' });
    await el.updateComplete;
    expect(part(el, '.count').textContent!.trim()).to.equal('1 / 18 tiles');
    expect(part(el, '.status').textContent).to.equal('stopped before every tile was done');
    send('sr-enhance-progress', { done: 18, total: 18, backend: 'wasm' });
    await el.updateComplete;
    expect(part(el, '.status').textContent).to.equal('done');
    // a view whose tiles were all made before: the engine reports 0 / 0 at its start
    send('sr-enhance-progress', { done: 0, total: 0, backend: 'wasm' });
    await el.updateComplete;
    expect(part(el, '.count').textContent!.trim()).to.equal('all tiles ready');
    expect(part(el, '.status').textContent).to.equal('done');
    // a failed open cleared the viewer
    send('sr-image-cleared', { code: 'UNKNOWN_FORMAT', message: 'x' });
    await el.updateComplete;
    expect(part(el, '.count').textContent!.trim()).to.equal('0 / 0 tiles');
    expect(el.shadowRoot!.querySelector('.status')).to.equal(null);
  });

  it('shows "fell back to WASM: <reason>" after a real sr-fallback', async () => {
    const record_ = await realFallback();
    expect([record_.from, record_.to]).to.deep.equal(['webgpu', 'wasm']);
    const viewer = viewerStub('v2');
    const el = await mount('sr-progress', { for: 'v2' });
    expect(el.shadowRoot!.querySelector('.fallback')).to.equal(null);
    viewer.dispatchEvent(new CustomEvent('sr-fallback', { detail: { record: record_ } }));
    await el.updateComplete;
    const line = part(el, '.fallback').textContent!.replace(/\s+/g, ' ').trim();
    expect(line).to.contain(`fell back to WASM: ${record_.reason}`);
    expect(line).to.contain('non-finite output');
    expect(part(el, '.backend').textContent).to.equal('WASM');
    // a new image clears it
    viewer.dispatchEvent(new CustomEvent('sr-image-loaded', { detail: {} }));
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('.fallback')).to.equal(null);
  });

  it('Cancel (pointer and keyboard) emits sr-cancel and calls the bound viewer', async () => {
    const viewer = viewerStub('v3');
    const el = await mount('sr-progress', { for: 'v3' });
    const seen = record<CancelDetail>(el, 'sr-cancel');
    viewer.dispatchEvent(
      new CustomEvent('sr-enhance-progress', { detail: { done: 3, total: 12, backend: 'webgpu' } }),
    );
    await el.updateComplete;
    expect(part(el, '.backend').textContent).to.equal('WebGPU');
    const button = part<HTMLButtonElement>(el, 'button.cancel');
    expect(button.disabled).to.equal(false);
    await click(button, el);
    button.focus();
    await sendKeys({ press: 'Enter' });
    expect(seen).to.deep.equal([
      { done: 3, total: 12 },
      { done: 3, total: 12 },
    ]);
    expect(viewer.cancelled).to.equal(2);
  });

  it('works standalone from properties', async () => {
    const el = await mount('sr-progress');
    el.done = 5;
    el.total = 10;
    el.backend = 'wasm';
    await el.updateComplete;
    expect(part(el, '.fill').style.width).to.equal('50%');
    const seen = record<CancelDetail>(el, 'sr-cancel');
    await click(part(el, 'button.cancel'), el);
    expect(seen).to.deep.equal([{ done: 5, total: 10 }]);
  });
});
