/**
 * demo/map.html: a GeoTIFF (the bundled COG, a local file or a URL) in OpenLayers through
 * plugin/viewer/openlayers; events go out as the sr-* events sr-progress/sr-provenance bind to.
 */
import '../plugin/components/sr-progress/sr-progress.ts';
import '../plugin/components/sr-provenance/sr-provenance.ts';
import type { RasterInput } from '../formats/input.ts';
import type { BackendPreference, FallbackRecord } from '../models/backend/types.ts';
import { openEnhancedMap, type BandStyle, type EnhancedMap } from '../plugin/viewer/openlayers/index.ts';
import { errorCode } from '../core/errors.ts';

const SAMPLE = '/demo/samples/u16_rgb_cog_deflate_ovr.tif';
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const host = $<HTMLDivElement>('map');
const errorBox = $<HTMLParagraphElement>('error');
// CSSOM, not a style attribute: the page runs under a strict CSP (no inline styles)
host.style.width = '100%';
host.style.height = '560px';
let current: EnhancedMap | undefined;
const emit = (type: string, detail: unknown) =>
  host.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
/** `auto` (WebGPU on a hardware adapter, else WASM, reported) unless ?backend=wasm|webgpu|auto says. */
const wantBackend = new URLSearchParams(location.search).get('backend');
const backend: BackendPreference =
  wantBackend === 'wasm' || wantBackend === 'webgpu' || wantBackend === 'auto' ? wantBackend : 'auto';
/** Fallback records already sent as sr-fallback, so <sr-progress> hears each once. */
const reported = new Set<string>();
const reportFallbacks = (records: FallbackRecord[]) => {
  for (const record of records) {
    const key = `${record.from}>${record.to}:${record.reason}`;
    if (reported.has(key)) continue;
    reported.add(key);
    emit('sr-fallback', { record });
  }
};

function bandStyle(): BandStyle {
  const n = $<HTMLInputElement>('bands')
    .value.split(',')
    .map((s) => Number(s.trim()) - 1);
  const mode = $<HTMLSelectElement>('mode').value;
  if (mode === 'gray') return { kind: 'gray', band: n[0] ?? 0 };
  if (mode === 'ndvi') return { kind: 'ndvi', nir: n[0] ?? 3, red: n[1] ?? 0 };
  return { kind: 'rgb', bands: [n[0] ?? 0, n[1] ?? 1, n[2] ?? 2] };
}

async function open(input: RasterInput): Promise<void> {
  errorBox.hidden = true;
  await current?.dispose();
  current = undefined;
  reported.clear();
  host.replaceChildren();
  try {
    current = await openEnhancedMap({
      target: host,
      input,
      backend,
      enhance: $<HTMLInputElement>('enhance').checked,
      on: {
        progress: (p) => emit('sr-enhance-progress', p),
        tile: (tile) => emit('sr-tile-enhanced', { tile, backend: tile.backend, ms: tile.ms }),
        provenance: (provenance) => {
          // the map has no fallback callback: its provenance carries the records (auto's skip too)
          reportFallbacks(provenance.fallbacks);
          emit('sr-provenance', { provenance });
        },
        status: (status) => emit('sr-enhance-status', { status }),
        rendered: (tiles, watermark) => emit('sr-rendered', { tiles, watermark }),
        error: (e) => {
          emit('sr-error', e);
          errorBox.textContent = `${e.code}: ${e.message}`;
          errorBox.hidden = false;
        },
      },
    });
    try {
      current.setBandStyle(bandStyle());
    } catch {
      // a style naming bands the file lacks keeps the default
    }
    current.map.on('pointermove', (e) => {
      const v = current?.valuesAt([e.pixel[0] ?? 0, e.pixel[1] ?? 0]);
      const fmt = (a: number[] | null | undefined) => (a ? a.map((x) => x.toFixed(2)).join(', ') : '—');
      $<HTMLPreElement>('readout').textContent =
        `original: ${fmt(v?.original)}\nenhanced: ${fmt(v?.enhanced)}`;
    });
  } catch (err) {
    const e = err as { message?: string };
    errorBox.textContent = `${errorCode(err) ?? 'ERROR'}: ${e.message ?? String(err)}`;
    errorBox.hidden = false;
  }
}

$<HTMLInputElement>('file').addEventListener('change', (e) => {
  const f = (e.target as HTMLInputElement).files?.[0];
  if (f) void open(f);
});
$<HTMLButtonElement>('open-url').addEventListener('click', () => {
  const u = $<HTMLInputElement>('url').value.trim();
  if (u) void open(new URL(u, location.href).href);
});
$<HTMLInputElement>('enhance').addEventListener('change', (e) =>
  current?.setEnhance((e.target as HTMLInputElement).checked),
);
$<HTMLInputElement>('swipe').addEventListener('input', (e) =>
  current?.setSwipe(Number((e.target as HTMLInputElement).value) / 100),
);
for (const id of ['mode', 'bands'])
  $<HTMLElement>(id).addEventListener('change', () => {
    try {
      current?.setBandStyle(bandStyle());
      errorBox.hidden = true;
    } catch (err) {
      errorBox.textContent = (err as Error).message;
      errorBox.hidden = false;
    }
  });
$<HTMLButtonElement>('zoom-in').addEventListener('click', () => {
  if (!current) return;
  const v = current.map.getView();
  v.setResolution(current.placement.resolution / 2);
});

void open(new URL(SAMPLE, location.href).href);
