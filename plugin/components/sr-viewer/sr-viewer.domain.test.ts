// The domain rule in <sr-viewer> (real cornerstone, real fixture, real model on WASM): a medical
// model asked for on a GeoTIFF is refused with sr-error DOMAIN_MISMATCH naming the satellite models
// and status 'error', nothing enhanced; `allow-domain-mismatch` runs it and provenance records it.
import { expect } from '@esm-bundle/chai';
import './sr-viewer.ts';
import type { SrViewer } from './sr-viewer.ts';

const TIF = '/fixtures/geotiff/u8_gray_zstd.tif';
const next = <K extends keyof HTMLElementEventMap>(el: HTMLElement, type: K) =>
  new Promise<HTMLElementEventMap[K]>((r) => el.addEventListener(type, r, { once: true }));

describe('<sr-viewer> domain check', function () {
  this.timeout(120_000);

  it('refuses medical-x2 on a GeoTIFF unless allow-domain-mismatch is set', async () => {
    document.body.insertAdjacentHTML(
      'beforeend',
      `<sr-viewer id="dv" style="width:192px;height:192px" backend="wasm" model="medical-x2" any-zoom
        prefetch="0" tile-size="64"></sr-viewer>`,
    );
    const el = document.getElementById('dv') as SrViewer;
    let tiles = 0;
    el.addEventListener('sr-tile-enhanced', () => void tiles++);
    const refused = next(el, 'sr-error');
    el.src = TIF;
    await next(el, 'sr-image-loaded');
    el.enhance = true;
    const e = (await refused).detail;
    expect(e.code).to.equal('DOMAIN_MISMATCH');
    expect(e.message).to.contain('satellite-x2');
    await el.updateComplete;
    expect(el.enhanceStatus).to.equal('error');
    expect(tiles).to.equal(0);

    const prov = next(el, 'sr-provenance');
    el.allowDomainMismatch = true;
    const p = (await prov).detail.provenance;
    expect(p.modelId).to.equal('medical-x2');
    expect(p.domainOverride).to.deep.equal({
      imageFormat: 'geotiff',
      imageDomain: 'satellite',
      modelDomain: 'medical',
    });
    el.remove();
  });
});
