// demo/cs3d.html against a real PACS, in Debian's Chromium: Orthanc (DICOMweb plugin, HTTP Basic
// auth) holds the bundled CT series; `npm run demo` with DICOMWEB_PROXY makes it same-origin.
// `?study=&series=` sets <sr-stack-viewer>'s dicomweb-root/study-uid/series-uid: without credentials
// the PACS refuses (sr-error DICOMWEB_AUTH on the page); `openDicomWeb` with an Authorization header
// lists the instances (WADO-RS metadata), shows them in position order (instances retrieved and
// decoded by formats/ through the tilesr: loader) and enhances the zoomed view. The page's file
// picker opens the series from shuffled files.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { anyFreePort, launchChromium } from '../scripts/repo-server.ts';
import { orthancMissing, startOrthanc, type Orthanc } from '../test/testing/orthanc.ts';

const CT = ['I130', 'I250', 'I470', 'I690', 'I900'].map(
  (n) => `demo/samples/ct-series/S21570_S2030_${n}.dcm`,
);
const STUDY = '1.3.46.670589.33.1.27492712521914879309.27169771283235650014';
const SERIES = '1.3.46.670589.33.1.18734725841080964938.23067202722091553970';
const skip = orthancMissing();

type StackEl = HTMLElement & {
  count: number;
  index: number;
  enhance: boolean;
  enhanceStatus: string;
  provenance?: { modelId: string };
  info?: { header: { metadata: Record<string, unknown> } };
  series: { names: string[]; orderedBy: string }[];
  zoomBy(f: number): void;
  showSlice(i: number): Promise<void>;
  openDicomWeb(s: {
    root: string;
    study: string;
    series: string;
    headers?: Record<string, string>;
  }): Promise<{
    names: string[];
    orderedBy: string;
  }>;
};

let pacs: Orthanc | undefined;
let demo: ChildProcess | undefined;
let browser: Browser | undefined;
let page: Page;
let origin = '';
/** The page's errors and console errors, printed when a wait times out. */
const logs: string[] = [];

/** Runs `wait`; on failure rethrows with what the page logged. */
async function withLogs<T>(wait: Promise<T>): Promise<T> {
  try {
    return await wait;
  } catch (e) {
    throw new Error(`${(e as Error).message}\npage log:\n${logs.join('\n')}`, { cause: e });
  }
}

async function startDemo(proxy: string): Promise<string> {
  const port = await anyFreePort();
  const child = spawn('npm', ['run', 'demo'], {
    env: { ...process.env, PORT: String(port), DICOMWEB_PROXY: proxy },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  demo = child;
  let out = '';
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm run demo printed no URL in 60 s:\n${out}`)), 60_000);
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /(http:\/\/127\.0\.0\.1:\d+)\/demo\/index\.html/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once('exit', (code) => reject(new Error(`npm run demo exited (${code}):\n${out}`)));
  });
}

before(async () => {
  if (skip) return;
  pacs = await startOrthanc({ users: { alice: 'pw-not-logged' } });
  await pacs.upload(CT);
  origin = await startDemo(pacs.dicomweb);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 900, height: 700 } });
  page.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') logs.push(`${m.type()}: ${m.text()}`);
  });
});
after(async () => {
  await browser?.close();
  if (demo?.pid !== undefined && demo.exitCode === null) {
    process.kill(-demo.pid, 'SIGTERM');
    await once(demo, 'exit');
  }
  await pacs?.stop();
});

test(
  'a DICOMweb series: refused without credentials, shown sorted and enhanced with them',
  { skip },
  async () => {
    await page.goto(`${origin}/demo/cs3d.html?backend=wasm&study=${STUDY}&series=${SERIES}`);
    // the attributes path, without an Authorization header: Orthanc answers 401
    await withLogs(page.locator('#error').filter({ hasText: 'DICOMWEB_AUTH' }).waitFor({ timeout: 60_000 }));
    const auth = pacs?.auth ?? {};
    const opened = await page.evaluate(
      async ([study, series, headers]) => {
        const el = document.getElementById('viewer') as StackEl;
        const s = await el.openDicomWeb({ root: '/dicomweb', study, series, headers });
        return {
          names: s.names,
          orderedBy: s.orderedBy,
          count: el.count,
          instance: el.info?.header.metadata['InstanceNumber'],
        };
      },
      [STUDY, SERIES, auth] as const,
    );
    assert.equal(opened.orderedBy, 'position');
    assert.equal(opened.names.length, 5);
    assert.equal(opened.count, 5);
    assert.equal(opened.instance, '13', 'the first slice by position is instance 13');
    const last = await page.evaluate(async () => {
      const el = document.getElementById('viewer') as StackEl;
      await el.showSlice(4);
      await new Promise((r) => setTimeout(r, 0));
      for (let i = 0; i < 200 && el.info?.header.metadata['InstanceNumber'] !== '90'; i++)
        await new Promise((r) => setTimeout(r, 50));
      return el.info?.header.metadata['InstanceNumber'];
    });
    assert.equal(last, '90');
    await page.evaluate(() => (document.getElementById('viewer') as StackEl).zoomBy(16));
    await page.waitForFunction(
      () => {
        const el = document.getElementById('viewer') as StackEl;
        return el.enhanceStatus === 'done' && el.provenance?.modelId === 'medical-x2';
      },
      undefined,
      { timeout: 90_000 },
    );
  },
);

test("the page's file picker opens shuffled files as one series in position order", { skip }, async () => {
  await page.goto(`${origin}/demo/cs3d.html?backend=wasm`);
  await withLogs(page.waitForFunction(() => (document.getElementById('viewer') as StackEl).count === 5));
  await page.locator('#files').setInputFiles([CT[2], CT[4], CT[0], CT[3], CT[1]] as string[]);
  await page.waitForFunction(() => (document.getElementById('viewer') as StackEl).series.length === 1);
  const s = await page.evaluate(() => (document.getElementById('viewer') as StackEl).series[0]);
  assert.deepEqual(
    s?.names,
    CT.map((f) => f.split('/').pop()),
  );
});
