// <sr-map-viewer> in Chromium with real OpenLayers and the bundled COG: it opens the file, and
// zoomed past native it enhances on WASM and dispatches sr-enhance-progress / sr-provenance /
// sr-rendered with the mark, which <sr-progress> bound with `for` shows.
import { expect } from '@esm-bundle/chai';
import '../sr-progress/sr-progress.ts';
import type { SrProgress } from '../sr-progress/sr-progress.ts';
import '../sr-provenance/sr-provenance.ts';
import type { SrProvenance } from '../sr-provenance/sr-provenance.ts';
import type { SrProvenanceEvent, SrRenderedEvent } from '../sr-viewer/sr-viewer.events.ts';
import './sr-map-viewer.ts';
import type { MapImageInfo, SrMapViewer } from './sr-map-viewer.ts';

describe('<sr-map-viewer>', function () {
  this.timeout(300_000);

  it('opens the COG, enhances past native resolution and feeds sr-progress', async () => {
    const el = document.createElement('sr-map-viewer');
    el.id = 'mv';
    el.style.width = '256px';
    el.style.height = '256px';
    el.backend = 'wasm';
    el.enhance = true;
    el.src = '/demo/samples/u16_rgb_cog_deflate_ovr.tif';
    const progress = document.createElement('sr-progress') as SrProgress;
    progress.setAttribute('for', 'mv');
    document.body.append(progress, el);
    const provenance = new Promise<SrProvenanceEvent>((r) =>
      el.addEventListener('sr-provenance', r, { once: true }),
    );
    const marked = new Promise<SrRenderedEvent>((r) =>
      el.addEventListener('sr-rendered', (e) => {
        if (e.detail.tiles.length > 0) r(e);
      }),
    );
    await el.updateComplete;
    await el.ready;
    expect(el.view, 'the map is open').to.not.equal(undefined);
    expect(el.view?.placement.crs).to.equal('EPSG:32620');
    // 128 px in 256 px is already past native (2 screen px per image px)
    const p = (await provenance).detail.provenance;
    expect(p.aiEnhanced).to.equal(true);
    expect(p.modelId).to.equal('satellite-x2');
    const r = await marked;
    expect(r.detail.watermark, 'the label was placed').to.not.equal(undefined);
    await progress.updateComplete;
    expect(progress.done).to.equal(progress.total);
    expect(progress.total).to.equal(1);
    el.remove();
    progress.remove();
  });
});

describe('<sr-map-viewer> across opens (issue 20: stale panels, failed opens, domain)', function () {
  this.timeout(300_000);
  const RGB = '/fixtures/geotiff/u8_rgb_jpeg_tiled.tif';
  const CT = '/fixtures/dicom/ct128_signed16_explicit_le.dcm';
  const next = <K extends keyof HTMLElementEventMap>(el: HTMLElement, type: K) =>
    new Promise<HTMLElementEventMap[K]>((r) => el.addEventListener(type, r, { once: true }));

  it('clears provenance and progress on open, says "error" (not "off") after a failed open, refuses another domain', async () => {
    document.body.insertAdjacentHTML(
      'beforeend',
      `<sr-progress for="mv2"></sr-progress><sr-provenance for="mv2"></sr-provenance>
       <sr-map-viewer id="mv2" backend="wasm" enhance style="width:256px;height:256px"></sr-map-viewer>`,
    );
    const el = document.getElementById('mv2') as SrMapViewer;
    const progress = document.querySelector('sr-progress[for="mv2"]') as SrProgress;
    const panel = document.querySelector('sr-provenance[for="mv2"]') as SrProvenance;
    let marked = 0;
    el.addEventListener('sr-rendered', (e) => void (marked += e.detail.tiles.length > 0 ? 1 : 0));

    // 1. the sample enhances (128 px in 256 px: past native); the panel shows its provenance
    const first = next(el, 'sr-provenance');
    el.src = '/demo/samples/u16_rgb_cog_deflate_ovr.tif';
    await first;
    await panel.updateComplete;
    expect(panel.provenance?.normalization[0]?.lo).to.be.a('number');

    // 2. another file (192 px in 128 px: not past native): nothing of the sample stays
    el.style.width = el.style.height = '128px';
    const cleared = next(el, 'sr-image-cleared');
    const loaded = next(el, 'sr-image-loaded');
    el.src = RGB;
    await cleared;
    await Promise.all([panel.updateComplete, progress.updateComplete]);
    expect(panel.provenance, 'provenance cleared when the open starts').to.equal(null);
    expect([progress.done, progress.total, progress.status]).to.deep.equal([0, 0, '']);
    marked = 0;
    const info = (await loaded).detail.info as unknown as MapImageInfo;
    expect(info.stretch.kind).to.equal('dtype');
    await new Promise((r) => setTimeout(r, 1000));
    await progress.updateComplete;
    expect(progress.status).to.equal('zoom-in');
    expect(panel.provenance).to.equal(null);
    expect(marked, 'no mark without enhanced tiles of the new image').to.equal(0);

    // 3. a 404: the view is cleared and Progress says error while Enhance stays on
    const failed = next(el, 'sr-error');
    el.src = '/fixtures/geotiff/missing.tif';
    const err = (await failed).detail;
    await el.ready;
    await progress.updateComplete;
    expect(err.code).to.be.a('string').and.not.equal('');
    expect(el.enhance).to.equal(true);
    expect(progress.status).to.equal('error');
    expect(progress.renderRoot.textContent).to.contain('not enhanced');
    expect(el.view).to.equal(undefined);

    // 4. a DICOM CT with satellite-x2 past native: refused, said in the UI, nothing enhanced or marked
    el.style.width = el.style.height = '256px';
    const refused = next(el, 'sr-error');
    el.src = CT;
    const r = (await refused).detail;
    expect(r.code).to.equal('DOMAIN_MISMATCH');
    expect(r.message).to.contain('medical-x2');
    await progress.updateComplete;
    expect(progress.status).to.equal('error');
    marked = 0;
    await new Promise((res) => setTimeout(res, 1000));
    expect(marked).to.equal(0);
    expect(el.view?.enhancedLayer.getVisible()).to.equal(false);

    // ...unless explicitly allowed: then it runs and provenance records the override
    const overridden = next(el, 'sr-provenance');
    el.allowDomainMismatch = true;
    const p = (await overridden).detail.provenance;
    expect(p.domainOverride).to.deep.equal({
      imageFormat: 'dicom',
      imageDomain: 'medical',
      modelDomain: 'satellite',
    });
    for (const n of [el, progress, panel]) n.remove();
  });
});
