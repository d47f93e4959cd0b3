/**
 * demo/map.html: a GeoTIFF (the bundled COG, a local file or a URL) in `<sr-map-viewer>`, whose
 * sr-* events sr-progress/sr-provenance bind to; the page adds band choice, the pixel readout, the
 * display stretch line and the error line.
 */
import '../plugin/components/sr-progress/sr-progress.ts';
import '../plugin/components/sr-provenance/sr-provenance.ts';
import '../plugin/components/sr-map-viewer/sr-map-viewer.ts';
import type { MapImageInfo } from '../plugin/components/sr-map-viewer/sr-map-viewer.ts';
import type { BackendPreference } from '../models/backend/types.ts';
import { describeStretch, type BandStyle } from '../plugin/viewer/openlayers/style.ts';
import { errorCode } from '../core/errors.ts';

const SAMPLE = '/demo/samples/u16_rgb_cog_deflate_ovr.tif';
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const viewer = $<HTMLElementTagNameMap['sr-map-viewer']>('map');
const errorBox = $<HTMLParagraphElement>('error');
// CSSOM, not a style attribute: the page runs under a strict CSP (no inline styles)
viewer.style.width = '100%';
viewer.style.height = '560px';
/** `auto` (WebGPU on a hardware adapter, else WASM, reported) unless ?backend=wasm|webgpu|auto says. */
const wantBackend = new URLSearchParams(location.search).get('backend');
viewer.backend =
  wantBackend === 'wasm' || wantBackend === 'webgpu' || wantBackend === 'auto'
    ? (wantBackend as BackendPreference)
    : 'auto';

const showError = (text: string | null) => {
  errorBox.textContent = text ?? '';
  errorBox.hidden = text === null;
};

/** Band numbers a mode starts with (1-based): RGB 1,2,3; gray 1; NDVI NIR 4 and red 1. */
const MODE_BANDS: Record<string, string> = { rgb: '1,2,3', gray: '1', ndvi: '4,1' };

function bandStyle(): BandStyle {
  const n = $<HTMLInputElement>('bands')
    .value.split(',')
    .map((s) => Number(s.trim()) - 1);
  const mode = $<HTMLSelectElement>('mode').value;
  if (mode === 'gray') return { kind: 'gray', band: n[0] ?? 0 };
  if (mode === 'ndvi') return { kind: 'ndvi', nir: n[0] ?? 3, red: n[1] ?? 0 };
  return { kind: 'rgb', bands: [n[0] ?? 0, n[1] ?? 1, n[2] ?? 2] };
}

function applyBands(): void {
  try {
    viewer.view?.setBandStyle(bandStyle());
    showError(null);
  } catch (err) {
    showError(`${errorCode(err) ?? 'ERROR'}: ${(err as Error).message}`);
  }
}

viewer.addEventListener('sr-image-cleared', () => {
  showError(null);
  $<HTMLParagraphElement>('stretch').textContent = '';
});
viewer.addEventListener('sr-error', (e) => showError(`${e.detail.code}: ${e.detail.message}`));
viewer.addEventListener('sr-image-loaded', (e) => {
  const info = e.detail.info as unknown as MapImageInfo;
  $<HTMLParagraphElement>('stretch').textContent = `Display stretch: ${describeStretch(info.stretch)}`;
  // a band choice the new file lacks keeps the default
  if (styleFits(info.samples)) viewer.view?.setBandStyle(bandStyle());
  viewer.view?.map.on('pointermove', (ev) => {
    const v = viewer.view?.valuesAt([ev.pixel[0] ?? 0, ev.pixel[1] ?? 0]);
    const fmt = (a: number[] | null | undefined) => (a ? a.map((x) => x.toFixed(2)).join(', ') : '—');
    $<HTMLPreElement>('readout').textContent = `original: ${fmt(v?.original)}\nenhanced: ${fmt(v?.enhanced)}`;
  });
});

function styleFits(samples: number): boolean {
  const s = bandStyle();
  const bands = s.kind === 'rgb' ? s.bands : s.kind === 'gray' ? [s.band] : [s.nir, s.red];
  return bands.every((b) => Number.isInteger(b) && b >= 0 && b < samples);
}

$<HTMLInputElement>('file').addEventListener('change', (e) => {
  const f = (e.target as HTMLInputElement).files?.[0];
  if (f) viewer.file = f;
});
$<HTMLButtonElement>('open-url').addEventListener('click', () => {
  const u = $<HTMLInputElement>('url').value.trim();
  if (!u) return;
  viewer.file = null;
  viewer.src = new URL(u, location.href).href;
});
$<HTMLInputElement>('enhance').addEventListener('change', (e) => {
  viewer.enhance = (e.target as HTMLInputElement).checked;
});
$<HTMLInputElement>('allow-domain').addEventListener('change', (e) => {
  viewer.allowDomainMismatch = (e.target as HTMLInputElement).checked;
});
$<HTMLInputElement>('swipe').addEventListener('input', (e) => {
  viewer.swipe = Number((e.target as HTMLInputElement).value) / 100;
});
$<HTMLSelectElement>('mode').addEventListener('change', (e) => {
  $<HTMLInputElement>('bands').value = MODE_BANDS[(e.target as HTMLSelectElement).value] ?? '1';
  applyBands();
});
$<HTMLInputElement>('bands').addEventListener('change', applyBands);
$<HTMLButtonElement>('zoom-in').addEventListener('click', () => viewer.zoomPastNative());

viewer.enhance = $<HTMLInputElement>('enhance').checked;
viewer.src = new URL(SAMPLE, location.href).href;
