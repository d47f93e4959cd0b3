/**
 * `npm run bench -- soak-page [--json FILE]`: an in-page soak of live enhancement (issue 13). One
 * demo page (scripts/repo-server.ts, cross-origin isolated) in headless Chromium, one
 * `<sr-viewer>` (256x256 CSS px, 32 px cells, prefetch off, `backend = 'wasm'`), and a loop that
 * opens a file (the demo samples and DICOM MR/CT and GeoTIFF fixtures from the dev server, in
 * turn), zooms in past 1 screen px per image px, pans in steps so new cells come on screen and
 * switches model/variant every ~10 tiles (a new file every ~30) (medical/satellite x2/x4, fidelity and perceptual, set as
 * properties), counting `sr-tile-enhanced` events until 1000 tiles were inferred or
 * `SOAK_PAGE_MINUTES` (default 12) ran out. Halfway it switches `backend` to 'auto' for one view
 * (WASM on this machine's software WebGPU adapter, with a fallback record) and back.
 *
 * A tile's key is open/frame/col/row/model/variant/backend; one inferred twice for the same key
 * (not a cache hit, no cache eviction in between) is a duplicate. A view whose tiles never finished
 * (no `done` within 3 min) counts as stalled. Heap: CDP `HeapProfiler.collectGarbage` then
 * `Runtime.getHeapUsage` (page main thread: V8 used + ArrayBuffer backing stores) every ~50 tiles;
 * the page-wide cache of model outputs (256 MiB) and the viewer's store of tiles ready to draw
 * (128 MiB), both bounded and both dropping an image's entries when another is shown, are reported
 * beside it and subtracted for the leak signal; at baseline and end measureUserAgentSpecificMemory
 * adds the workers (onnxruntime-web's proxy worker, whose WASM memory holds the tensors).
 * Baseline: after the warm-up (every file, every model/variant, the 'auto' backend and one WebGPU
 * tile, so every session the run uses exists) or tile 100, whichever is later; baseline and end are
 * sampled in the same state (the first file opened afresh, enhancement off).
 * Workers: `page.workers()` and CDP `Target.getTargets` of type worker; sessions: the page-wide
 * shared sessions (`sharedSessionCount()` of plugin/live/sessions.ts).
 *
 * Device loss: halfway, one view of the MR runs on `backend = 'webgpu'` (SwiftShader here: ~30 s
 * for its first tile) and the GPUDevice is destroyed as soon as that tile arrived; the rest of the
 * view must finish on WASM, each cell once, none missing, one fallback record (deviceLoss).
 */
import { loadavg } from 'node:os';
import type { CDPSession, Page } from 'playwright-core';
import { launchChromium, startRepoServer } from '../scripts/repo-server.ts';
import type * as Sessions from '../plugin/live/sessions.ts';
import type { SuiteOutput } from './report.ts';

type Family = 'medical' | 'satellite';

/** Files in the order the warm-up opens them (medical and satellite alternate). */
const FILES: { url: string; family: Family; label: string }[] = [
  { url: '/demo/samples/mr384_12bit_jpeg_lossless_sv1.dcm', family: 'medical', label: 'demo MR 384' },
  { url: '/demo/samples/u16_rgb_cog_deflate_ovr.tif', family: 'satellite', label: 'demo Landsat COG 128' },
  { url: '/fixtures/dicom/ct512_jpeg_baseline_8bit.dcm', family: 'medical', label: 'CT 512 JPEG' },
  { url: '/fixtures/geotiff/u8_rgb_cog_jpeg.tif', family: 'satellite', label: 'RGB COG JPEG 192' },
  { url: '/fixtures/dicom/mr384_12bit_rle.dcm', family: 'medical', label: 'MR 384 RLE' },
  { url: '/fixtures/geotiff/u16_rgb_lzw_pred2_tiled.tif', family: 'satellite', label: 'RGB LZW 128' },
  { url: '/demo/samples/ct-series/S21570_S2030_I250.dcm', family: 'medical', label: 'demo CT slice 512' },
  { url: '/fixtures/geotiff/u8_gray_zstd.tif', family: 'satellite', label: 'gray ZSTD 192' },
];

const MODELS = ['x2/fidelity', 'x4/fidelity', 'x2/perceptual', 'x4/perceptual'] as const;

const VIEWER_PX = 256;
const CELL = 32;
/** The issue's soak: 1000+ live tiles, 50 model/variant switches, 20 file changes in one page. */
const TARGET_TILES = 1000;
const TARGET_SWITCHES = 50;
const TARGET_FILES = 20;
const SAMPLE_EVERY = 50;
const SWITCH_EVERY = 10;
const FILE_EVERY = 30;

interface TileEvent {
  col: number;
  row: number;
  backend: string;
  ms: number;
  tag: string;
}

interface PageState {
  tiles: TileEvent[];
  errors: string[];
  fallbacks: string[];
  done: number;
  enhancing: number;
  tag: string;
}

type SoakViewer = HTMLElement & {
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

interface Sample {
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

interface HeapUsage {
  usedSize: number;
  totalSize: number;
  backingStorageSize?: number;
}

/** In the page: listeners that record tiles, status changes, fallbacks and errors. */
async function install(page: Page): Promise<void> {
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
async function openFile(
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
async function act(
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

/** What the device-loss phase saw (see deviceLoss). */
export interface DeviceLossResult {
  /** Cells of the view, and tiles that arrived for them: on WebGPU before the loss, on WASM after. */
  cells: number;
  webgpu: number;
  wasm: number;
  /** Cells that arrived more than once, and cells of the view never drawn. */
  duplicates: number;
  lost: number;
  records: number;
  reason: string;
  errors: string[];
  seconds: number;
  ended: 'done' | 'stalled';
}

/**
 * In the page: the MR shown with medical-x2 on `backend = 'webgpu'` (the SwiftShader adapter, slow
 * but real), the GPUDevice onnxruntime-web uses destroyed as soon as the first tile arrived from it
 * (`destroyDeviceForTesting`, the hook models/backend/backends.browser.test.ts uses), then the view
 * left to finish: every cell must arrive once, the rest on WASM, with one fallback record.
 */
async function deviceLoss(page: Page, url: string, destroy: boolean): Promise<DeviceLossResult> {
  return page.evaluate(
    async ([src, lose]) => {
      const v = document.getElementById('viewer') as SoakViewer;
      const t0 = performance.now();
      v.enhance = false;
      v.backend = 'wasm';
      await v.updateComplete;
      await v.open(src);
      v.model = 'medical-x2';
      v.variant = 'fidelity';
      v.backend = 'webgpu';
      await v.updateComplete;
      const seen = new Map<string, number>();
      const by: Record<string, number> = {};
      const errors: string[] = [];
      const records: { reason: string }[] = [];
      const onTile = (e: Event) => {
        const d = (e as CustomEvent<{ tile: { col: number; row: number }; backend: string }>).detail;
        const k = `${d.tile.col},${d.tile.row}`;
        seen.set(k, (seen.get(k) ?? 0) + 1);
        by[d.backend] = (by[d.backend] ?? 0) + 1;
      };
      const onErr = (e: Event) => {
        const d = (e as CustomEvent<{ code: string; message: string }>).detail;
        errors.push(`${d.code}: ${d.message}`);
      };
      const onFallback = (e: Event) =>
        records.push((e as CustomEvent<{ record: { reason: string } }>).detail.record);
      v.addEventListener('sr-tile-enhanced', onTile);
      v.addEventListener('sr-error', onErr);
      v.addEventListener('sr-fallback', onFallback);
      const wait = async (pred: () => boolean) => {
        const t = performance.now();
        while (!pred() && performance.now() - t < 300_000) await new Promise((r) => setTimeout(r, 50));
        return pred();
      };
      try {
        v.enhance = true;
        await v.updateComplete;
        const info = v.info!;
        v.zoomTo(3, { x: info.width / 2, y: info.height / 2 });
        await wait(() => (by['webgpu'] ?? 0) > 0);
        if (!lose) {
          // warm-up: the WebGPU session exists (and ran a tile); the rest of the view is not awaited
          v.enhance = false;
          await v.updateComplete;
          (globalThis as unknown as { __soak: PageState }).__soak.tiles.splice(0);
          return {
            cells: seen.size,
            webgpu: by['webgpu'] ?? 0,
            wasm: by['wasm'] ?? 0,
            duplicates: 0,
            lost: 0,
            records: records.length,
            reason: '',
            errors,
            seconds: (performance.now() - t0) / 1000,
            ended: 'done' as const,
          };
        }
        const m = (await import('/plugin/live/sessions.ts' as string)) as typeof Sessions;
        const shared = await m.sharedSession('medical-x2', 'fidelity', 'webgpu');
        const gpu = shared.fallbackSession.primary as { destroyDeviceForTesting?: () => Promise<void> };
        await gpu.destroyDeviceForTesting?.();
        const finished = await wait(() => v.enhanceStatus === 'done');
        await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 50)));
        v.redraw();
        await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 50)));
        const drawn = new Set(v.drawnTiles.map((t) => `${t.col},${t.row}`));
        // counted here, not again by the loop's listener under the previous view's tag
        (globalThis as unknown as { __soak: PageState }).__soak.tiles.splice(0);
        const cells = new Set([...drawn, ...seen.keys()]);
        return {
          cells: cells.size,
          webgpu: by['webgpu'] ?? 0,
          wasm: by['wasm'] ?? 0,
          duplicates: [...seen.values()].filter((n) => n > 1).length,
          lost: [...cells].filter((k) => !drawn.has(k)).length,
          records: records.length,
          reason: records[0]?.reason.split('\n')[0]?.slice(0, 160) ?? '',
          errors,
          seconds: (performance.now() - t0) / 1000,
          ended: finished ? ('done' as const) : ('stalled' as const),
        };
      } finally {
        v.removeEventListener('sr-tile-enhanced', onTile);
        v.removeEventListener('sr-error', onErr);
        v.removeEventListener('sr-fallback', onFallback);
        v.enhance = false;
        v.backend = 'wasm';
        await v.updateComplete;
      }
    },
    [url, destroy] as const,
  );
}

/** Centres (image px) of a snake walk over the image, `step` apart, at a zoom showing `seen` px. */
function walk(width: number, height: number, seen: number, step: number): { x: number; y: number }[] {
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
async function agentMemory(page: Page): Promise<Sample['agent']> {
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
async function sample(
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

/** What one soak did (the JSON the suite returns as ratios, and scripts/reliability.ts reads). */
export interface SoakPageResult {
  minutes: number;
  endedBy: 'tiles' | 'time';
  tilesInferred: number;
  cacheHits: number;
  duplicates: number;
  duplicateKeys: string[];
  stalledViews: number;
  views: number;
  pans: number;
  zooms: number;
  modelSwitches: number;
  fileOpens: number;
  backendSwitches: number;
  /** The device-loss phase (undefined: the time budget ended before halfway). */
  deviceLoss?: DeviceLossResult;
  warmUpTiles: number;
  errors: string[];
  fallbacks: string[];
  backends: Record<string, number>;
  medianTileMs: number;
  samples: Sample[];
  baseline: Sample;
  end: Sample;
  /**
   * (end - baseline) / baseline: V8 used + backing stores, and the same less the two bounded tile
   * holders (the page-wide cache of model outputs and the viewer's store of tiles ready to draw).
   */
  heapDrift: number;
  heapDriftLessCaches: number;
  v8Drift: number;
  /** The same for the page and its workers as the browser attributes memory (NaN: not measured). */
  agentDrift: number;
  load: [number, number, number];
}

/** Runs the in-page soak. */
export async function runSoakPage(minutes: number): Promise<SoakPageResult> {
  const server = await startRepoServer();
  // measureUserAgentSpecificMemory answers at the next GC instead of a random time within 20 s
  const browser = await launchChromium(['--enable-blink-features=ForceEagerMeasureMemory']);
  const t0 = performance.now();
  const deadline = t0 + minutes * 60_000;
  try {
    const page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
    page.on('pageerror', (e) => process.stderr.write(`[page error] ${e.message}\n`));
    await page.goto(`${server.origin}/demo/index.html?enhance=0&backend=wasm`);
    await page.waitForFunction(
      () => (document.getElementById('viewer') as SoakViewer | null)?.info,
      undefined,
      {
        timeout: 120_000,
      },
    );
    await install(page);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('HeapProfiler.enable');
    const browserCdp = await browser.newBrowserCDPSession();

    const seen = new Map<string, number>(); // key -> cache evictions when it was inferred
    const res = {
      tilesInferred: 0,
      cacheHits: 0,
      duplicates: 0,
      duplicateKeys: [] as string[],
      stalledViews: 0,
      views: 0,
      pans: 0,
      zooms: 0,
      modelSwitches: 0,
      fileOpens: 0,
      backendSwitches: 0,
      errors: [] as string[],
      fallbacks: [] as string[],
      backends: {} as Record<string, number>,
    };
    const tileMs: number[] = [];
    const samples: Sample[] = [];
    let baseline: Sample | undefined;
    let lastSampleTile = 0;
    let evictions = 0;
    let warmUpTiles = 0;
    let openIndex = 0;
    let model = '';
    let backend = 'wasm';
    const out = () => performance.now() > deadline;
    const enough = () =>
      res.tilesInferred >= TARGET_TILES &&
      res.modelSwitches >= TARGET_SWITCHES &&
      res.fileOpens >= TARGET_FILES;
    const record = async (r: Awaited<ReturnType<typeof act>>) => {
      res.views++;
      if (r.ended === 'stalled') res.stalledViews++;
      res.errors.push(...r.errors);
      res.fallbacks.push(...r.fallbacks);
      for (const t of r.tiles) {
        res.backends[t.backend] = (res.backends[t.backend] ?? 0) + 1;
        if (t.backend === 'cache') {
          res.cacheHits++;
          continue;
        }
        res.tilesInferred++;
        tileMs.push(t.ms);
        const key = `${t.tag}|${t.col}|${t.row}`;
        const before = seen.get(key);
        // inferred again with no eviction since: a duplicate (an eviction is a reason to recompute)
        if (before !== undefined && before === evictions) {
          res.duplicates++;
          if (res.duplicateKeys.length < 10) res.duplicateKeys.push(key);
        }
        seen.set(key, evictions);
      }
      const due = res.tilesInferred - lastSampleTile >= SAMPLE_EVERY;
      const baselineDue = !baseline && warmUpTiles > 0 && res.tilesInferred >= 100;
      if (due || baselineDue) {
        lastSampleTile = res.tilesInferred;
        const s = await sample(page, cdp, browserCdp, res.tilesInferred, t0, baselineDue);
        evictions = s.cacheEvictions;
        samples.push(s);
        if (baselineDue) baseline = s;
        process.stderr.write(
          `soak-page: ${res.tilesInferred} tiles, ${res.cacheHits} cache hits, ${res.fileOpens} files, ${res.modelSwitches} switches, heap ${((s.v8Used + s.backing) / 2 ** 20).toFixed(1)} MiB (cache ${(s.cacheBytes / 2 ** 20).toFixed(1)}, store ${(s.storeBytes / 2 ** 20).toFixed(1)})${s.agent ? `, page + workers ${(s.agent.total / 2 ** 20).toFixed(1)} MiB` : ''}, ${s.workers} workers, ${s.sessions} sessions, ${s.t.toFixed(0)} s\n`,
        );
      }
    };

    /**
     * Baseline and end are sampled in the same state, so that what differs is what leaked: the first
     * file opened afresh with enhancement off (the closed image's tiles are freed; nothing is in flight).
     */
    const rest = async (full: boolean) => {
      const f = FILES[0]!;
      await openFile(page, f.url, `${f.family}-x2`, 'fidelity');
      res.fileOpens++;
      openIndex++;
      model = '';
      await new Promise((r) => setTimeout(r, 500));
      return sample(page, cdp, browserCdp, res.tilesInferred, t0, full);
    };

    /** deviceLoss on the first medical file, counted like any other open and its tiles. */
    const webgpuView = async (destroy: boolean) => {
      const medical = FILES.find((f) => f.family === 'medical')!;
      const r = await deviceLoss(page, medical.url, destroy);
      res.fileOpens++;
      openIndex++;
      model = '';
      res.tilesInferred += r.webgpu + r.wasm;
      for (const b of ['webgpu', 'wasm'] as const) res.backends[b] = (res.backends[b] ?? 0) + r[b];
      return r;
    };

    /** One file: open, zoom, walk; returns after `budget` inferred tiles (or the walk's end for warm-up). */
    const visit = async (fileNo: number, modelNo: number, budget: number, warm: boolean) => {
      const f = FILES[fileNo % FILES.length]!;
      let mi = modelNo;
      const spec = (i: number) => {
        const [scale, variant] = MODELS[i % MODELS.length]!.split('/') as [string, string];
        return { model: `${f.family}-${scale}`, variant };
      };
      const m0 = spec(mi);
      const info = await openFile(page, f.url, m0.model, m0.variant);
      res.fileOpens++;
      openIndex++;
      if (`${m0.model}/${m0.variant}` !== model) res.modelSwitches++;
      model = `${m0.model}/${m0.variant}`;
      const big = Math.max(info.width, info.height);
      const scale = Math.min(6, Math.max(1.5, (3 * VIEWER_PX) / big));
      const shown = VIEWER_PX / scale;
      const step = CELL * Math.max(1, Math.floor(shown / (2 * CELL)));
      const path = walk(info.width, info.height, shown, step);
      const tag = () => `${openIndex}|${info.frame}|${model}|${backend}`;
      const start = path[0]!;
      let r = await act(page, { tag: tag(), enhance: true, zoom: { scale, ...start } });
      res.zooms++;
      await record(r);
      const tiles0 = res.tilesInferred;
      let sinceSwitch = res.tilesInferred;
      let at = start;
      for (let i = 1; !warm && res.tilesInferred - tiles0 < budget; i++) {
        if (out() || enough()) return;
        if (res.tilesInferred - sinceSwitch >= SWITCH_EVERY) {
          sinceSwitch = res.tilesInferred;
          mi++;
          const m = spec(mi);
          model = `${m.model}/${m.variant}`;
          res.modelSwitches++;
          r = await act(page, { tag: tag(), model: m.model, variant: m.variant });
          await record(r);
          continue;
        }
        const next = path[i % path.length]!;
        if (next.x === at.x && next.y === at.y) {
          // a one-view image: zoom further in about another point instead
          r = await act(page, {
            tag: tag(),
            zoom: { scale: scale * 2, x: ((i * 37) % info.width) + 0.5, y: ((i * 53) % info.height) + 0.5 },
          });
          res.zooms++;
        } else {
          r = await act(page, {
            tag: tag(),
            pan: { dx: -(next.x - at.x) * scale, dy: -(next.y - at.y) * scale },
          });
          res.pans++;
        }
        at = next;
        await record(r);
      }
    };

    // warm-up: every file once, each with the next model/variant of its family (8 files: all 8 once)
    // (SOAK_PAGE_SKIP_WARMUP=1: a quick check of the loop itself, no baseline worth the name)
    const skipWarm = process.env.SOAK_PAGE_SKIP_WARMUP === '1';
    for (let i = 0; i < FILES.length && !out() && !skipWarm; i++) await visit(i, Math.floor(i / 2), 0, true);
    if (!skipWarm) {
      // every backend the run will use, once: an 'auto' view, and one tile on WebGPU (its session is
      // the one whose device the soak destroys halfway); a session is made once per key, not a leak
      await record(await act(page, { tag: `${openIndex}|0|${model}|auto`, backend: 'auto' }));
      await record(await act(page, { tag: `${openIndex}|0|${model}|wasm`, backend: 'wasm' }));
      await webgpuView(false);
    }
    warmUpTiles = res.tilesInferred;
    const afterWarm = await rest(res.tilesInferred >= 100);
    samples.push(afterWarm);
    if (res.tilesInferred >= 100) baseline = afterWarm;
    // the soak: files in turn, model/variant every SWITCH_EVERY tiles, one 'auto' view halfway
    let fileNo = 0;
    let switchedBackend = false;
    let lost: DeviceLossResult | undefined;
    while (!out() && !enough()) {
      const half = res.tilesInferred >= TARGET_TILES / 2 || performance.now() - t0 > (minutes * 60_000) / 2;
      if (!switchedBackend && half) {
        switchedBackend = true;
        backend = 'auto';
        res.backendSwitches++;
        await record(await act(page, { tag: `${openIndex}|0|${model}|auto`, backend: 'auto' }));
        backend = 'wasm';
        res.backendSwitches++;
        await record(await act(page, { tag: `${openIndex}|0|${model}|wasm`, backend: 'wasm' }));
        lost = await webgpuView(true);
        process.stderr.write(`soak-page: device loss ${JSON.stringify(lost)}\n`);
      }
      await visit(fileNo, fileNo + 1, FILE_EVERY, false);
      fileNo++;
    }
    const endedBy: 'tiles' | 'time' = enough() ? 'tiles' : 'time';
    const end = await rest(true);
    samples.push(end);
    baseline ??= samples[Math.min(samples.length - 1, 1)]!;
    const total = (s: Sample) => s.v8Used + s.backing;
    const lessCaches = (s: Sample) => total(s) - s.cacheBytes - s.storeBytes;
    tileMs.sort((a, b) => a - b);
    return {
      ...res,
      ...(lost ? { deviceLoss: lost } : {}),
      minutes: (performance.now() - t0) / 60_000,
      endedBy,
      warmUpTiles,
      medianTileMs: tileMs[Math.floor(tileMs.length / 2)] ?? NaN,
      samples,
      baseline,
      end,
      heapDrift: (total(end) - total(baseline)) / total(baseline),
      heapDriftLessCaches: (lessCaches(end) - lessCaches(baseline)) / lessCaches(baseline),
      v8Drift: (end.v8Used - baseline.v8Used) / baseline.v8Used,
      agentDrift:
        end.agent && baseline.agent ? (end.agent.total - baseline.agent.total) / baseline.agent.total : NaN,
      load: loadavg() as [number, number, number],
    };
  } finally {
    await browser.close();
    await server.stop();
  }
}

const mib = (b: number) => (b / 2 ** 20).toFixed(1);
const pct = (x: number) => `${(x * 100).toFixed(1)} %`;

/** The result as a Markdown table (also used by scripts/reliability.ts). */
export function soakPageTable(d: SoakPageResult): string {
  const b = d.baseline;
  const e = d.end;
  const rows: [string, string | number][] = [
    [
      'duration / ended by',
      `${d.minutes.toFixed(1)} min / ${d.endedBy === 'tiles' ? `${TARGET_TILES} tiles, ${TARGET_SWITCHES} switches and ${TARGET_FILES} files reached` : 'time budget'}`,
    ],
    ['tiles inferred (live, `sr-tile-enhanced` not from cache)', d.tilesInferred],
    ['tiles from the cache (panned back over)', d.cacheHits],
    [
      'tiles by backend',
      Object.entries(d.backends)
        .map(([k, n]) => `${k} ${n}`)
        .join(', '),
    ],
    ['median inference ms / tile', d.medianTileMs.toFixed(0)],
    ['duplicates (same key inferred again, no eviction)', d.duplicates],
    ['views that never finished (stalled 3 min)', d.stalledViews],
    ['views / pans / zooms', `${d.views} / ${d.pans} / ${d.zooms}`],
    ['model/variant switches', d.modelSwitches],
    ['files opened', d.fileOpens],
    ['backend switches (wasm -> auto -> wasm)', d.backendSwitches],
    [
      'device loss (halfway: MR on WebGPU, its GPUDevice destroyed after the first tile)',
      d.deviceLoss
        ? `${d.deviceLoss.ended}: ${d.deviceLoss.cells} cells, ${d.deviceLoss.webgpu} on WebGPU + ${d.deviceLoss.wasm} on WASM, ${d.deviceLoss.duplicates} duplicated, ${d.deviceLoss.lost} lost, ${d.deviceLoss.records} fallback record (${d.deviceLoss.reason.replaceAll('|', '/')}), ${d.deviceLoss.errors.length} errors, ${d.deviceLoss.seconds.toFixed(0)} s`
        : 'not reached',
    ],
    ['`sr-error` events', d.errors.length],
    [
      '`sr-fallback` events',
      `${d.fallbacks.length}${d.fallbacks[0] ? ` (first: ${d.fallbacks[0].replaceAll('|', '/')})` : ''}`,
    ],
    ['warm-up (every file, every model/variant, every backend once)', `${d.warmUpTiles} tiles`],
    [
      `page heap (V8 used + ArrayBuffers) at baseline (tile ${b.tile}, ${b.t.toFixed(0)} s) / end (tile ${e.tile})`,
      `${mib(b.v8Used + b.backing)} / ${mib(e.v8Used + e.backing)} MiB`,
    ],
    ['of it V8 used', `${mib(b.v8Used)} / ${mib(e.v8Used)} MiB (drift ${pct(d.v8Drift)})`],
    [
      "of it the page-wide cache of model outputs (LRU, 256 MiB; a closed image's entries freed)",
      `${mib(b.cacheBytes)} / ${mib(e.cacheBytes)} MiB (${b.cacheTiles} / ${e.cacheTiles} entries, ${e.cacheEvictions} evictions)`,
    ],
    [
      "of it the viewer's store of tiles ready to draw (LRU, 128 MiB; freed on each new image)",
      `${mib(b.storeBytes)} / ${mib(e.storeBytes)} MiB (${b.storeTiles} / ${e.storeTiles} tiles)`,
    ],
    [
      'page heap drift baseline -> end (all / less the cache and the store)',
      `${pct(d.heapDrift)} / ${pct(d.heapDriftLessCaches)}`,
    ],
    [
      "page + workers (`measureUserAgentSpecificMemory`: window / workers, onnxruntime-web's WASM memory included)",
      b.agent && e.agent
        ? `${mib(b.agent.total)} (${mib(b.agent.window)} / ${mib(b.agent.workers)}) / ${mib(e.agent.total)} (${mib(e.agent.window)} / ${mib(e.agent.workers)}) MiB, drift ${pct(d.agentDrift)}`
        : 'not measured',
    ],
    [
      'workers alive at baseline / end (`page.workers()`; CDP worker targets)',
      `${b.workers} / ${e.workers} (${b.workerTargets} / ${e.workerTargets}; end: ${e.workerNames.join(', ')})`,
    ],
    [
      'shared sessions at baseline / end (one per model/variant/backend used)',
      `${b.sessions} / ${e.sessions}`,
    ],
    ['1-min load average at the end (1 / 5 / 15 min)', d.load.map((x) => x.toFixed(2)).join(' / ')],
  ];
  return ['| counter | value |', '|---|---|', ...rows.map(([k, v]) => `| ${k} | ${v} |`)].join('\n');
}

/** `npm run bench -- soak-page`. */
export async function benchSoakPage(): Promise<string | SuiteOutput> {
  const minutes = Number(process.env.SOAK_PAGE_MINUTES ?? 12);
  const load0 = loadavg()[0] ?? NaN;
  const d = await runSoakPage(minutes);
  const markdown = [
    `One demo page in headless Chromium, one <sr-viewer> ${VIEWER_PX}x${VIEWER_PX} px, ${CELL} px cells, prefetch off, WASM;`,
    `${FILES.length} files (demo samples, DICOM MR/CT and GeoTIFF fixtures) in turn, a model/variant switch every ~${SWITCH_EVERY} tiles,`,
    `until ${TARGET_TILES} tiles, ${TARGET_SWITCHES} switches and ${TARGET_FILES} files, or ${minutes} min. 1-min load average at the start: ${load0.toFixed(2)} (shared 2-core machine).`,
    '',
    soakPageTable(d),
    ...(d.errors.length ? ['', 'Errors:', ...d.errors.slice(0, 10).map((m) => `- ${m}`)] : []),
    ...(d.duplicateKeys.length ? ['', 'Duplicate keys:', ...d.duplicateKeys.map((k) => `- ${k}`)] : []),
  ].join('\n');
  const { samples, baseline, end, errors, fallbacks, duplicateKeys, backends, load, deviceLoss, ...nums } = d;
  void samples;
  void baseline;
  void end;
  void errors;
  void fallbacks;
  void duplicateKeys;
  void backends;
  void load;
  const ratios: Record<string, number | null> = {};
  for (const [k, v] of Object.entries(nums)) ratios[k] = typeof v === 'number' ? v : null;
  Object.assign(ratios, {
    heapBaselineBytes: baseline.v8Used + baseline.backing,
    heapEndBytes: end.v8Used + end.backing,
    cacheBaselineBytes: baseline.cacheBytes,
    cacheEndBytes: end.cacheBytes,
    deviceLossCells: deviceLoss?.cells ?? null,
    deviceLossWebgpu: deviceLoss?.webgpu ?? null,
    deviceLossWasm: deviceLoss?.wasm ?? null,
    deviceLossDuplicates: deviceLoss?.duplicates ?? null,
    deviceLossLost: deviceLoss?.lost ?? null,
    deviceLossRecords: deviceLoss?.records ?? null,
    deviceLossErrors: deviceLoss?.errors.length ?? null,
    storeBaselineBytes: baseline.storeBytes,
    storeEndBytes: end.storeBytes,
    agentBaselineBytes: baseline.agent?.total ?? null,
    agentEndBytes: end.agent?.total ?? null,
    agentWorkersBaselineBytes: baseline.agent?.workers ?? null,
    agentWorkersEndBytes: end.agent?.workers ?? null,
    workersBaseline: baseline.workers,
    workersEnd: end.workers,
    sessionsBaseline: baseline.sessions,
    sessionsEnd: end.sessions,
    baselineTile: baseline.tile,
    load1End: load[0],
  });
  return { markdown, ratios };
}
