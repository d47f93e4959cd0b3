/**
 * The demo page: `<sr-viewer>` with the enhancement control, progress and provenance bound to it,
 * two committed samples, your own file by picker or drop, before/after compare, and a validation
 * report (committed, from `tilesr validate`, or measured in the page with plugin/report).
 */
import { openRaster } from '../formats/index.ts';
import type { Variant } from '../models/card.ts';
import { sha256Hex } from '../models/integrity.ts';
import '../plugin/components/sr-compare/sr-compare.ts';
import '../plugin/components/sr-enhance-control/sr-enhance-control.ts';
import type { BackendChoice } from '../plugin/components/sr-enhance-control/sr-enhance-control.component.ts';
import '../plugin/components/sr-progress/sr-progress.ts';
import '../plugin/components/sr-provenance/sr-provenance.ts';
import '../plugin/components/sr-report/sr-report.ts';
import '../plugin/components/sr-viewer/sr-viewer.ts';
import { validateRaster } from '../plugin/report/page-report.ts';

interface Sample {
  url: string;
  name: string;
  model: string;
  report: string;
}

/** The committed samples (demo/samples/README.md) and the model and report that go with each. */
const SAMPLES: Record<string, Sample> = {
  mr: {
    url: '/demo/samples/mr384_12bit_jpeg_lossless_sv1.dcm',
    name: 'mr384_12bit_jpeg_lossless_sv1.dcm',
    model: 'medical-x2',
    report: '/demo/samples/report-mr.json',
  },
  satellite: {
    url: '/demo/samples/u16_rgb_cog_deflate_ovr.tif',
    name: 'u16_rgb_cog_deflate_ovr.tif',
    model: 'satellite-x2',
    report: '/demo/samples/report-satellite.json',
  },
};

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const viewer = $<HTMLElementTagNameMap['sr-viewer']>('viewer');
const control = $<HTMLElementTagNameMap['sr-enhance-control']>('control');
const report = $<HTMLElementTagNameMap['sr-report']>('report');
const status = $<HTMLParagraphElement>('validate-status');
const errorLine = $<HTMLParagraphElement>('error');

/** What is shown: a sample URL or a user's file (the page validates the same input). */
let current: { input: string | File; name: string } = { input: SAMPLES.mr!.url, name: SAMPLES.mr!.name };

function showSample(key: string): void {
  const s = SAMPLES[key];
  if (!s) return;
  current = { input: s.url, name: s.name };
  control.modelId = s.model;
  viewer.model = s.model;
  viewer.src = s.url;
  report.report = null;
  report.src = s.report;
  status.textContent = '';
}

function openFile(file: File): void {
  current = { input: file, name: file.name };
  viewer.src = '';
  void viewer.open(file);
  report.report = null;
  report.src = '';
  status.textContent = `${file.name}: use "Measure in this page" for a report on this file.`;
}

document
  .querySelectorAll<HTMLInputElement>('input[name="sample"]')
  .forEach((r) => r.addEventListener('change', () => r.checked && showSample(r.value)));
$<HTMLInputElement>('file').addEventListener('change', (e) => {
  const f = (e.target as HTMLInputElement).files?.[0];
  if (f) openFile(f);
});
// a file dropped on the viewer is opened by the viewer itself; remember it for validation
viewer.addEventListener('drop', (e) => {
  const f = e.dataTransfer?.files[0];
  if (f) current = { input: f, name: f.name };
});

// the model follows the image's domain when the user has not picked one
viewer.addEventListener('sr-image-loaded', (e) => {
  errorLine.hidden = true;
  const domain = e.detail.info.format === 'dicom' ? 'medical' : 'satellite';
  if (!control.modelId.startsWith(domain)) {
    control.modelId = `${domain}-x2`;
    viewer.model = control.modelId;
  }
});
viewer.addEventListener('sr-error', (e) => {
  errorLine.hidden = false;
  errorLine.textContent = `${e.detail.code}: ${e.detail.message}`;
});

// before/after: <sr-compare> splits the viewer (original left, enhanced right); off = all enhanced
const compare = $<HTMLInputElement>('compare');
const split = $<HTMLElementTagNameMap['sr-compare']>('split');
compare.addEventListener('change', () => {
  split.classList.toggle('off', !compare.checked);
  split.position = compare.checked ? 0.5 : 0;
});

$<HTMLButtonElement>('zoom-in').addEventListener('click', () =>
  viewer.zoomTo((viewer.viewport?.scale ?? 1) * 2),
);
$<HTMLButtonElement>('reset').addEventListener('click', () => viewer.resetView());

/** The protocol in the page on a central crop (at most 192 px, so it takes seconds on WASM). */
async function measureHere(): Promise<void> {
  const button = $<HTMLButtonElement>('validate');
  button.disabled = true;
  const t0 = performance.now();
  status.textContent = `Measuring ${current.name} in this page…`;
  try {
    const src = await openRaster(
      typeof current.input === 'string' ? new URL(current.input, location.href) : current.input,
    );
    try {
      const { width, height } = src.info;
      const w = Math.min(192, width);
      const h = Math.min(192, height);
      const raster = await src.read({
        frame: viewer.frame,
        window: { x: (width - w) >> 1, y: (height - h) >> 1, width: w, height: h },
      });
      const bytes =
        typeof current.input === 'string'
          ? new Uint8Array(await (await fetch(current.input)).arrayBuffer())
          : new Uint8Array(await current.input.arrayBuffer());
      const { report: r } = await validateRaster(raster, {
        modelId: control.modelId,
        variant: control.variant as Variant,
        backend: control.backend as BackendChoice,
        file: `${current.name} (central ${w}x${h} crop)`,
        inputSha256: await sha256Hex(bytes),
      });
      report.report = r;
      status.textContent = `Measured in this page in ${((performance.now() - t0) / 1000).toFixed(1)} s.`;
    } finally {
      await src.close();
    }
  } catch (err) {
    status.textContent = `Could not measure: ${err instanceof Error ? err.message : String(err)}`;
  } finally {
    button.disabled = false;
  }
}
$<HTMLButtonElement>('validate').addEventListener('click', () => void measureHere());

// ?sample=satellite&enhance=0&backend=webgpu: links and scripts start in a given state. Attributes,
// not properties: they win whether or not the elements are upgraded yet. Without ?backend the page
// keeps index.html's `auto`: WebGPU on a hardware adapter, else WASM with the reason shown in
// <sr-progress> and <sr-provenance> (a software adapter such as SwiftShader is slower than WASM).
const params = new URLSearchParams(location.search);
if (params.get('enhance') === '0') {
  viewer.removeAttribute('enhance');
  control.removeAttribute('enabled');
}
const wantBackend = params.get('backend');
if (wantBackend === 'auto' || wantBackend === 'webgpu' || wantBackend === 'wasm') {
  viewer.setAttribute('backend', wantBackend);
  control.setAttribute('backend', wantBackend);
}
const wantSample = params.get('sample');
if (wantSample && wantSample !== 'mr' && SAMPLES[wantSample]) {
  document.querySelector<HTMLInputElement>(`input[name="sample"][value="${wantSample}"]`)!.checked = true;
  showSample(wantSample);
}

/**
 * For scripts (screenshots, benchmarks): resolves on the viewer's next `type` event (for
 * `sr-rendered` with `withTiles`: only a render that drew enhanced tiles), with its time.
 */
function nextViewerEvent(type: string, withTiles = false, timeoutMs = 180_000): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${type} within ${timeoutMs} ms`)), timeoutMs);
    const on = (e: Event) => {
      const tiles = (e as CustomEvent<{ tiles?: unknown[] }>).detail?.tiles;
      if (withTiles && !(tiles && tiles.length > 0)) return;
      clearTimeout(timer);
      viewer.removeEventListener(type, on);
      resolve(performance.now());
    };
    viewer.addEventListener(type, on);
  });
}

Object.assign(globalThis, {
  tilesrDemo: { viewer, control, report, showSample, measureHere, nextViewerEvent },
});
