/**
 * `npm run screenshots`: starts the demo server, drives Debian's Chromium with playwright-core and
 * writes docs/screenshots/{plain,enhanced,compare,report}.png (the README shows them). WASM backend,
 * the MR sample; each shot waits for the state it shows (enhanced: the viewer's sr-provenance).
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
    for (const n of ['plain', 'enhanced', 'compare', 'report'])
      console.log(join('docs', 'screenshots', `${n}.png`));
  } finally {
    await browser.close();
    await server.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
