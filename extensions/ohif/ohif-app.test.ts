/**
 * The extension inside the real, prebuilt OHIF Viewer (@ohif/app 3.13.2 from the npm registry,
 * sha512 checked by scripts/ohif-app.mjs), loaded at run time as a deployment would add it: the
 * runtime bundle (scripts/ohif-extension.mjs) listed by URL in app-config.js, using OHIF's own
 * React and Cornerstone3D. Debian's Chromium opens the bundled CT series through OHIF's DICOM JSON
 * data source, the test clicks OHIF's toolbar toggle and checks what a radiologist sees: every
 * visible tile enhanced (N/N), the "AI-enhanced" mark on the viewport, the provenance panel, and no
 * page error. A second load with `window.cornerstoneTools` withheld checks the loud failure.
 * The faked-services test (ohif.browser.test.ts) stays the fast unit test.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, ROOT } from '../../scripts/repo-server.ts';
import { WATERMARK_COLORS } from '../../plugin/watermark/viewport.ts';
import { startOhifAppServer, type OhifAppServer } from './testing/ohif-app-server.ts';

const { ensureOhifApp } = (await import(join(ROOT, 'scripts/ohif-app.mjs'))) as {
  ensureOhifApp(): string;
};
const { buildOhifExtension } = (await import(join(ROOT, 'scripts/ohif-extension.mjs'))) as {
  buildOhifExtension(out: string): Promise<string>;
};

/** Opens the study; collects page errors and console errors. */
async function open(browser: Browser, server: OhifAppServer, init?: string) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const pageErrors: string[] = [];
  const consoleErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  if (init) await page.addInitScript(init);
  await page.goto(server.studyUrl);
  return { page, pageErrors, consoleErrors };
}

/** The OHIF viewport's Cornerstone3D image id, once the stack shows an image. */
function shownImage(page: Page): Promise<string> {
  return page
    .waitForFunction(
      () => {
        const w = window as unknown as {
          cornerstone?: {
            getRenderingEngines(): Array<{ getViewports(): Array<{ getCurrentImageId?(): string }> }>;
          };
        };
        return w.cornerstone?.getRenderingEngines()[0]?.getViewports()[0]?.getCurrentImageId?.() ?? false;
      },
      undefined,
      { timeout: 120_000 },
    )
    .then((h) => h.jsonValue() as Promise<string>);
}

describe('the extension in the real OHIF app (@ohif/app 3.13.2)', { timeout: 600_000 }, () => {
  let server: OhifAppServer;
  let browser: Browser;

  before(async () => {
    const appDir = ensureOhifApp();
    const extDir = await buildOhifExtension(join(ROOT, 'build/ohif-extension'));
    server = await startOhifAppServer(appDir, extDir);
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('loads by URL, toggles from the toolbar: N/N tiles, the mark, provenance, no page error', async () => {
    const { page, pageErrors, consoleErrors } = await open(browser, server);
    const imageId = await shownImage(page);
    assert.match(imageId, /^dicomweb:.*\/ct\/.*\.dcm$/, 'OHIF shows the CT through its own loader');
    // registered by OHIF's ExtensionManager from the URL in app-config.js
    const ids = await page.evaluate(
      () =>
        (window as unknown as { extensionManager: { registeredExtensionIds: string[] } }).extensionManager
          .registeredExtensionIds,
    );
    assert.ok(ids.includes('@tilesr/extension-ohif'), `registered: ${ids.join(', ')}`);
    // the panel (OHIF's React rendered our component) is bound before the toggle
    await page.waitForFunction(() => !!document.querySelector('sr-provenance[for="tilesr-ohif-viewer"]'));

    // zoomed in (what the Zoom tool on the right mouse button does): 4x4 of the 8x8 tiles in view,
    // which keeps WASM inference on the CI's two cores within the test's time
    await page.evaluate(() => {
      const w = window as unknown as {
        cornerstone: {
          getRenderingEngines(): Array<{
            getViewports(): Array<{ setZoom(z: number): void; render(): void }>;
          }>;
        };
      };
      const vp = w.cornerstone.getRenderingEngines()[0]?.getViewports()[0];
      vp?.setZoom(3);
      vp?.render();
    });
    // OHIF's own toolbar button: toggleEnabledDisabledToolbar switches the TilesrEnhance tool
    await page.locator('[data-cy="TilesrEnhance"]').first().click();

    const progressText = () =>
      page.evaluate(
        () => document.querySelector('sr-progress')?.shadowRoot?.textContent?.replace(/\s+/g, ' ') ?? '',
      );
    const done = await page.waitForFunction(
      () => {
        const t = document.querySelector('sr-progress')?.shadowRoot?.textContent?.replace(/\s+/g, ' ') ?? '';
        const m = /(\d+) \/ (\d+) tiles/.exec(t);
        return m && Number(m[2]) > 0 && m[1] === m[2] ? [Number(m[1]), Number(m[2])] : false;
      },
      undefined,
      { timeout: 240_000, polling: 500 },
    );
    const [n, total] = (await done.jsonValue()) as [number, number];
    assert.equal(n, total, await progressText());

    // the engine and the mark, read from the very module OHIF imported (same URL, same instance)
    const state = await page.evaluate(
      async (text) => {
        const url = '/tilesr-ohif/index.js';
        const mod = (await import(url)) as {
          default: {
            inner?: {
              runtime?: {
                enhancements: Map<
                  string,
                  {
                    engine: { lastDrawn: unknown[] };
                    adapter: {
                      overlay: HTMLCanvasElement;
                      lastDrawn: { watermark?: { x: number; y: number; width: number; height: number } };
                    };
                  }
                >;
              };
            };
          };
        };
        const [viewportId, live] = [...(mod.default.inner?.runtime?.enhancements ?? new Map())][0] ?? [];
        const box = live?.adapter.lastDrawn.watermark;
        let markPixels = 0;
        if (live && box) {
          const ctx = live.adapter.overlay.getContext('2d');
          const d =
            ctx?.getImageData(box.x, box.y, Math.max(1, box.width), Math.max(1, box.height)).data ?? [];
          for (let i = 0; i < d.length; i += 4)
            if (
              Math.abs((d[i] ?? 0) - (text[0] ?? 0)) +
                Math.abs((d[i + 1] ?? 0) - (text[1] ?? 0)) +
                Math.abs((d[i + 2] ?? 0) - (text[2] ?? 0)) <
              60
            )
              markPixels++;
        }
        const provenance = document.querySelector('sr-provenance')?.shadowRoot;
        return {
          viewportId,
          drawn: live?.engine.lastDrawn.length ?? 0,
          layerShown: !!live?.adapter.overlay.isConnected,
          markPixels,
          model: provenance?.querySelector('.model')?.textContent ?? '',
          provenanceText: provenance?.textContent?.replace(/\s+/g, ' ').slice(0, 400) ?? '',
        };
      },
      WATERMARK_COLORS.text as unknown as number[],
    );
    assert.equal(state.viewportId, 'default');
    // progress counts the visible cells and the prefetch ring; the visible ones are drawn
    assert.ok(state.drawn > 0 && state.drawn <= total, `visible tiles drawn: ${state.drawn} of ${total}`);
    assert.ok(state.layerShown, 'the layer is on the viewport');
    assert.ok(state.markPixels > 20, `the mark's text is drawn (${state.markPixels} px)`);
    assert.equal(state.model, 'medical-x2', state.provenanceText);
    await page.screenshot({ path: join(ROOT, 'build/ohif-app-enhanced.png') });

    assert.deepEqual(pageErrors, [], 'no page error');
    assert.deepEqual(
      consoleErrors.filter((e) => /tilesr/i.test(e)),
      [],
      'no tilesr error in the console',
    );
    console.log(
      `real OHIF: ${n}/${total} tiles (${state.drawn} visible drawn), mark ${state.markPixels} px, provenance ${state.model}`,
    );
    await page.close();
  });

  it('a host without window.cornerstoneTools: HOST_INCOMPATIBLE in the console and the panel', async () => {
    // OHIF's assignment of the global is swallowed, as in an app built without it
    const init = `Object.defineProperty(window, 'cornerstoneTools', { get: () => undefined, set: () => {} });`;
    const { page, pageErrors, consoleErrors } = await open(browser, server, init);
    await shownImage(page);
    await page.waitForFunction(() => /HOST_INCOMPATIBLE/.test(document.body.textContent ?? ''), undefined, {
      timeout: 60_000,
    });
    const panelText = await page.evaluate(() => document.body.textContent ?? '');
    assert.match(panelText, /tilesr HOST_INCOMPATIBLE: .*window\.cornerstoneTools/);
    assert.ok(
      consoleErrors.some((e) => /tilesr HOST_INCOMPATIBLE/.test(e)),
      `console: ${consoleErrors.join(' | ').slice(0, 500)}`,
    );
    assert.deepEqual(pageErrors, [], 'the app keeps running');
    await page.close();
  });
});
