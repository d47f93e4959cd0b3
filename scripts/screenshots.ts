/**
 * `npm run screenshots`: starts the demo server, drives Debian's Chromium with playwright-core and
 * writes docs/screenshots/{plain,enhanced,compare,report,frames,cs3d,map}.png (the README shows them):
 * the index page's MR sample off, enhanced (zoomed in: the compact mark) and split, its report, the
 * 10-frame MR stepped to frame 4 (frame bar, whole-view frame), the Cornerstone3D page and the map
 * page, each zoomed in and enhanced. Each shot waits for the state it shows (sr-provenance).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { launchChromium, ROOT, startRepoServer } from './repo-server.ts';

/** What demo/main.ts exposes to scripts. */
export interface TilesrDemo {
  nextViewerEvent(type: string, withTiles?: boolean, timeoutMs?: number): Promise<number>;
}

const OUT = join(ROOT, 'docs', 'screenshots');

/**
 * Runs `action` and resolves when the viewer fires `type` (with enhanced tiles drawn, for
 * `sr-rendered` when `withTiles`); the listener is installed before the action runs.
 */
export async function viewerEvent(
  page: Page,
  type: string,
  action: () => Promise<unknown>,
  { withTiles = false, timeout = 180_000 } = {},
): Promise<void> {
  await page.evaluate(
    ([t, tiles, ms]) => {
      const g = globalThis as unknown as { __srWait?: Promise<number>; tilesrDemo: TilesrDemo };
      g.__srWait = g.tilesrDemo.nextViewerEvent(t, tiles, ms);
    },
    [type, withTiles, timeout] as const,
  );
  await action();
  await page.evaluate(() => (globalThis as unknown as { __srWait?: Promise<number> }).__srWait);
}

/** Opens the demo and waits until the sample is displayed and enhanced once. */
export async function openDemo(page: Page, origin: string): Promise<void> {
  page.on('pageerror', (e) => process.stderr.write(`[page error] ${e.message}\n`));
  await page.goto(`${origin}/demo/index.html`);
  await page.waitForFunction(
    () => (document.getElementById('viewer') as (HTMLElement & { provenance?: unknown }) | null)?.provenance,
    undefined,
    { timeout: 120_000 },
  );
}

/**
 * Waits until the element `selector` has provenance of what it shows now (of `frame` when given)
 * and one more paint.
 */
async function provenanceOn(page: Page, selector: string, frame?: number): Promise<void> {
  await page.waitForFunction(
    ([sel, f]) => {
      const el = document.querySelector(sel) as
        | (HTMLElement & { provenance?: { frame?: number; imageId?: string }; info?: { imageId: string } })
        | null;
      const p = el?.provenance;
      // with a frame: the provenance of that frame of the image shown (not of the previous file)
      if (!p || (f !== undefined && el.info && p.imageId !== el.info.imageId)) return false;
      return f === undefined || p.frame === f;
    },
    [selector, frame] as const,
    { timeout: 180_000 },
  );
  await page.waitForTimeout(500);
}

/** The Cornerstone3D and map pages, zoomed in and enhanced. */
async function otherPages(page: Page, origin: string): Promise<void> {
  await page.goto(`${origin}/demo/cs3d.html?backend=wasm`);
  await page.waitForFunction(
    () => (document.getElementById('viewer') as HTMLElement & { info?: unknown }).info,
  );
  await page.locator('#zoom-in').click();
  await provenanceOn(page, '#viewer');
  await page.locator('section.stage').screenshot({ path: join(OUT, 'cs3d.png') });
  await page.goto(`${origin}/demo/map.html?backend=wasm`);
  await page.waitForFunction(() => document.querySelector('#map canvas'));
  await page.locator('#zoom-in').click();
  await provenanceOn(page, 'sr-provenance');
  await page.locator('section.stage').screenshot({ path: join(OUT, 'map.png') });
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const server = await startRepoServer();
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1100, height: 820 } });
    await openDemo(page, server.origin);
    const stage = page.locator('section.stage');
    // through the control, as a user would
    const toggle = page.locator('sr-enhance-control button.switch');
    await viewerEvent(page, 'sr-rendered', () => toggle.click());
    await stage.screenshot({ path: join(OUT, 'plain.png') });
    await viewerEvent(page, 'sr-rendered', () => toggle.click(), { withTiles: true });
    // zoomed in (2 screen px per image px and more): the compact mark
    await viewerEvent(page, 'sr-rendered', () => page.locator('#zoom-in').click(), { withTiles: true });
    await stage.screenshot({ path: join(OUT, 'enhanced.png') });
    await viewerEvent(page, 'sr-rendered', () => page.locator('#compare').check(), { withTiles: true });
    await stage.screenshot({ path: join(OUT, 'compare.png') });
    const report = page.locator('section.validation');
    await page.waitForFunction(() => {
      const r = document.getElementById('report') as HTMLElement & { shown: unknown };
      return r.shown !== null;
    });
    await report.scrollIntoViewIfNeeded();
    await report.screenshot({ path: join(OUT, 'report.png') });
    // the 10-frame MR, four frames on with the keys: frame bar, compact mark, whole view enhanced
    await page.locator('#compare').uncheck();
    await page.locator('input[name="sample"][value="frames"]').check();
    await provenanceOn(page, '#viewer', 0);
    await page.locator('#viewer').focus();
    for (let i = 0; i < 4; i++) await page.keyboard.press('PageDown');
    await provenanceOn(page, '#viewer', 4);
    await stage.screenshot({ path: join(OUT, 'frames.png') });
    await otherPages(page, server.origin);
    for (const n of ['plain', 'enhanced', 'compare', 'report', 'frames', 'cs3d', 'map'])
      console.log(join('docs', 'screenshots', `${n}.png`));
  } finally {
    await browser.close();
    await server.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
