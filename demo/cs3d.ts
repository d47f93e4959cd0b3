/**
 * The Cornerstone3D demo page: `<sr-stack-viewer>` showing the bundled CT series, with the
 * enhancement control, progress and provenance bound to it (the same components as the
 * cornerstone-core page), and buttons for slices and zoom.
 */
import '../plugin/components/sr-enhance-control/sr-enhance-control.ts';
import '../plugin/components/sr-progress/sr-progress.ts';
import '../plugin/components/sr-provenance/sr-provenance.ts';
import '../plugin/components/sr-stack-viewer/sr-stack-viewer.ts';

/** The bundled series (demo/samples/ct-series/README.md), in instance order. */
export const SERIES = ['I130', 'I250', 'I470', 'I690', 'I900'].map(
  (n) => `/demo/samples/ct-series/S21570_S2030_${n}.dcm`,
);

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const viewer = $<HTMLElementTagNameMap['sr-stack-viewer']>('viewer');
const slice = $<HTMLSpanElement>('slice');
const errorLine = $<HTMLParagraphElement>('error');

viewer.addEventListener('sr-image-loaded', (e) => {
  const md = e.detail.info.header.metadata;
  slice.textContent = `Slice ${viewer.index + 1} of ${viewer.count} · instance ${String(md['InstanceNumber'] ?? '?')} · ${String(md['SliceLocation'] ?? '')} mm`;
  errorLine.hidden = true;
});
viewer.addEventListener('sr-error', (e) => {
  errorLine.textContent = `${e.detail.code}: ${e.detail.message}`;
  errorLine.hidden = false;
});
$('prev').addEventListener('click', () => void viewer.stepSlice(-1));
$('next').addEventListener('click', () => void viewer.stepSlice(1));
// fitted, a 512 px slice shows at about 1 screen px per image px or less: x4 is well past it
$('zoom-in').addEventListener('click', () => viewer.zoomBy(4));
$('reset').addEventListener('click', () => viewer.resetView());

// ?backend=wasm|webgpu|auto overrides cs3d.html's `auto` (attributes win before or after upgrade)
const wantBackend = new URLSearchParams(location.search).get('backend');
if (wantBackend === 'auto' || wantBackend === 'webgpu' || wantBackend === 'wasm') {
  viewer.setAttribute('backend', wantBackend);
  $('control').setAttribute('backend', wantBackend);
}

/** Opens the files of a picker (several .dcm or a folder's), reporting what was left out. */
async function openPicked(input: HTMLInputElement): Promise<void> {
  const files = [...(input.files ?? [])];
  input.value = '';
  if (files.length === 0) return;
  const opened = await viewer.openFiles(files).catch(() => undefined); // failures: sr-error
  if (opened && opened.skipped.length > 0) {
    errorLine.textContent = `${opened.skipped.length} file(s) skipped (not images): ${opened.skipped
      .slice(0, 3)
      .map((s) => s.name)
      .join(', ')}`;
    errorLine.hidden = false;
  }
}
for (const id of ['files', 'folder'])
  $<HTMLInputElement>(id).addEventListener('change', (e) => void openPicked(e.target as HTMLInputElement));

// ?study=…&series=… (&dicomweb=ROOT, default the demo server's /dicomweb proxy): a DICOMweb series
const params = new URLSearchParams(location.search);
const study = params.get('study');
const series = params.get('series');
if (study && series) {
  viewer.setAttribute('dicomweb-root', params.get('dicomweb') ?? '/dicomweb');
  viewer.setAttribute('study-uid', study);
  viewer.setAttribute('series-uid', series);
} else viewer.srcs = SERIES;
