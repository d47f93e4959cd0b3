// The demo page under the strict Content-Security-Policy a hospital page may impose (STRICT_CSP in
// scripts/repo-server.ts: no 'unsafe-eval', no 'unsafe-inline', only 'wasm-unsafe-eval'), in Debian's
// Chromium. Fails on any violation, however it is seen: a report the browser posts to the server
// (report-uri; the only way violations inside workers surface), a `securitypolicyviolation` event
// in the page, or a "Refused to ..." console message. Along the way: the MR sample (DICOM JPEG
// Lossless, an emscripten codec in the DICOM worker) and the satellite COG are enhanced on WASM
// under the watermark, and DICOM and GeoTIFF fixtures that need each codec package are opened
// through the file picker and displayed.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, startRepoServer, STRICT_CSP, type RepoServer } from '../scripts/repo-server.ts';

type Viewer = HTMLElement & {
  info?: { format: string; width: number; height: number };
  provenance?: { modelId: string; backends: Record<string, number> };
  watermark?: { lines: string[] };
};

/** What the init script records in the page. */
interface PageLog {
  violations: Array<{ directive: string; blocked: string; source: string; line: number; sample: string }>;
  loaded: string[];
  errors: string[];
}

let server: RepoServer;
let browser: Browser;
let page: Page;
const reports: unknown[] = [];
const consoleViolations: string[] = [];

before(async () => {
  server = await startRepoServer(0, { csp: STRICT_CSP, onCspReport: (r) => reports.push(r) });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
  // Chromium's own message names the policy; the per-instance hash it suggests is dropped
  const fromConsole = (where: string) => (m: { text(): string }) => {
    if (/Content Security Policy|Refused to/i.test(m.text()))
      consoleViolations.push(`${where}: ${m.text().replace(/'sha256-[^']*'/g, "'sha256-…'")}`);
  };
  page.on('console', fromConsole('console'));
  page.on('worker', (w) => w.on('console', fromConsole('worker console')));
  // injected by the driver (not subject to the page's CSP): listen before any page script runs
  await page.addInitScript(() => {
    const log: PageLog = { violations: [], loaded: [], errors: [] };
    Object.assign(globalThis, { cspLog: log });
    document.addEventListener('securitypolicyviolation', (e) =>
      log.violations.push({
        directive: e.effectiveDirective,
        blocked: e.blockedURI,
        source: e.sourceFile,
        line: e.lineNumber,
        sample: e.sample,
      }),
    );
    document.addEventListener('sr-image-loaded', (e) => {
      const info = (e as CustomEvent<{ info: { format: string; width: number; height: number } }>).detail
        .info;
      log.loaded.push(`${info.format} ${info.width}x${info.height}`);
    });
    document.addEventListener('sr-error', (e) => {
      const d = (e as CustomEvent<{ code: string; message: string }>).detail;
      log.errors.push(`${d.code}: ${d.message}`);
    });
  });
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

const pageLog = () => page.evaluate(() => (globalThis as unknown as { cspLog: PageLog }).cspLog);

/** Waits until the viewer shows `modelId`'s enhanced tiles on WASM under the watermark. */
async function enhancedOnWasm(modelId: string, format: string): Promise<void> {
  // also stops at the first error, so a failure says why instead of timing out
  await page.waitForFunction(
    (id) => {
      const v = document.getElementById('viewer') as Viewer;
      const log = (globalThis as unknown as { cspLog: PageLog }).cspLog;
      const done = v.provenance?.modelId === id && (v.provenance.backends.wasm ?? 0) > 0;
      return done || log.errors.length > 0;
    },
    modelId,
    { timeout: 180_000 },
  );
  const s = await page.evaluate(() => {
    const v = document.getElementById('viewer') as Viewer;
    return { format: v.info?.format, watermark: v.watermark?.lines.join(' ') };
  });
  const log = await pageLog();
  assert.deepEqual([log.errors, await violations()], [[], []], `${modelId}: errors, violations`);
  assert.equal(s.format, format);
  assert.match(s.watermark ?? '', /AI-enhanced/);
}

/** Opens a fixture through the picker and waits until the viewer displays it. */
async function openThroughPicker(file: string): Promise<void> {
  const before = (await pageLog()).loaded.length;
  await page.locator('#file').setInputFiles(file);
  await page.waitForFunction(
    (n) => {
      const log = (globalThis as unknown as { cspLog: PageLog }).cspLog;
      return log.loaded.length > n || log.errors.length > 0;
    },
    before,
    { timeout: 60_000 },
  );
  const log = await pageLog();
  assert.deepEqual([log.errors, await violations()], [[], []], `${file}: errors, violations`);
}

/** Every distinct violation seen so far, from all three sources, with how often it was seen. */
async function violations(): Promise<string[]> {
  const seen = new Map<string, number>();
  const add = (v: unknown) => {
    const key = typeof v === 'string' ? v : JSON.stringify(v);
    seen.set(key, (seen.get(key) ?? 0) + 1);
  };
  reports.forEach(add);
  (await pageLog()).violations.forEach(add);
  consoleViolations.forEach(add);
  return [...seen].map(([k, n]) => (n > 1 ? `${n}x ${k}` : k));
}

test('the detectors see a deliberate violation in the page and in a worker', async () => {
  await page.goto(`${server.origin}/demo/index.html?enhance=0`);
  await page.evaluate(() => {
    // connect-src 'self' refuses data: URLs, in the page and in a worker (which inherits the policy)
    void fetch('data:text/plain,page').catch(() => undefined);
    const code = "fetch('data:text/plain,worker').catch(() => undefined);";
    new Worker(URL.createObjectURL(new Blob([code], { type: 'text/javascript' })));
  });
  const seen = async () => ({
    page: (await pageLog()).violations.filter((v) => v.directive === 'connect-src').length,
    reports: reports.map((r) => JSON.stringify(r)).filter((r) => r.includes('data')).length,
  });
  for (let i = 0; i < 50 && (await seen()).reports < 2; i++) await new Promise((r) => setTimeout(r, 100));
  const s = await seen();
  assert.ok(s.page >= 1, `securitypolicyviolation in the page: ${JSON.stringify(s)}`);
  assert.ok(s.reports >= 2, `report-uri reports from page and worker: ${JSON.stringify(reports)}`);
  // start the real test from a clean slate
  reports.length = 0;
  consoleViolations.length = 0;
});

test('the demo page works under the strict CSP with no violation', async () => {
  const r = await fetch(`${server.origin}/demo/index.html`);
  assert.match(r.headers.get('content-security-policy') ?? '', /script-src 'self' 'wasm-unsafe-eval'/);

  // the MR sample: DICOM JPEG Lossless (dicom-parser and our own lossless JPEG in the DICOM worker)
  await page.goto(`${server.origin}/demo/index.html?backend=wasm`);
  await enhancedOnWasm('medical-x2', 'dicom');
  assert.deepEqual(await violations(), [], 'after the MR sample');

  // the satellite COG: geotiff.js in the shared decoder pool (module workers)
  await page.locator('input[name="sample"][value="satellite"]').check();
  await enhancedOnWasm('satellite-x2', 'geotiff');
  assert.deepEqual(await violations(), [], 'after the satellite sample');

  // decoding only from here on: each fixture needs another codec package
  await page.evaluate(() => document.getElementById('viewer')!.removeAttribute('enhance'));
  for (const f of [
    'fixtures/dicom/mr384_12bit_jpegls_lossless_charls.dcm', // CharLS
    'fixtures/dicom/mr384_12bit_j2k_lossless.dcm', // OpenJPEG
    'fixtures/dicom/ct512_jpeg_baseline_8bit.dcm', // libjpeg-turbo
    'fixtures/dicom/mr384_12bit_rle.dcm', // our own RLE
    'fixtures/dicom/ot512_8bit_deflated.dcm', // pako
    'fixtures/geotiff/u16_rgb_lerc_zstd.tif', // lerc + zstddec
    'fixtures/geotiff/u8_rgb_webp_lossless_tiled.tif', // @jsquash/webp
    'fixtures/geotiff/u16_rgb_lzma.tif', // xz-decompress
  ]) {
    await openThroughPicker(f);
    assert.deepEqual(await violations(), [], `after ${f}`);
  }
  // report-uri reports are posted asynchronously: give late ones a moment to arrive
  await new Promise((r) => setTimeout(r, 2000));
  assert.deepEqual(await violations(), []);
});
