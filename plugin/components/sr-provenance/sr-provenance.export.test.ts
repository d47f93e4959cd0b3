// <sr-provenance>'s Export control bound to a real <sr-viewer> (WASM, real fixtures): only the
// formats the image takes, Export with a real click, the downloaded file judged on the Node side
// (test/export-check.plugin.mjs), the writer's notes shown; Cancel mid-export offers nothing; the
// save dialog is used while the click's user activation lasts.
import { expect } from '@esm-bundle/chai';
import { executeServerCommand } from '@web/test-runner-commands';
import '../sr-viewer/sr-viewer.ts';
import type { SrViewer } from '../sr-viewer/sr-viewer.component.ts';
import { click, cleanup, mount, part } from '../testing/dom.ts';
import './sr-provenance.ts';
import type { SrProvenance } from './sr-provenance.component.ts';

const MR64 = '/fixtures/dicom/mr64_explicit_be.dcm';
const MR = '/fixtures/dicom/mr384_12bit_explicit_le.dcm';

interface Download {
  name: string;
  bytes: Uint8Array;
}

/** Records `<a download>` clicks (with the blob's bytes) instead of letting the browser download. */
function captureDownloads(): { downloads: Download[]; restore(): void } {
  const downloads: Download[] = [];
  const pending: Array<Promise<void>> = [];
  const original = HTMLAnchorElement.prototype.click;
  HTMLAnchorElement.prototype.click = function (this: HTMLAnchorElement) {
    if (!this.download) return original.call(this);
    const name = this.download;
    pending.push(
      fetch(this.href)
        .then((r) => r.arrayBuffer())
        .then((b) => void downloads.push({ name, bytes: new Uint8Array(b) })),
    );
  };
  return {
    downloads,
    restore: () => {
      HTMLAnchorElement.prototype.click = original;
      void Promise.all(pending);
    },
  };
}

async function until(pred: () => boolean, ms = 120_000): Promise<void> {
  const t0 = performance.now();
  while (!pred()) {
    if (performance.now() - t0 > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

const q = (el: Element, sel: string) => el.shadowRoot?.querySelector<HTMLElement>(sel) ?? null;
const status = (el: Element) => q(el, '.export-status');

function choose(el: SrProvenance, sel: string, value: string): void {
  const s = part<HTMLSelectElement>(el, sel);
  s.value = value;
  s.dispatchEvent(new Event('change'));
}

function base64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

describe('<sr-provenance> export control bound to <sr-viewer>', function () {
  this.timeout(180_000);
  let viewer: SrViewer;
  let el: SrProvenance;
  let saved: unknown;
  const win = window as unknown as { showSaveFilePicker?: unknown };

  before(async () => {
    saved = win.showSaveFilePicker;
    viewer = document.createElement('sr-viewer');
    viewer.id = 'xv';
    viewer.backend = 'wasm';
    viewer.style.cssText = 'width:256px;height:256px';
    document.body.append(viewer);
    el = await mount('sr-provenance', { for: 'xv' });
    const loaded = new Promise((r) => viewer.addEventListener('sr-image-loaded', r, { once: true }));
    viewer.src = MR64;
    await loaded;
    await until(() => q(el, 'select.format') !== null);
  });
  after(() => {
    win.showSaveFilePicker = saved;
    cleanup();
  });

  it('offers only the formats the DICOM takes; Export downloads a signed PNG once complete and shows the notes', async () => {
    const options = [...part<HTMLSelectElement>(el, 'select.format').options].map((o) => o.value);
    expect(options).to.deep.equal(['dicom', 'png', 'jpeg', 'npy']);
    delete win.showSaveFilePicker; // the <a download> path
    const cap = captureDownloads();
    try {
      choose(el, 'select.format', 'png');
      await click(part(el, 'button.export-button'), el);
      expect(q(el, 'progress.export-progress'), 'progress while running').to.not.equal(null);
      expect(q(el, 'button.export-cancel'), 'Cancel while running').to.not.equal(null);
      expect(cap.downloads, 'nothing offered before the bytes are complete').to.deep.equal([]);
      await until(() => !status(el)!.classList.contains('running'));
      await until(() => cap.downloads.length > 0, 5000);
    } finally {
      cap.restore();
    }
    expect(status(el)!.className).to.contain('done');
    const [d] = cap.downloads;
    expect(d!.name).to.equal('mr64_explicit_be.medical-x2.png');
    const c = (await executeServerCommand('export-check', {
      bytes: base64(d!.bytes),
      source: MR64.slice(1),
    })) as { verify: { aiEnhanced: boolean }; c2pa: { state: string; failures: string[] } };
    console.log(
      `downloaded ${d!.name} ${d!.bytes.length} B: c2pa ${c.c2pa.state} ${JSON.stringify(c.c2pa.failures)}`,
    );
    expect(c.verify.aiEnhanced).to.equal(true);
    expect(c.c2pa.state).to.equal('Valid');
    expect(q(el, '.export-notes')!.textContent).to.contain('UNTRUSTED tilesr test certificate');
    expect(q(el, '.export-button')!.hasAttribute('disabled')).to.equal(false);
  });

  it('uses the save dialog while the click still counts as a user gesture', async () => {
    const written: Array<{ name: string; size: number }> = [];
    win.showSaveFilePicker = async (opts: { suggestedName: string }) => ({
      createWritable: async () => ({
        write: async (b: Blob) => void written.push({ name: opts.suggestedName, size: b.size }),
        close: async () => undefined,
      }),
    });
    const cap = captureDownloads();
    try {
      choose(el, 'select.format', 'npy'); // the frame's tiles are cached: done well inside the gesture
      await click(part(el, 'button.export-button'), el);
      await until(() => !status(el)!.classList.contains('running'));
    } finally {
      cap.restore();
    }
    expect(written).to.deep.equal([{ name: 'mr64_explicit_be.medical-x2.npy', size: 128 + 128 * 128 * 4 }]);
    expect(cap.downloads).to.deep.equal([]);
  });

  it('Cancel mid-export: status "cancelled", no download, no sr-export-done', async () => {
    delete win.showSaveFilePicker;
    const loaded = new Promise((r) => viewer.addEventListener('sr-image-loaded', r, { once: true }));
    viewer.src = MR; // 384x384: the whole frame takes several tiles on WASM
    await loaded;
    await until(() => q(el, 'select.format') !== null && !q(el, '.export-notes'));
    const done: unknown[] = [];
    viewer.addEventListener('sr-export-done', (e) => done.push(e.detail));
    const cap = captureDownloads();
    try {
      choose(el, 'select.format', 'dicom');
      const progressed = new Promise((r) => viewer.addEventListener('sr-export-progress', r, { once: true }));
      await click(part(el, 'button.export-button'), el);
      await progressed;
      await el.updateComplete;
      await click(part(el, 'button.export-cancel'), el);
      await until(() => !status(el)!.classList.contains('running'));
      await new Promise((r) => setTimeout(r, 200));
    } finally {
      cap.restore();
    }
    expect(status(el)!.className).to.contain('cancelled');
    expect(status(el)!.textContent).to.equal('cancelled');
    expect(cap.downloads).to.deep.equal([]);
    expect(done).to.deep.equal([]);
    expect(viewer.exporting).to.equal(0);
  });
});
