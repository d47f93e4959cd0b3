// A clean console on the three demo pages (issue 20 #15), in Debian's Chromium: each page is loaded,
// zoomed in and enhanced on WASM (the index page also steps to another frame), and the test fails on
// any console error or warning of the page or its workers, any uncaught page error, any failed
// request, and a page without an icon link that loads (headless Chromium does not ask for
// /favicon.ico, a desktop one does, and logs its 404).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, ConsoleMessage, Page } from 'playwright-core';
import { launchChromium, startRepoServer, type RepoServer } from '../scripts/repo-server.ts';

let server: RepoServer;
let browser: Browser;

before(async () => {
  server = await startRepoServer();
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

/** Opens `path` in a fresh page and records what a user's console would show. */
async function watch(path: string): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
  const problems: string[] = [];
  const onConsole = (where: string) => (m: ConsoleMessage) => {
    if (m.type() === 'error' || m.type() === 'warning')
      problems.push(`${where} ${m.type()}: ${m.text()} (${m.location().url}:${m.location().lineNumber})`);
  };
  page.on('console', onConsole('page'));
  page.on('worker', (w) => w.on('console', onConsole('worker')));
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()} ${r.url()}`);
  });
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
  await page.goto(`${server.origin}${path}`);
  const icon = await page.evaluate(async () => {
    const href = document.querySelector<HTMLLinkElement>('link[rel~="icon"]')?.href;
    return href ? `${(await fetch(href)).status} ${href}` : 'none';
  });
  if (!icon.startsWith('200 ')) problems.push(`icon link: ${icon} (the browser asks for /favicon.ico: 404)`);
  return { page, problems };
}

/**
 * Runs `steps` on the page, then fails with every problem seen (also when a step timed out) but
 * those `ignore` matches (each ignored kind has its own todo test).
 */
async function clean(path: string, steps: (page: Page) => Promise<void>, ignore?: RegExp): Promise<void> {
  const { page, problems } = await watch(path);
  let failed: unknown;
  try {
    await steps(page);
  } catch (e) {
    failed = e;
  }
  await page.close();
  assert.deepEqual(
    problems.filter((p) => !ignore?.test(p)),
    [],
    `console of ${path}`,
  );
  if (failed) throw failed;
}

/** Waits until the element `id` has provenance (enhanced tiles shown) or an error line shows. */
async function enhanced(page: Page, id: string): Promise<void> {
  await page.waitForFunction(
    (el) => {
      const v = document.getElementById(el) as (HTMLElement & { provenance?: unknown }) | null;
      const err = document.getElementById('error');
      return !!v?.provenance || (err !== null && !err.hidden);
    },
    id,
    { timeout: 180_000 },
  );
  // a few more frames: warnings of later renders (readbacks, GPU stalls) show too
  await page.waitForTimeout(1500);
}

test('index page: the MR sample and the 10-frame MR, zoomed, enhanced, frames stepped: no console error or warning', () =>
  clean('/demo/index.html?backend=wasm', async (page) => {
    await enhanced(page, 'viewer');
    await page.locator('#file').setInputFiles('fixtures/dicom/mr64_10frame_12bit_rle.dcm');
    await page.waitForFunction(
      () =>
        (document.getElementById('viewer') as HTMLElement & { info?: { frames: number } }).info?.frames ===
        10,
    );
    await page.locator('#viewer').focus();
    for (let i = 0; i < 3; i++) await page.keyboard.press('PageDown');
    await page.waitForFunction(
      () => {
        const v = document.getElementById('viewer') as HTMLElement & {
          info?: { frame: number };
          provenance?: { frame: number };
        };
        return v.info?.frame === 3 && v.provenance?.frame === 3;
      },
      undefined,
      { timeout: 180_000 },
    );
    await page.waitForTimeout(1500);
  }));

test('Cornerstone3D page: enhanced on WASM with no console error or warning', () =>
  clean('/demo/cs3d.html?backend=wasm', async (page) => {
    await page.waitForFunction(
      () => (document.getElementById('viewer') as HTMLElement & { info?: unknown }).info,
    );
    await page.locator('#zoom-in').click();
    await enhanced(page, 'viewer');
  }));

/** The map page zoomed past native and enhanced on WASM. */
async function mapEnhanced(page: Page): Promise<void> {
  await page.waitForFunction(() => document.querySelector('#map canvas'));
  await page.locator('#zoom-in').click();
  await page.waitForFunction(
    () => !!(document.querySelector('sr-provenance') as HTMLElement & { provenance?: unknown }).provenance,
    undefined,
    { timeout: 180_000 },
  );
}

/** Chromium's warning for WebGL readbacks (the todo test below). */
const READ_PIXELS = /GPU stall due to ReadPixels/;

test('map page: the COG enhanced past native on WASM with no console error or warning (but ReadPixels)', () =>
  clean(
    '/demo/map.html?backend=wasm',
    async (page) => {
      await mapEnhanced(page);
      await page.waitForTimeout(1500);
    },
    READ_PIXELS,
  ));

// OpenLayers reads the WebGL layers back (getData: readPixels, the pixel readout among others), which
// Chromium reports as "GPU stall due to ReadPixels"; plugin/viewer/openlayers/ is being reworked by
// the map's owner: a todo until the map reads no pixels back from the GPU.
test(
  'map page: loading, enhancing and the pixel readout log no "GPU stall due to ReadPixels"',
  { todo: 'OpenLayers reads WebGL pixels back (plugin/viewer/openlayers/, the map owner)' },
  () =>
    clean('/demo/map.html?backend=wasm', async (page) => {
      await mapEnhanced(page);
      const box = (await page.locator('#map').boundingBox())!;
      for (let i = 1; i < 8; i++) await page.mouse.move(box.x + (box.width * i) / 8, box.y + box.height / 2);
      await page.waitForTimeout(1500);
    }),
);
