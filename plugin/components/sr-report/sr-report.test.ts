// <sr-report> in Chromium with a real report: a 176x176 MR crop degraded, enhanced by medical-x2 on
// WASM and measured with validation/ functions; the element must show those numbers as the HTML
// report rounds them, the model's bar beside the baselines, and load the same JSON from a URL.
import { expect } from '@esm-bundle/chai';
import { getModel } from '../../../models/registry.ts';
import { METHODS, reportToHtml, reportToJson } from '../../../validation/index.ts';
import { realReport } from '../testing/data.ts';
import { cleanup, mount, part } from '../testing/dom.ts';
import { fmt } from './sr-report.component.ts';
import './sr-report.ts';

const cells = (row: Element) => [...row.querySelectorAll('td')].map((td) => td.textContent!.trim());

describe('<sr-report>', function () {
  this.timeout(120_000);
  afterEach(cleanup);

  it('renders the summary of a real report with the HTML report rounding', async () => {
    const { report } = await realReport();
    expect(report.images).to.have.length(1);
    const el = await mount('sr-report');
    el.report = report;
    await el.updateComplete;
    const rows = [...el.shadowRoot!.querySelectorAll('table.summary tbody tr')];
    expect(rows.map((r) => r.getAttribute('data-method'))).to.deep.equal([...METHODS]);
    const html = reportToHtml(report);
    for (const row of rows) {
      const s = report.summary[row.getAttribute('data-method') as (typeof METHODS)[number]]!;
      const expected = [
        row.getAttribute('data-method')!,
        String(s.n),
        fmt(s.psnr, 2),
        fmt(s.ssim, 4),
        fmt(s.ms_ssim, 4),
        fmt(s.consistency_psnr, 2),
      ];
      expect(cells(row)).to.deep.equal(expected);
      // the same strings the self-contained HTML report prints
      expect(html).to.contain(`<td>${expected.slice(2).join('</td><td>')}</td>`);
    }
    const model = report.summary.model!;
    expect(model.psnr).to.be.a('number');
    expect(model.ms_ssim).to.be.a('number', 'crop is large enough for MS-SSIM');
    expect(model.psnr!).to.be.greaterThan(report.summary.bicubic!.psnr!, 'fidelity model beats bicubic');
    expect(part(el, '.sha').textContent).to.contain(getModel('medical-x2').sha256);
    expect(part(el, '.no-errors').textContent).to.equal('No errors.');
    expect(part(el, 'table.inputs').textContent).to.contain(report.provenance.inputs[0]!.sha256);
  });

  it('draws per-image bars: the model longest when it has the best PSNR', async () => {
    const { report } = await realReport();
    const el = await mount('sr-report');
    el.report = report;
    await el.updateComplete;
    const width = (m: string) => parseFloat(part(el, `.bar[data-method="${m}"]`).style.width);
    expect(width('model')).to.equal(100);
    expect(width('nearest')).to.be.lessThan(width('bicubic'));
    expect(part(el, '.bars').textContent).to.contain(`${fmt(report.images[0]!.methods.model!.psnr, 2)} dB`);
  });

  it('loads a report from `src`, lists its errors, and refuses JSON that is not a report', async () => {
    const { report } = await realReport();
    const withError = {
      ...report,
      errors: [{ file: 'broken.dcm', code: 'TRUNCATED', message: 'ends early' }],
    };
    const url = URL.createObjectURL(new Blob([reportToJson(withError)], { type: 'application/json' }));
    const el = await mount('sr-report', { src: url });
    for (let i = 0; i < 50 && !el.shown; i++) {
      await new Promise((r) => setTimeout(r, 20));
      await el.updateComplete;
    }
    expect(el.shown?.summary.model?.psnr).to.equal(report.summary.model?.psnr);
    expect(cells(part(el, 'table.errors tbody tr'))).to.deep.equal(['broken.dcm', 'TRUNCATED', 'ends early']);
    el.src = URL.createObjectURL(new Blob(['{"schema":"other"}'], { type: 'application/json' }));
    for (let i = 0; i < 50 && !el.shadowRoot!.querySelector('[role=alert]'); i++) {
      await new Promise((r) => setTimeout(r, 20));
      await el.updateComplete;
    }
    expect(part(el, '[role=alert]').textContent).to.contain('not a tilesr.validation/1 report');
  });

  it('warns for a perceptual model report', async () => {
    const { report } = await realReport();
    const el = await mount('sr-report');
    el.report = { ...report, model: { ...report.model!, variant: 'perceptual', perceptual: true } };
    await el.updateComplete;
    expect(part(el, '.warn').textContent).to.contain('Not for measurement or diagnosis');
  });
});
