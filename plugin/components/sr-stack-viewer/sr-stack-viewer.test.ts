// <sr-stack-viewer> in Chromium: the bundled CT series through real Cornerstone3D (WebGL on
// SwiftShader), keyboard and wheel slice navigation, zoom/pan, and live enhancement on WASM whose
// events reach the real <sr-progress> and <sr-provenance> bound with `for`.
import { expect } from '@esm-bundle/chai';
import { sendKeys } from '@web/test-runner-commands';
import type { ViewerImageInfo } from '../../viewer/cornerstone/open-controller.ts';
import { until } from '../../live/testing/wait.ts';
import { CT_SERIES } from '../../viewer/cornerstone3d/testing/stack.ts';
import { cleanup, mount, part, record } from '../testing/dom.ts';
import '../sr-progress/sr-progress.ts';
import '../sr-provenance/sr-provenance.ts';
import './sr-stack-viewer.ts';

describe('<sr-stack-viewer>', function () {
  this.timeout(180_000);
  afterEach(cleanup);

  async function viewer(attrs: Record<string, string> = {}) {
    const wrap = document.createElement('div');
    wrap.style.width = '256px';
    wrap.style.height = '256px';
    document.body.append(wrap);
    const el = document.createElement('sr-stack-viewer');
    el.id = 'v';
    for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
    const loaded = record<{ info: ViewerImageInfo }>(el, 'sr-image-loaded');
    wrap.append(el);
    await el.ready();
    return { el, loaded };
  }

  it('loads the series from a JSON `srcs` attribute and shows its first slice', async () => {
    const { el, loaded } = await viewer({ srcs: JSON.stringify(CT_SERIES) });
    expect(el.count).to.equal(5);
    expect(loaded.length).to.equal(1);
    const info = loaded[0]?.info;
    expect(info?.width).to.equal(512);
    expect(info?.header.metadata['InstanceNumber']).to.equal('13');
    expect(info?.spacing.row).to.equal(0.451171875);
    await el.updateComplete;
    expect(part(el, '.slice').textContent).to.equal('1 / 5');
  });

  it('navigates slices with PageDown/PageUp, arrows, Home/End and the wheel', async () => {
    const { el, loaded } = await viewer({ srcs: JSON.stringify(CT_SERIES) });
    el.focus();
    const at = async (key: string, index: number) => {
      await sendKeys({ press: key });
      await until(() => el.index === index, `${key} -> slice ${index}`);
    };
    await at('PageDown', 1);
    expect(loaded.at(-1)?.info.header.metadata['InstanceNumber']).to.equal('25');
    await at('ArrowDown', 2);
    await at('ArrowUp', 1);
    await at('End', 4);
    await at('PageUp', 3);
    await at('Home', 0);
    el.dispatchEvent(new WheelEvent('wheel', { deltaY: 120, bubbles: true, cancelable: true }));
    await until(() => el.index === 1, 'wheel -> slice 1');
    await el.updateComplete;
    expect(part(el, '.slice').textContent).to.equal('2 / 5');
    expect(loaded.map((l) => l.info.imageId).at(-1)).to.contain('S21570_S2030_I250');
  });

  it('zoomed in, enhances on WASM; progress and provenance reach the bound components; pan moves the view', async () => {
    const progress = await mount('sr-progress', { for: 'v' });
    const prov = await mount('sr-provenance', { for: 'v' });
    const { el } = await viewer({ srcs: JSON.stringify(CT_SERIES), backend: 'wasm', 'tile-size': '32' });
    const rendered = record<{ tiles: unknown[]; watermark: unknown }>(el, 'sr-rendered');
    el.enhance = true;
    await el.updateComplete;
    el.zoomBy(16);
    await until(() => el.enhanceStatus === 'done' && !!el.provenance, 'enhanced view');
    expect(el.provenance?.modelId).to.equal('medical-x2');
    expect(el.provenance?.spacing.row).to.be.closeTo(0.451171875 / 2, 1e-9);
    await until(() => prov.provenance !== null, 'sr-provenance bound');
    expect(prov.provenance?.modelId).to.equal('medical-x2');
    await progress.updateComplete;
    expect(progress.total).to.be.greaterThan(0);
    expect(progress.done).to.equal(progress.total);
    const drawn = rendered.filter((r) => r.tiles.length > 0);
    expect(drawn.length).to.be.greaterThan(0);
    expect(
      drawn.every((r) => r.watermark !== undefined),
      'the mark on every enhanced render',
    ).to.equal(true);
    const before = el.live?.adapter.view()?.region;
    el.panBy(40, 0); // image moves right: the visible region starts further left
    const after = el.live?.adapter.view()?.region;
    expect(before && after && after.x < before.x).to.equal(true);
  });
});
