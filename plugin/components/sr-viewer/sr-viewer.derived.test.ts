// The derived-source rule in the viewers (real cornerstone / Cornerstone3D, a derived DICOM tilesr
// wrote, real model on WASM): an already AI-enhanced image is shown as is, enhancement refused with
// sr-error ALREADY_ENHANCED "already AI-enhanced by tilesr medical-x2 x2" and status 'error', no
// tile; `allow-derived` enhances it and provenance names the earlier step.
import { expect } from '@esm-bundle/chai';
import { until } from '../../live/testing/wait.ts';
import { cleanup, record } from '../testing/dom.ts';
import '../sr-stack-viewer/sr-stack-viewer.ts';
import './sr-viewer.ts';
import type { SrViewer } from './sr-viewer.ts';

const DERIVED = '/fixtures/derived/ct128_tilesr_medical-x2.dcm';
const EARLIER = { by: 'tilesr', model: 'medical-x2', scale: 2 };
const next = <K extends keyof HTMLElementEventMap>(el: HTMLElement, type: K) =>
  new Promise<HTMLElementEventMap[K]>((r) => el.addEventListener(type, r, { once: true }));

describe('viewers on an already AI-enhanced image', function () {
  this.timeout(180_000);
  afterEach(cleanup);

  it('<sr-viewer> shows it as is with the notice, and enhances it with allow-derived', async () => {
    document.body.insertAdjacentHTML(
      'beforeend',
      `<sr-viewer id="dv" style="width:192px;height:192px" backend="wasm" any-zoom prefetch="0"
        tile-size="64"></sr-viewer>`,
    );
    const el = document.getElementById('dv') as SrViewer;
    let tiles = 0;
    el.addEventListener('sr-tile-enhanced', () => void tiles++);
    const refused = next(el, 'sr-error');
    const loaded = next(el, 'sr-image-loaded');
    el.src = DERIVED;
    expect((await loaded).detail.info.header.enhancement).to.include(EARLIER);
    el.enhance = true;
    const e = (await refused).detail;
    expect(e.code).to.equal('ALREADY_ENHANCED');
    expect(e.message).to.match(/^already AI-enhanced by tilesr medical-x2 x2/);
    await el.updateComplete;
    expect(el.enhanceStatus).to.equal('error');
    expect(tiles).to.equal(0);

    const prov = next(el, 'sr-provenance');
    el.allowDerived = true;
    const p = (await prov).detail.provenance;
    expect(p.modelId).to.equal('medical-x2');
    expect(p.derivedFrom).to.include(EARLIER);
    el.remove();
  });

  it('<sr-stack-viewer allow-derived> is the override; without it the notice', async () => {
    const el = document.createElement('sr-stack-viewer');
    el.style.width = '192px';
    el.style.height = '192px';
    el.setAttribute('srcs', JSON.stringify([DERIVED]));
    el.setAttribute('backend', 'wasm');
    el.setAttribute('tile-size', '32');
    const errors = record<{ code: string; message: string }>(el, 'sr-error');
    document.body.append(el);
    await el.ready();
    el.enhance = true;
    await el.updateComplete;
    el.zoomBy(8);
    await until(() => errors.length > 0, 'sr-error');
    expect(errors[0]?.code).to.equal('ALREADY_ENHANCED');
    expect(errors[0]?.message).to.match(/^already AI-enhanced by tilesr medical-x2 x2/);
    expect(el.provenance).to.equal(undefined);
    el.allowDerived = true;
    await until(() => el.enhanceStatus === 'done' && !!el.provenance, 'enhanced with allow-derived');
    expect(el.provenance?.derivedFrom).to.include(EARLIER);
    el.remove();
  });
});
