// <sr-stack-viewer> opening a user's files in Chromium: the bundled CT series handed over shuffled,
// mixed with another series (a fixtures/dicom CT) and a text file, sorted into two series with the
// slices back in position order; the other series chosen; the instance-number fallback; and the
// shown series enhanced with the mark in the corner `mark-corner` asks for (the Cornerstone3D
// adapter passes the engine's mark options on; `markCorner` reconfigures the engine).
import { expect } from '@esm-bundle/chai';
import type { ViewerImageInfo } from '../../viewer/cornerstone/open-controller.ts';
import { until } from '../../live/testing/wait.ts';
import { CT_SERIES } from '../../viewer/cornerstone3d/testing/stack.ts';
import { groupSeries, type SliceEntry } from '../../viewer/cornerstone3d/series.ts';
import { cleanup, part, record } from '../testing/dom.ts';
import './sr-stack-viewer.ts';

const OTHER = '/fixtures/dicom/ct128_signed16_explicit_le.dcm';

async function fileOf(url: string): Promise<File> {
  const r = await fetch(url);
  expect(r.ok, url).to.equal(true);
  return new File([await r.arrayBuffer()], url.split('/').pop() ?? url);
}

async function viewer(attrs: Record<string, string> = {}) {
  const wrap = document.createElement('div');
  wrap.style.width = '256px';
  wrap.style.height = '256px';
  document.body.append(wrap);
  const el = document.createElement('sr-stack-viewer');
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  const loaded = record<{ info: ViewerImageInfo }>(el, 'sr-image-loaded');
  wrap.append(el);
  await el.ready();
  return { el, loaded };
}

describe('<sr-stack-viewer> openFiles', function () {
  this.timeout(120_000);
  afterEach(cleanup);

  it('sorts shuffled files into series, slices by position; lists and shows the other series', async () => {
    const ct = await Promise.all(CT_SERIES.map(fileOf));
    const shuffled = [ct[3], ct[0], await fileOf(OTHER), ct[4], ct[1], ct[2]] as File[];
    shuffled.push(new File(['not an image'], 'notes.txt'));
    const { el, loaded } = await viewer();
    const opened = await el.openFiles(shuffled);
    expect(opened.series.length).to.equal(2);
    expect(opened.skipped.map((s) => s.name)).to.deep.equal(['notes.txt']);
    const [first, second] = opened.series;
    expect(first?.orderedBy).to.equal('position');
    expect(first?.names).to.deep.equal(CT_SERIES.map((u) => u.split('/').pop()));
    expect(second?.names).to.deep.equal(['ct128_signed16_explicit_le.dcm']);
    expect(el.count).to.equal(5);
    expect(el.index).to.equal(0);
    expect(loaded.at(-1)?.info.header.metadata['InstanceNumber']).to.equal('13');
    await el.showSlice(4);
    await until(() => loaded.at(-1)?.info.header.metadata['InstanceNumber'] === '90', 'last slice shown');
    await el.updateComplete;
    const select = part<HTMLSelectElement>(el, 'select.series');
    expect(select.options.length).to.equal(2);
    select.selectedIndex = 1;
    select.dispatchEvent(new Event('change'));
    await until(() => el.count === 1 && loaded.at(-1)?.info.width === 128, 'second series shown');
    expect(el.seriesIndex).to.equal(1);
  });

  it('orders by InstanceNumber when slices have no position; no image at all is an sr-error', async () => {
    const entry = (name: string, instance: number): SliceEntry => ({
      name,
      seriesUid: '1.2',
      instance,
      frame: 0,
      open: () => Promise.reject(new Error('not loaded here')),
    });
    const [s] = groupSeries([entry('c', 3), entry('a', 10), entry('b', 2)]);
    expect(s?.orderedBy).to.equal('instance');
    expect(s?.names).to.deep.equal(['b', 'c', 'a']);
    const { el } = await viewer();
    const errors = record<{ code: string }>(el, 'sr-error');
    let thrown: unknown;
    await el.openFiles([new File(['x'.repeat(200)], 'a.txt')]).catch((e: unknown) => (thrown = e));
    expect(thrown).to.be.instanceOf(Error);
    expect(errors.map((e) => e.code)).to.deep.equal(['NO_IMAGES']);
  });

  it('enhances an opened series zoomed in, the mark in the `mark-corner` corner', async () => {
    const ct = await Promise.all(CT_SERIES.map(fileOf));
    const { el } = await viewer({ backend: 'wasm', 'tile-size': '32' });
    await el.openFiles([ct[2], ct[0], ct[1]] as File[]);
    el.enhance = true;
    el.zoomBy(16);
    await until(() => el.enhanceStatus === 'done' && !!el.provenance, 'enhanced view', 90_000);
    expect(el.provenance?.modelId).to.equal('medical-x2');
    const adapter = el.live?.adapter;
    const bottom = adapter?.lastDrawn.watermark;
    expect(bottom, 'the mark').to.not.equal(undefined);
    const h = adapter?.overlay.height ?? 0;
    expect((bottom?.y ?? 0) + (bottom?.height ?? 0)).to.be.greaterThan(h / 2);
    el.markCorner = 'top-left';
    await el.updateComplete;
    await until(() => {
      const w = el.live?.adapter.lastDrawn.watermark;
      return !!w && w.y < h / 2 && w.x < (adapter?.overlay.width ?? 0) / 2;
    }, 'the mark moved to the top-left corner');
  });
});
