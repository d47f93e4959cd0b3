/**
 * The HTML report in a real browser (Debian Chromium via playwright-core): it renders (screenshot not
 * blank, every thumbnail decodes, the summary table shows the JSON's numbers), needs no network, and
 * prints to PDF.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { upsample } from '../baselines.ts';
import { evaluate } from '../evaluate.ts';
import type { Plane } from '../image.ts';
import { pythonHas, runPython } from '../testing/python.ts';
import { randomImage, rng } from '../testing/random.ts';
import { reportFor } from '../testing/report.ts';
import { imageFigures } from './figures.ts';
import { reportToHtml } from './html.ts';
import type { ValidationReport } from './schema.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

async function sampleReport(): Promise<{ report: ValidationReport; html: string }> {
  const w = 192;
  const h = 160;
  const gt: Plane = { width: w, height: h, data: randomImage(w, h, 5, 0.1).map((v) => v * 4095) };
  const r = rng(1);
  // a stand-in "model": Lanczos plus a little noise, so it differs from every baseline
  const enhance = async (lr: Plane) => {
    const up = upsample(lr, 2, 'lanczos3');
    return { ...up, data: up.data.map((v) => v + (r() - 0.5) * 40) };
  };
  const ev = await evaluate(gt, {
    scale: 2,
    degradation: 'torch',
    dataRange: 4095,
    shave: 2,
    enhance,
    keepPlanes: true,
  });
  const dataRange = { value: 4095, rule: 'bits-stored' as const, detail: '2^12 - 1' };
  const report = reportFor(ev, {
    file: 'synthetic<&>.dcm',
    dataRange,
    tileSize: 64,
    provenance: { tilesr_version: 'test', created_at: new Date().toISOString(), runtime: 'node', inputs: [] },
    errors: [{ file: 'broken.dcm', code: 'TRUNCATED', message: 'ends early' }],
  });
  return { report, html: reportToHtml(report, [imageFigures(ev, 4095)]) };
}

test('the HTML report renders in Chromium, shows the summary numbers, and prints to PDF', async (t) => {
  if (!existsSync(CHROMIUM)) return t.skip(`${CHROMIUM} is absent (apt-get install chromium)`);
  const { chromium } = await import('playwright-core');
  const { report, html } = await sampleReport();
  assert.doesNotMatch(html, /(src|href)="(https?:)?\/\//, 'no network references');
  const dir = mkdtempSync(join(tmpdir(), 'tilesr-html-'));
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  try {
    const file = join(dir, 'report.html');
    writeFileSync(file, html);
    const page = await browser.newPage({ viewport: { width: 1100, height: 1400 } });
    const requests: string[] = [];
    page.on('request', (req) => requests.push(req.url()));
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    assert.deepEqual(
      requests.filter((u) => !u.startsWith('file:') && !u.startsWith('data:')),
      [],
      'the report fetched nothing',
    );
    // every thumbnail decoded
    const imgs = await page.$$eval('img', (els) => els.map((e) => (e as HTMLImageElement).naturalWidth));
    assert.equal(imgs.length, 4);
    assert.ok(imgs.every((n) => n > 0));
    assert.ok((await page.$$('svg rect')).length > 20, 'heat maps and bars drawn');
    // the summary table shows the report's numbers
    const summary = await page.textContent('#summary');
    for (const m of ['nearest', 'bilinear', 'bicubic', 'lanczos3', 'model']) {
      const psnr = report.summary[m as 'model']?.psnr;
      assert.ok(psnr !== null && psnr !== undefined);
      assert.ok(summary?.includes(psnr.toFixed(2)), `${m} PSNR ${psnr.toFixed(2)} in the table`);
    }
    assert.ok(
      (await page.textContent('body'))?.includes('synthetic<&>.dcm'),
      'file names escaped, not parsed',
    );
    const shot = join(dir, 'shot.png');
    await page.screenshot({ path: shot, fullPage: true });
    if (pythonHas('numpy', 'PIL')) {
      const { json } = runPython<{ std: number; dark: number }>(
        `import json, numpy as np\nfrom PIL import Image\na = np.asarray(Image.open('${shot}').convert('L'), dtype=float)\nprint(json.dumps({'std': a.std(), 'dark': float((a < 128).mean())}))`,
      );
      t.diagnostic(`screenshot grey std ${json.std.toFixed(1)}, dark share ${json.dark.toFixed(3)}`);
      assert.ok(json.std > 10 && json.dark > 0.01, 'screenshot is not blank');
    } else t.diagnostic('PIL missing: screenshot pixel statistics skipped');
    await page.emulateMedia({ media: 'print' });
    const pdf = await page.pdf({ format: 'A4', printBackground: true });
    assert.equal(Buffer.from(pdf.subarray(0, 5)).toString('latin1'), '%PDF-');
    const pages = (
      Buffer.from(pdf)
        .toString('latin1')
        .match(/\/Type\s*\/Page[^s]/g) ?? []
    ).length;
    t.diagnostic(`PDF ${pdf.length} bytes, ${pages} page(s)`);
    assert.ok(pages >= 1);
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
