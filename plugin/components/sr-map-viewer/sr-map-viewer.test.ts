// <sr-map-viewer> in Chromium with real OpenLayers and the bundled COG: it opens the file, and
// zoomed past native it enhances on WASM and dispatches sr-enhance-progress / sr-provenance /
// sr-rendered with the mark, which <sr-progress> bound with `for` shows.
import { expect } from '@esm-bundle/chai';
import '../sr-progress/sr-progress.ts';
import type { SrProgress } from '../sr-progress/sr-progress.ts';
import type { SrProvenanceEvent, SrRenderedEvent } from '../sr-viewer/sr-viewer.events.ts';
import './sr-map-viewer.ts';

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
