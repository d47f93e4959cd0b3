// The index page in one state (issue 20 #8), in Debian's Chromium: what the viewer shows is what
// every control acts on. Opening your own file unchecks the sample radios (and the MR radio opens the
// MR again); a bad file clears the viewer, and with it Export, the report and "Measure in this page".
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, startRepoServer, type RepoServer } from '../scripts/repo-server.ts';

let server: RepoServer;
let browser: Browser;
let page: Page;

before(async () => {
  server = await startRepoServer();
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

/** What the page's controls say. */
const controls = () =>
  page.evaluate(() => {
    const v = document.getElementById('viewer') as HTMLElement & {
      info?: { format: string; frames: number };
    };
    const prov = document.querySelector('sr-provenance')!;
    return {
      shown: v.info ? `${v.info.format} ${v.info.frames}` : 'nothing',
      checked: [...document.querySelectorAll<HTMLInputElement>('input[name="sample"]')]
        .filter((r) => r.checked)
        .map((r) => r.value),
      measure: !(document.getElementById('validate') as HTMLButtonElement).disabled,
      exportShown: prov.shadowRoot?.querySelector('.export') !== null,
      report: (document.getElementById('report') as HTMLElement & { src: string }).src,
    };
  });

/** Polls the controls until they say `want` (export formats arrive asynchronously), then compares. */
async function expectControls(want: Awaited<ReturnType<typeof controls>>): Promise<void> {
  let got = await controls();
  for (let i = 0; i < 100 && JSON.stringify(got) !== JSON.stringify(want); i++) {
    await page.waitForTimeout(200);
    got = await controls();
  }
  assert.deepEqual(got, want);
}

const shows = (what: string) =>
  page.waitForFunction((w) => {
    const v = document.getElementById('viewer') as HTMLElement & {
      info?: { format: string; frames: number };
    };
    return (v.info ? `${v.info.format} ${v.info.frames}` : 'nothing') === w;
  }, what);

test('own file, sample again, bad file: the radios, Measure, Export and the report follow what is shown', async () => {
  await page.goto(`${server.origin}/demo/index.html?enhance=0&backend=wasm`);
  await shows('dicom 1');
  await page.waitForFunction(() => !(document.getElementById('validate') as HTMLButtonElement).disabled);
  await expectControls({
    shown: 'dicom 1',
    checked: ['mr'],
    measure: true,
    exportShown: true,
    report: '/demo/samples/report-mr.json',
  });

  // your own file: no sample radio stays checked, the report is gone, Measure targets the file
  await page.locator('#file').setInputFiles('fixtures/dicom/mr64_10frame_12bit_rle.dcm');
  await shows('dicom 10');
  await expectControls({
    shown: 'dicom 10',
    checked: [],
    measure: true,
    exportShown: true,
    report: '',
  });
  assert.match(await page.locator('#validate-status').innerText(), /^mr64_10frame_12bit_rle\.dcm: use/);

  // the MR radio opens the MR again
  await page.locator('input[name="sample"][value="mr"]').check();
  await shows('dicom 1');
  assert.deepEqual((await controls()).checked, ['mr']);

  // a bad file clears the viewer: nothing shown, nothing to export or measure, the error says why
  const bad = join(tmpdir(), 'tilesr-not-an-image.dcm');
  writeFileSync(bad, 'not an image at all'.repeat(64));
  await page.locator('#file').setInputFiles(bad);
  await shows('nothing');
  await page.waitForFunction(() => !document.getElementById('error')!.hidden);
  await expectControls({
    shown: 'nothing',
    checked: [],
    measure: false,
    exportShown: false,
    report: '',
  });
  assert.match(await page.locator('#error').innerText(), /^[A-Z_]+: /);
  const blank = await page.evaluate(() => {
    const v = document.getElementById('viewer') as HTMLElement & { canvas?: HTMLCanvasElement };
    const c = v.canvas!;
    return !c
      .getContext('2d')!
      .getImageData(0, 0, c.width, c.height)
      .data.some((x) => x !== 0);
  });
  assert.equal(blank, true, 'the previous image is not left on screen');
});
