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
import { launchChromium, startRepoServer } from '../scripts/repo-server.ts';
import type { SuiteOutput } from './report.ts';
import { deviceLoss, type DeviceLossResult } from './soak-page/device-loss.ts';
import {
  act,
  CELL,
  FILES,
  install,
  MODELS,
  openFile,
  sample,
  VIEWER_PX,
  walk,
  type Sample,
  type SoakViewer,
} from './soak-page/page.ts';

export type { DeviceLossResult };

/** The issue's soak: 1000+ live tiles, 50 model/variant switches, 20 file changes in one page. */
const TARGET_TILES = 1000;
const TARGET_SWITCHES = 50;
const TARGET_FILES = 20;
const SAMPLE_EVERY = 50;
const SWITCH_EVERY = 10;
const FILE_EVERY = 30;
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
