/**
 * The in-page half of the soak (bench/soak-page.ts): the files and models it cycles through, the
 * `<sr-viewer>` as the page sees it, and what runs in the page through `page.evaluate`: event
 * listeners, opening a file, one action (zoom, pan, model switch), and heap samples over CDP.
 */
import { loadavg } from 'node:os';
import type { CDPSession, Page } from 'playwright-core';
import type * as Sessions from '../../plugin/live/sessions.ts';

export type Family = 'medical' | 'satellite';

/** Files in the order the warm-up opens them (medical and satellite alternate). */
export const FILES: { url: string; family: Family; label: string }[] = [
  { url: '/demo/samples/mr384_12bit_jpeg_lossless_sv1.dcm', family: 'medical', label: 'demo MR 384' },
  { url: '/demo/samples/u16_rgb_cog_deflate_ovr.tif', family: 'satellite', label: 'demo Landsat COG 128' },
  { url: '/fixtures/dicom/ct512_jpeg_baseline_8bit.dcm', family: 'medical', label: 'CT 512 JPEG' },
  { url: '/fixtures/geotiff/u8_rgb_cog_jpeg.tif', family: 'satellite', label: 'RGB COG JPEG 192' },
  { url: '/fixtures/dicom/mr384_12bit_rle.dcm', family: 'medical', label: 'MR 384 RLE' },
  { url: '/fixtures/geotiff/u16_rgb_lzw_pred2_tiled.tif', family: 'satellite', label: 'RGB LZW 128' },
  { url: '/demo/samples/ct-series/S21570_S2030_I250.dcm', family: 'medical', label: 'demo CT slice 512' },
  { url: '/fixtures/geotiff/u8_gray_zstd.tif', family: 'satellite', label: 'gray ZSTD 192' },
];

export const MODELS = ['x2/fidelity', 'x4/fidelity', 'x2/perceptual', 'x4/perceptual'] as const;

export const VIEWER_PX = 256;
export const CELL = 32;

export interface TileEvent {
  col: number;
  row: number;
  backend: string;
  ms: number;
  tag: string;
}

export interface PageState {
  tiles: TileEvent[];
  errors: string[];
  fallbacks: string[];
  done: number;
  enhancing: number;
  tag: string;
}

export type SoakViewer = HTMLElement & {
  info?: { width: number; height: number; frame: number };
  enhance: boolean;
  model: string;
  variant: string;
  backend: string;
  tileSize: number;
  prefetch: number;
  storedTiles: { bytes: number; tiles: number };
  enhanceStatus: string;
  updateComplete: Promise<boolean>;
  open(src: string): Promise<void>;
  zoomTo(scale: number, centre?: { x: number; y: number }): void;
  panBy(dx: number, dy: number): void;
  redraw(): void;
  drawnTiles: { col: number; row: number }[];
};

export interface Sample {
  tile: number;
  t: number;
  v8Used: number;
  backing: number;
  cacheBytes: number;
  cacheTiles: number;
  cacheEvictions: number;
  /** The viewer's store of tiles ready to draw (bounded by bytes, freed on each new image). */
  storeBytes: number;
  storeTiles: number;
  workers: number;
  /** Their script names (`page.workers()`), to tell a decoder pool from a leaked session worker. */
  workerNames: string[];
  workerTargets: number;
  /**
   * `performance.measureUserAgentSpecificMemory()` (baseline and end only: it waits for every
   * worker's next GC, up to a minute when onnxruntime's threads sit in a wait): the page and its
   * workers, onnxruntime-web's proxy worker with its WASM memory (the live tensors) included.
   */
  agent?: { total: number; window: number; workers: number; ms: number };
  sessions: number;
  load1: number;
}

export interface HeapUsage {
  usedSize: number;
  totalSize: number;
  backingStorageSize?: number;
}

/** In the page: listeners that record tiles, status changes, fallbacks and errors. */
export async function install(page: Page): Promise<void> {
  await page.evaluate('globalThis.__name ??= (f) => f');
  await page.evaluate(
    ([size, cell]) => {
      const v = document.getElementById('viewer') as SoakViewer;
      const s: PageState = { tiles: [], errors: [], fallbacks: [], done: 0, enhancing: 0, tag: '' };
      (globalThis as unknown as { __soak: PageState }).__soak = s;
      v.addEventListener('sr-tile-enhanced', (e) => {
        const d = (e as CustomEvent<{ tile: { col: number; row: number; ms: number }; backend: string }>)
          .detail;
        s.tiles.push({ col: d.tile.col, row: d.tile.row, backend: d.backend, ms: d.tile.ms, tag: s.tag });
      });
      v.addEventListener('sr-enhance-status', (e) => {
        const st = (e as CustomEvent<{ status: string }>).detail.status;
        if (st === 'done') s.done++;
        if (st === 'enhancing') s.enhancing++;
      });
      v.addEventListener('sr-fallback', (e) =>
        s.fallbacks.push(JSON.stringify((e as CustomEvent<{ record: unknown }>).detail.record)),
      );
      v.addEventListener('sr-error', (e) => {
        const d = (e as CustomEvent<{ code: string; message: string }>).detail;
        s.errors.push(`${d.code}: ${d.message}`);
      });
      const wrap = document.getElementById('viewer-wrap')!;
      wrap.style.width = wrap.style.height = `${size}px`;
      v.tileSize = cell;
      v.prefetch = 0;
      v.backend = 'wasm';
    },
    [VIEWER_PX, CELL] as const,
  );
}

/** In the page: opens a file with enhancement off, sets model/variant; resolves with its size. */
export async function openFile(
  page: Page,
  url: string,
  model: string,
  variant: string,
): Promise<{ width: number; height: number; frame: number }> {
  return page.evaluate(
    async ([src, m, va]) => {
      const v = document.getElementById('viewer') as SoakViewer;
      v.enhance = false;
      await v.updateComplete;
      await v.open(src);
      v.model = m;
      v.variant = va;
      await v.updateComplete;
      const info = v.info!;
      return { width: info.width, height: info.height, frame: info.frame };
    },
    [url, model, variant] as const,
  );
}

/**
 * In the page: one action (zoom, pan, model/variant or backend change, enhancement on), then waits
 * for the view's tiles ('done'), for nothing to start (1.5 s without 'enhancing': nothing changed)
 * or 3 minutes (stalled). Returns how it ended and the events recorded since the last call.
 */
export async function act(
  page: Page,
  action: {
    tag: string;
    zoom?: { scale: number; x: number; y: number };
    pan?: { dx: number; dy: number };
    model?: string;
    variant?: string;
    backend?: string;
    enhance?: boolean;
  },
): Promise<{
  ended: 'done' | 'unchanged' | 'stalled';
  tiles: TileEvent[];
  errors: string[];
  fallbacks: string[];
}> {
  return page.evaluate(async (a) => {
    const s = (globalThis as unknown as { __soak: PageState }).__soak;
    const v = document.getElementById('viewer') as SoakViewer;
    const done0 = s.done;
    const enh0 = s.enhancing;
    s.tag = a.tag;
    if (a.model !== undefined) v.model = a.model;
    if (a.variant !== undefined) v.variant = a.variant;
    if (a.backend !== undefined) v.backend = a.backend;
    if (a.enhance !== undefined) v.enhance = a.enhance;
    await v.updateComplete;
    if (a.zoom) v.zoomTo(a.zoom.scale, { x: a.zoom.x, y: a.zoom.y });
    if (a.pan) v.panBy(a.pan.dx, a.pan.dy);
    const t0 = performance.now();
    let ended: 'done' | 'unchanged' | 'stalled' = 'stalled';
    while (performance.now() - t0 < 180_000) {
      await new Promise((r) => setTimeout(r, 25));
      if (s.done > done0 && v.enhanceStatus !== 'enhancing') {
        ended = 'done';
        break;
      }
      if (s.enhancing === enh0 && performance.now() - t0 > 1500) {
        ended = 'unchanged';
        break;
      }
    }
    return {
      ended,
      tiles: s.tiles.splice(0),
      errors: s.errors.splice(0),
      fallbacks: s.fallbacks.splice(0),
    };
  }, action);
}

/** Centres (image px) of a snake walk over the image, `step` apart, at a zoom showing `seen` px. */
export function walk(width: number, height: number, seen: number, step: number): { x: number; y: number }[] {
  const axis = (n: number) => {
    const lo = Math.min(seen / 2, n / 2);
    const hi = Math.max(lo, n - seen / 2);
    const out: number[] = [];
    for (let c = lo; c <= hi + 1e-6; c += step) out.push(c);
    return out;
  };
  const xs = axis(width);
  const ys = axis(height);
  return ys.flatMap((y, i) => (i % 2 === 0 ? xs : [...xs].reverse()).map((x) => ({ x, y })));
}

/** The page's and its workers' memory as the browser attributes it (see Sample.agent). */
export async function agentMemory(page: Page): Promise<Sample['agent']> {
  return page.evaluate(async () => {
    interface Breakdown {
      bytes: number;
      types: string[];
      attribution: { scope: string }[];
    }
    const p = performance as Performance & {
      measureUserAgentSpecificMemory?: () => Promise<{ bytes: number; breakdown: Breakdown[] }>;
    };
    if (!p.measureUserAgentSpecificMemory) return undefined;
    const t = performance.now();
    const r = await p.measureUserAgentSpecificMemory();
    const by = (scope: string) =>
      r.breakdown
        .filter((b) => b.attribution.some((a) => a.scope === scope))
        .reduce((n, b) => n + b.bytes, 0);
    return {
      total: r.bytes,
      window: by('Window'),
      workers: by('DedicatedWorkerGlobalScope'),
      ms: performance.now() - t,
    };
  });
}

/** Page heap, cache, store, workers and sessions after a forced GC (`full`: agent memory too). */
export async function sample(
  page: Page,
  cdp: CDPSession,
  browserCdp: CDPSession,
  tile: number,
  t0: number,
  full = false,
): Promise<Sample> {
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('HeapProfiler.collectGarbage');
  const heap = (await cdp.send('Runtime.getHeapUsage')) as HeapUsage;
  const page2 = await page.evaluate(async () => {
    const m = (await import('/plugin/live/sessions.ts' as string)) as typeof Sessions;
    const v = document.getElementById('viewer') as SoakViewer;
    return {
      storeBytes: v.storedTiles.bytes,
      storeTiles: v.storedTiles.tiles,
      cacheBytes: m.sharedCache.bytes,
      cacheTiles: m.sharedCache.size,
      cacheEvictions: m.sharedCache.evictions,
      sessions: m.sharedSessionCount(),
    };
  });
  const targets = (await browserCdp.send('Target.getTargets')) as {
    targetInfos: { type: string; targetId: string }[];
  };
  const agent = full ? await agentMemory(page) : undefined;
  return {
    tile,
    t: (performance.now() - t0) / 1000,
    v8Used: heap.usedSize,
    backing: heap.backingStorageSize ?? 0,
    ...page2,
    workers: page.workers().length,
    workerNames: page.workers().map((w) => w.url().split('/').pop()?.split('?')[0] ?? '?'),
    workerTargets: targets.targetInfos.filter((x) => /worker/.test(x.type)).length,
    ...(agent ? { agent } : {}),
    load1: loadavg()[0] ?? NaN,
  };
}
