/**
 * The demo page: `<sr-viewer>` with the enhancement control, progress and provenance bound to it,
 * committed samples, your own file by picker or drop, before/after compare, and a validation
 * report (committed, from `tilesr validate`, or measured in the page with plugin/report).
 *
 * One state: the page's `current` is the file the viewer SHOWS, taken when the viewer reports it
 * displayed (never when an open starts); the sample radios, the report and "Measure in this page"
 * follow it. A failed open clears the viewer (nothing shown, no Export) and `current` with it.
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
  /** The committed report, if any. */
  report?: string;
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
  // multi-frame: the frame bar, keys and wheel of <sr-viewer> (fixtures/README.md for its source)
  frames: {
    url: '/fixtures/dicom/mr64_10frame_12bit_rle.dcm',
    name: 'mr64_10frame_12bit_rle.dcm',
    model: 'medical-x2',
  },
};

/** A file the page asked the viewer for, or the one it shows. */
interface Shown {
  input: string | File;
  name: string;
  /** The sample's key; undefined for a user's file. */
  sample?: string;
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const viewer = $<HTMLElementTagNameMap['sr-viewer']>('viewer');
const control = $<HTMLElementTagNameMap['sr-enhance-control']>('control');
const report = $<HTMLElementTagNameMap['sr-report']>('report');
const status = $<HTMLParagraphElement>('validate-status');
const errorLine = $<HTMLParagraphElement>('error');
const measure = $<HTMLButtonElement>('validate');

/** The file the viewer shows (undefined: none); what every control of the page acts on. */
let current: Shown | undefined;
/** The file asked for and not displayed yet (index.html's `src` is the MR sample). */
let pending: Shown | undefined = { input: SAMPLES.mr!.url, name: SAMPLES.mr!.name, sample: 'mr' };
measure.disabled = true;

/** The radios, the report and Measure say what `current` is. */
function reflectCurrent(): void {
  document
    .querySelectorAll<HTMLInputElement>('input[name="sample"]')
    .forEach((r) => (r.checked = r.value === current?.sample));
  const s = current?.sample === undefined ? undefined : SAMPLES[current.sample];
  report.report = null;
  report.src = s?.report ?? '';
  measure.disabled = !current;
  status.textContent = !current
    ? 'Nothing is shown: open a sample or a file.'
    : s?.report
      ? ''
      : `${current.name}: use "Measure in this page" for a report on this file.`;
}

function showSample(key: string): void {
  const s = SAMPLES[key];
  if (!s) return;
  pending = { input: s.url, name: s.name, sample: key };
  // the sample's model is set once its image is shown (sr-image-loaded): set now, it would meet the
  // image still on screen, possibly of the other domain (DOMAIN_MISMATCH)
  viewer.frame = 0;
  // the same URL again (after another file) must open again: src only opens when it changes
  if (viewer.src === s.url) void viewer.open(s.url);
  else viewer.src = s.url;
}

function openFile(file: File): void {
  pending = { input: file, name: file.name };
  viewer.src = '';
  viewer.frame = 0;
  void viewer.open(file);
}

document
  .querySelectorAll<HTMLInputElement>('input[name="sample"]')
  .forEach((r) => r.addEventListener('change', () => r.checked && showSample(r.value)));
$<HTMLInputElement>('file').addEventListener('change', (e) => {
  const input = e.target as HTMLInputElement;
  const f = input.files?.[0];
  if (f) openFile(f);
  input.value = ''; // picking the same file again opens it again
});
// a file dropped on the viewer is opened by the viewer itself
viewer.addEventListener('drop', (e) => {
  const f = e.dataTransfer?.files[0];
  if (f) pending = { input: f, name: f.name };
});

viewer.addEventListener('sr-image-loaded', (e) => {
  errorLine.hidden = true;
  // the file asked for is shown now (a frame change of the shown file keeps `current`)
  if (pending) {
    current = pending;
    pending = undefined;
    reflectCurrent();
  }
  // a sample brings its model; otherwise the model follows the image's domain
  const sample = current?.sample ? SAMPLES[current.sample] : undefined;
  const domain = e.detail.info.format === 'dicom' ? 'medical' : 'satellite';
  if (sample && control.modelId !== sample.model) {
    control.modelId = sample.model;
    viewer.model = sample.model;
  } else if (!control.modelId.startsWith(domain)) {
    control.modelId = `${domain}-x2`;
    viewer.model = control.modelId;
  }
});
// a failed open cleared the viewer: nothing is shown, so nothing is measured or exported
viewer.addEventListener('sr-image-cleared', () => {
  current = undefined;
  pending = undefined;
  reflectCurrent();
});
viewer.addEventListener('sr-error', (e) => {
  errorLine.hidden = false;
  errorLine.textContent = `${e.detail.code}: ${e.detail.message}`;
});

// the mark may move to another corner (never go); enhanced tiles progressive or all at once
const markCorner = $<HTMLSelectElement>('mark-corner');
markCorner.addEventListener('change', () => {
  viewer.markCorner = markCorner.value as typeof viewer.markCorner;
});
const revealComplete = $<HTMLInputElement>('reveal-complete');
revealComplete.addEventListener('change', () => {
  viewer.reveal = revealComplete.checked ? 'complete' : 'progressive';
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
  const shown = current;
  if (!shown) return;
  measure.disabled = true;
  const t0 = performance.now();
  status.textContent = `Measuring ${shown.name} in this page…`;
  try {
    const src = await openRaster(
      typeof shown.input === 'string' ? new URL(shown.input, location.href) : shown.input,
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
        typeof shown.input === 'string'
          ? new Uint8Array(await (await fetch(shown.input)).arrayBuffer())
          : new Uint8Array(await shown.input.arrayBuffer());
      const { report: r } = await validateRaster(raster, {
        modelId: control.modelId,
        variant: control.variant as Variant,
        backend: control.backend as BackendChoice,
        file: `${shown.name} (central ${w}x${h} crop)`,
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
    measure.disabled = !current;
  }
}
measure.addEventListener('click', () => void measureHere());

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
if (wantSample && wantSample !== 'mr' && SAMPLES[wantSample]) showSample(wantSample);

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
