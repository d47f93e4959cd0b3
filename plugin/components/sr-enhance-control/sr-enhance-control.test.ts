// <sr-enhance-control> in Chromium: the registry's models grouped by domain, the switch by pointer
// and keyboard, the perceptual warning blocking every change until acknowledged, and binding to a viewer.
import { expect } from '@esm-bundle/chai';
import { sendKeys } from '@web/test-runner-commands';
import { listModels } from '../../../models/registry.ts';
import { cleanup, click, mount, part, record } from '../testing/dom.ts';
import type { EnhanceChangeDetail } from './sr-enhance-control.component.ts';
import './sr-enhance-control.ts';

describe('<sr-enhance-control>', () => {
  afterEach(cleanup);

  it('lists every registry model once, grouped by domain, with its scale', async () => {
    const el = await mount('sr-enhance-control');
    const groups = [...el.shadowRoot!.querySelectorAll('optgroup')].map((g) => ({
      label: g.label,
      ids: [...g.querySelectorAll('option')].map((o) => o.value),
    }));
    const ids = (domain: string) =>
      listModels()
        .filter((m) => m.variant === 'fidelity' && m.domain === domain)
        .map((m) => m.id);
    expect(groups).to.deep.equal([
      { label: 'Medical', ids: ids('medical') },
      { label: 'Satellite', ids: ids('satellite') },
    ]);
    expect(part(el, '.scale').textContent).to.equal('×2');
    el.modelId = 'satellite-x4';
    await el.updateComplete;
    expect(part(el, '.scale').textContent).to.equal('×4');
    expect(el.variant).to.equal('fidelity');
  });

  it('toggles with a click and with the keyboard, emitting the whole choice', async () => {
    const el = await mount('sr-enhance-control');
    const seen = record<EnhanceChangeDetail>(el, 'sr-enhance-change');
    const sw = part(el, 'button.switch');
    await click(sw, el);
    expect(seen).to.deep.equal([
      { enabled: true, modelId: 'medical-x2', variant: 'fidelity', backend: 'auto' },
    ]);
    expect(sw.getAttribute('aria-checked')).to.equal('true');
    sw.focus();
    await sendKeys({ press: 'Space' });
    await el.updateComplete;
    expect(seen.at(-1)?.enabled).to.equal(false);
  });

  it('picks model and backend from the keyboard', async () => {
    const el = await mount('sr-enhance-control');
    const seen = record<EnhanceChangeDetail>(el, 'sr-enhance-change');
    part<HTMLSelectElement>(el, 'select[name="model"]').focus();
    await sendKeys({ press: 'ArrowDown' });
    await el.updateComplete;
    expect(seen.at(-1)?.modelId).to.equal('medical-x4');
    expect(part(el, '.scale').textContent).to.equal('×4');
    part<HTMLSelectElement>(el, 'select[name="backend"]').focus();
    await sendKeys({ press: 'End' });
    await el.updateComplete;
    expect(seen.at(-1)).to.deep.equal({
      enabled: false,
      modelId: 'medical-x4',
      variant: 'fidelity',
      backend: 'wasm',
    });
  });

  it('blocks perceptual until the warning is acknowledged', async () => {
    const el = await mount('sr-enhance-control', { enabled: '' });
    const seen = record<EnhanceChangeDetail>(el, 'sr-enhance-change');
    const dialog = part<HTMLDialogElement>(el, 'dialog');
    const perceptual = part<HTMLInputElement>(el, 'input[value="perceptual"]');
    // pick perceptual: the warning opens, nothing changes
    await click(perceptual, el);
    expect(dialog.open).to.equal(true);
    expect(dialog.textContent).to.contain('GAN output invents texture; not for measurement or diagnosis');
    expect(el.variant).to.equal('fidelity');
    expect(perceptual.checked).to.equal(false);
    expect(seen).to.have.length(0);
    // the accept button is disabled until "I understand" is checked; Escape backs out
    const accept = part<HTMLButtonElement>(el, 'button.accept');
    expect(accept.disabled).to.equal(true);
    await click(accept, el);
    expect(dialog.open).to.equal(true);
    await sendKeys({ press: 'Escape' });
    await el.updateComplete;
    expect(dialog.open).to.equal(false);
    expect(el.variant).to.equal('fidelity');
    expect(seen).to.have.length(0);
    // "Keep fidelity" backs out too
    await click(perceptual, el);
    await click(part(el, 'button.reject'), el);
    expect(dialog.open).to.equal(false);
    expect(seen).to.have.length(0);
    // acknowledge with the keyboard, accept with the mouse: now it changes, once
    await click(perceptual, el);
    expect(accept.disabled).to.equal(true, 'acknowledgement is asked again each time');
    part<HTMLInputElement>(el, 'input[name="acknowledge"]').focus();
    await sendKeys({ press: 'Space' });
    await el.updateComplete;
    expect(accept.disabled).to.equal(false);
    await click(accept, el);
    expect(dialog.open).to.equal(false);
    expect(el.variant).to.equal('perceptual');
    expect(seen).to.deep.equal([
      { enabled: true, modelId: 'medical-x2', variant: 'perceptual', backend: 'auto' },
    ]);
    expect(part(el, 'p.perceptual').textContent).to.contain('not for measurement or diagnosis');
    // back to fidelity needs no warning
    await click(part(el, 'input[value="fidelity"]'), el);
    expect(el.variant).to.equal('fidelity');
    expect(dialog.open).to.equal(false);
  });

  it("adopts the bound viewer's settings without emitting", async () => {
    const viewer = Object.assign(document.createElement('div'), {
      id: 'set-viewer',
      enhance: true,
      model: '',
      effectiveModel: 'satellite-x4',
      variant: 'fidelity',
      backend: 'webgpu',
    });
    document.body.appendChild(viewer);
    const el = await mount('sr-enhance-control', { for: 'set-viewer' });
    const seen = record<EnhanceChangeDetail>(el, 'sr-enhance-change');
    await el.updateComplete;
    expect([el.enabled, el.modelId, el.variant, el.backend]).to.deep.equal([
      true,
      'satellite-x4',
      'fidelity',
      'webgpu',
    ]);
    expect(part(el, '.scale').textContent).to.equal('×4');
    viewer.effectiveModel = 'medical-x2';
    viewer.dispatchEvent(new CustomEvent('sr-image-loaded', { detail: {} }));
    await el.updateComplete;
    expect(el.modelId).to.equal('medical-x2');
    expect(seen).to.have.length(0);
  });

  it('drives the viewer named by `for`, also when the viewer appears later', async () => {
    const el = await mount('sr-enhance-control', { for: 'late-viewer' });
    const viewer = document.createElement('div') as HTMLDivElement & Record<string, unknown>;
    viewer.id = 'late-viewer';
    document.body.appendChild(viewer);
    await new Promise((r) => setTimeout(r, 0)); // MutationObserver callback
    await click(part(el, 'button.switch'), el);
    expect([viewer.enhance, viewer.model, viewer.variant, viewer.backend]).to.deep.equal([
      true,
      'medical-x2',
      'fidelity',
      'auto',
    ]);
  });
});
