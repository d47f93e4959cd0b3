// The demo page end to end in Debian's Chromium, served by the README's own command (`npm run demo`,
// run here as a child process exactly as a user types it, with no environment variable beyond a
// port): /demo/index.html answers 200, the satellite sample opens on the page's default backend
// (`auto`) and is enhanced under the watermark (on WASM here, with auto's reason for skipping WebGPU
// shown in <sr-progress> and <sr-provenance>), a user's file opens through the picker, "Measure in
// this page" produces a report in <sr-report>, and no request leaves 127.0.0.1.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { anyFreePort, launchChromium } from '../scripts/repo-server.ts';

type Viewer = HTMLElement & {
  info?: { format: string };
  provenance?: {
    modelId: string;
    backends: Record<string, number>;
    fallbacks?: { from: string; to: string; reason: string }[];
  };
  watermark?: { lines: string[] };
};

let demo: ChildProcess;
let server: { origin: string };
let browser: Browser;
let page: Page;
const hosts = new Set<string>();

/** Starts `npm run demo` and resolves with the origin it prints. */
async function startDemo(): Promise<{ origin: string }> {
  const port = await anyFreePort();
  demo = spawn('npm', ['run', 'demo'], {
    env: { ...process.env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group, so the server under npm is stopped too
  });
  let out = '';
  demo.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm run demo printed no URL in 60 s:\n${out}`)), 60_000);
    demo.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /(http:\/\/127\.0\.0\.1:\d+)\/demo\/index\.html/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    demo.once('exit', (code) => reject(new Error(`npm run demo exited (${code}):\n${out}`)));
  });
  return { origin: url };
}

before(async () => {
  server = await startDemo();
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
  page.on('request', (r) => hosts.add(new URL(r.url()).host));
});
after(async () => {
  await browser?.close();
  if (demo?.pid !== undefined && demo.exitCode === null) {
    process.kill(-demo.pid, 'SIGTERM');
    await once(demo, 'exit');
  }
});

test('npm run demo serves /demo/index.html (HTTP 200, the page that imports the viewer)', async () => {
  const r = await fetch(`${server.origin}/demo/index.html`);
  assert.equal(r.status, 200);
  assert.match(await r.text(), /<sr-viewer/);
});

const viewerState = () =>
  page.evaluate(() => {
    const v = document.getElementById('viewer') as Viewer;
    return { format: v.info?.format, provenance: v.provenance, watermark: v.watermark };
  });

test('the demo page: sample enhanced under the watermark, own file, in-page report, localhost only', async () => {
  // no ?backend: the page's default, `auto`
  await page.goto(`${server.origin}/demo/index.html?sample=satellite`);
  await page.waitForFunction(() => (document.getElementById('viewer') as Viewer).provenance, undefined, {
    timeout: 120_000,
  });
  let s = await viewerState();
  assert.equal(s.format, 'geotiff');
  assert.equal(s.provenance?.modelId, 'satellite-x2');
  assert.equal(await page.locator('#viewer').getAttribute('backend'), 'auto');
  if ((s.provenance?.backends.webgpu ?? 0) === 0) {
    // auto without a hardware adapter (here SwiftShader, or no WebGPU): WASM, and the panels say why
    assert.ok((s.provenance?.backends.wasm ?? 0) > 0, JSON.stringify(s.provenance?.backends));
    const reason = s.provenance?.fallbacks?.find((f) => f.from === 'webgpu' && f.to === 'wasm')?.reason;
    assert.ok(reason, JSON.stringify(s.provenance?.fallbacks));
    assert.match(await page.locator('sr-provenance .fallbacks').innerText(), /webgpu → wasm: \S/);
    assert.match(await page.locator('sr-progress .fallback').innerText(), /fell back to WASM: \S/i);
    assert.ok(
      (await page.locator('sr-progress .fallback').innerText()).includes(reason.slice(0, 40)),
      'sr-progress shows the same reason as the provenance',
    );
  }
  assert.ok(s.watermark?.lines.join(' ').includes('AI-enhanced'), JSON.stringify(s.watermark));
  // the provenance panel follows the viewer
  assert.match(await page.locator('sr-provenance .model').innerText(), /satellite-x2/);

  // a user's file through the picker (the MR sample, as a File)
  await page.locator('#file').setInputFiles('demo/samples/mr384_12bit_jpeg_lossless_sv1.dcm');
  await page.waitForFunction(
    () => (document.getElementById('viewer') as Viewer).info?.format === 'dicom',
    undefined,
    {
      timeout: 60_000,
    },
  );
  s = await viewerState();
  assert.equal(s.format, 'dicom');

  // the protocol in the page on the file shown
  await page.locator('#validate').click();
  await page.waitForFunction(
    () => /Measured|Could not/.test(document.getElementById('validate-status')!.textContent!),
    undefined,
    {
      timeout: 180_000,
    },
  );
  assert.match(await page.locator('#validate-status').innerText(), /^Measured in this page/);
  const model = await page.locator('sr-report tr[data-method="model"]').innerText();
  assert.match(model, /model\s+1\s+\d+\.\d\d\s+0\.\d{4}/);
  const shown = await page.evaluate(
    () =>
      (document.getElementById('report') as HTMLElement & { shown: { model: { id: string } } }).shown.model
        .id,
  );
  assert.equal(shown, 'medical-x2', 'the model follows the DICOM file');

  assert.deepEqual([...hosts], [new URL(server.origin).host], 'no request beyond the demo server');
});
