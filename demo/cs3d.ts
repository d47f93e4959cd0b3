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

viewer.srcs = SERIES;
