// <sr-provenance> in Chromium with provenance from real enhanceRaster runs (WASM, MR crop): the
// registry's sha256, per-backend tile counts, timings and normalization; perceptual shown in red.
import { expect } from '@esm-bundle/chai';
import { sendKeys } from '@web/test-runner-commands';
import { getModel } from '../../../models/registry.ts';
import { enhancedCrop } from '../testing/data.ts';
import { cleanup, mount, part } from '../testing/dom.ts';
import './sr-provenance.ts';

const text = (el: Element, sel: string) => part(el, sel).textContent!.replace(/\s+/g, ' ').trim();

describe('<sr-provenance>', function () {
  this.timeout(120_000);
  afterEach(cleanup);

  it('shows the real provenance of a fidelity run with the registry sha256', async () => {
    const { provenance } = await enhancedCrop('fidelity');
    const el = await mount('sr-provenance');
    expect(text(el, '.empty')).to.equal('No enhanced image.');
    el.provenance = provenance;
    await el.updateComplete;
    const sha = getModel('medical-x2').sha256;
    expect(part(el, '.sha').dataset.sha256).to.equal(sha);
    expect(text(el, '.sha')).to.equal(`${sha.slice(0, 12)}…`);
    expect(text(el, '.model')).to.equal('medical-x2');
    expect(text(el, '.variant')).to.equal('fidelity');
    expect(text(el, '.version')).to.equal(provenance.modelVersion);
    expect(text(el, '.scale')).to.equal('×2');
    expect(text(el, '.backends')).to.equal(`wasm: ${provenance.tile.count}`);
    expect(text(el, '.timings')).to.match(/^total \d/);
    const n = provenance.normalization[0]!;
    expect(text(el, '.normalization')).to.contain(`band 0: ${n.lo.toFixed(0)} … ${n.hi.toFixed(0)}`);
    // the MR crop has samples beyond the robust range: the count is shown (they keep their values)
    expect(n.outside ?? 0).to.be.greaterThan(0);
    expect(text(el, '.normalization')).to.contain(`${n.outside} px beyond, kept`);
    expect(text(el, '.consistency')).to.equal('not measured');
    expect(el.shadowRoot!.querySelector('.perceptual')).to.equal(null);
    el.consistency = { flagged: 2, tiles: 4 };
    await el.updateComplete;
    expect(text(el, '.consistency')).to.equal('2 of 4 tiles');
    expect(part(el, '.consistency').classList.contains('flagged')).to.equal(true);
  });

  it('flags a perceptual run in red', async () => {
    const { provenance } = await enhancedCrop('perceptual');
    const el = await mount('sr-provenance');
    el.provenance = provenance;
    await el.updateComplete;
    const banner = part(el, '.perceptual');
    expect(banner.textContent).to.contain('Not for measurement or diagnosis');
    expect(getComputedStyle(banner).backgroundColor).to.equal('rgb(207, 34, 46)');
    expect(part(el, '.sha').dataset.sha256).to.equal(getModel('medical-x2', 'perceptual').sha256);
    expect(getComputedStyle(part(el, '.variant')).color).to.equal('rgb(207, 34, 46)');
  });

  it('follows a bound viewer and copies the full sha256 from the keyboard', async () => {
    const { provenance } = await enhancedCrop('fidelity');
    const viewer = document.createElement('div');
    viewer.id = 'pv';
    document.body.appendChild(viewer);
    const el = await mount('sr-provenance', { for: 'pv' });
    viewer.dispatchEvent(new CustomEvent('sr-provenance', { detail: { provenance } }));
    await el.updateComplete;
    expect(text(el, '.model')).to.equal('medical-x2');
    part(el, 'button.copy').focus();
    await sendKeys({ press: 'Enter' });
    await new Promise((r) => setTimeout(r, 50));
    await el.updateComplete;
    // headless pages may refuse clipboard access; either way the user is told
    expect(text(el, '.copy-status')).to.match(/^(copied|copy failed)$/);
    viewer.dispatchEvent(new CustomEvent('sr-enhance-status', { detail: { status: 'off' } }));
    await el.updateComplete;
    expect(text(el, '.off')).to.contain('nothing on screen is enhanced');
    viewer.dispatchEvent(new CustomEvent('sr-enhance-status', { detail: { status: 'enhancing' } }));
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('.off')).to.equal(null);
    viewer.dispatchEvent(new CustomEvent('sr-image-loaded', { detail: {} }));
    await el.updateComplete;
    expect(text(el, '.empty')).to.equal('No enhanced image.');
  });
});
