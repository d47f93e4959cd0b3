/**
 * Zoom to enhanced pixels, through the demo page in Debian's Chromium (playwright-core): from a
 * zoom-in to the first enhanced tile drawn on screen (`sr-rendered` with tiles) and to the whole
 * viewport enhanced (`sr-provenance`), per backend. The page starts below 1 screen px per image px
 * (nothing enhanced), then zooms in about a point ("cold": includes loading the weights and creating
 * the session) and then about another point whose tiles are not cached ("warm"). Prefetch is off so
 * "full viewport" means the visible tiles only. WebGPU runs on Chromium's SwiftShader software
 * adapter on a machine without a GPU, at a small viewport: those numbers are a CPU emulation.
 */
import { loadavg } from 'node:os';
import type { Page } from 'playwright-core';
import { DEFAULT_LIVE_CONFIG } from '../plugin/live/config.ts';
import { launchChromium, startRepoServer } from '../scripts/repo-server.ts';
import type { TilesrDemo } from '../scripts/screenshots.ts';
import { fmt } from './timing.ts';

interface ZoomCase {
  label: string;
  backend: 'wasm' | 'webgpu';
  /** Viewer size in CSS px and the zoom (screen px per image px). */
  size: number;
  zoom: number;
  tile: number;
  /**
   * Live inference block side (LR px; 0: one inference per cell, the old default), see
   * LiveEnhanceConfig.blockSize; undefined: the element's default (merged blocks, centre cell alone first).
   */
  blockSize?: number;
  budgetMs: number;
  /** Key suffix of this case's ratios (undefined: no ratio). */
  key?: string;
  /** The zoom whose view is all new (its halo overhead is the ratio): the second zoom overlaps the first on a 1024 px view. */
  fresh: 'warm' | 'cold';
}

const wasm = (size: number, blockSize: number | undefined, key: string): ZoomCase => ({
  // the first word keys report.ts's zoomTimes: one per case
  label: `WASM-${blockSize === undefined ? 'default' : blockSize === 0 ? 'per-cell' : `blocks${blockSize}`}${size === 512 ? '' : `-${size}`} (${blockSize === 0 ? 'one run per cell, the old default' : 'merged blocks'})`,
  backend: 'wasm',
  size,
  zoom: 4,
  tile: 64,
  blockSize,
  budgetMs: 180_000,
  key,
  fresh: size / 4 > 384 / 2 ? 'cold' : 'warm',
});

const CASES: ZoomCase[] = [
  wasm(512, 0, '_per_cell'),
  wasm(512, undefined, ''),
  wasm(1024, 0, '_per_cell_1024'),
  wasm(1024, undefined, '_1024'),
  wasm(1024, 256, '_256_1024'),
  {
    label: 'WebGPU (SwiftShader software adapter, no GPU)',
    backend: 'webgpu',
    size: 96,
    zoom: 3,
    tile: 32,
    blockSize: 0,
    budgetMs: 240_000,
    fresh: 'warm',
  },
];

interface Timing {
  firstMs: number;
  fullMs: number;
  tiles: number;
  backends: string;
  /** Fallback records in the viewer's provenance (JSON). */
  fallbacks: string[];
  /** Model runs and live halo overhead (LR px computed / LR px of the cells they made) of this zoom. */
  runs: number;
  overhead: number;
}

type DemoViewer = HTMLElement & {
  info?: unknown;
  tileSize: number;
  prefetch: number;
  enhance: boolean;
  zoomTo(scale: number, centre?: { x: number; y: number }): void;
  stats: { inferences?: number; computedPx?: number; shownPx?: number };
  provenance?: { tiles: unknown[]; backends: Record<string, number>; fallbacks: unknown[] };
};

/** One zoom about `centre` (image px): times to the first enhanced render and to provenance. */
async function zoomOnce(page: Page, c: ZoomCase, centre: { x: number; y: number }): Promise<Timing> {
  return page.evaluate(
    async ([zoom, cx, cy, budget]) => {
      const g = globalThis as unknown as { tilesrDemo: TilesrDemo & { viewer: DemoViewer } };
      const v = g.tilesrDemo.viewer;
      const first = g.tilesrDemo.nextViewerEvent('sr-rendered', true, budget);
      const full = g.tilesrDemo.nextViewerEvent('sr-provenance', false, budget);
      const s0 = { ...v.stats };
      const t0 = performance.now();
      v.zoomTo(zoom, { x: cx, y: cy });
      const t1 = await first;
      const t2 = await full;
      const p = v.provenance;
      // no named closures in page code: the bundler's __name helper does not exist in the page
      const st = v.stats;
      return {
        runs: (st.inferences ?? 0) - (s0.inferences ?? 0),
        overhead: ((st.computedPx ?? 0) - (s0.computedPx ?? 0)) / ((st.shownPx ?? 0) - (s0.shownPx ?? 0)),
        firstMs: t1 - t0,
        fullMs: t2 - t0,
        tiles: p?.tiles.length ?? 0,
        backends: Object.entries(p?.backends ?? {})
          .map(([k, n]) => `${k} ${n}`)
          .join(', '),
        fallbacks: (p?.fallbacks ?? []).map((f) => JSON.stringify(f)),
      };
    },
    [c.zoom, centre.x, centre.y, c.budgetMs] as const,
  );
}

async function runCase(
  origin: string,
  c: ZoomCase,
): Promise<{ cold: Timing; warm: Timing; fallbacks: string[] }> {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1100, height: 1100 } });
    page.on('pageerror', (e) => process.stderr.write(`[page error] ${e.message}\n`));
    await page.goto(`${origin}/demo/index.html?enhance=0&backend=${c.backend}`);
    await page.waitForFunction(
      () => (document.getElementById('viewer') as DemoViewer | null)?.info,
      undefined,
      {
        timeout: 60_000,
      },
    );
    const fallbacks: string[] = [];
    await page.exposeFunction('__srFallback', (r: string) => fallbacks.push(r));
    await page.evaluate(
      ([size, tile, blockSize]) => {
        const g = globalThis as unknown as { __srFallback: (r: string) => void };
        document
          .getElementById('viewer')!
          .addEventListener('sr-fallback', (e) =>
            g.__srFallback(JSON.stringify((e as CustomEvent<{ record: unknown }>).detail.record)),
          );
        const wrap = document.getElementById('viewer-wrap')!;
        wrap.style.width = wrap.style.height = `${size}px`;
        const v = document.getElementById('viewer') as DemoViewer;
        v.tileSize = tile;
        v.prefetch = 0;
        // the element's block-size property (0: one inference per cell; -1: leave the default)
        if (blockSize >= 0) (v as unknown as { blockSize: number }).blockSize = blockSize;
        v.zoomTo(0.5);
        v.enhance = true;
      },
      [c.size, c.tile, c.blockSize ?? -1] as const,
    );
    await page.waitForTimeout(500);
    // opposite corners: the visible LR regions (viewer / zoom px) are disjoint, so the warm zoom
    // finds nothing cached
    const half = c.size / c.zoom / 2;
    const cold = await zoomOnce(page, c, { x: half, y: half });
    const warm = await zoomOnce(page, c, { x: 384 - half, y: 384 - half });
    return { cold, warm, fallbacks };
  } finally {
    await browser.close();
  }
}

/**
 * Runs the zoom benchmark: Markdown, and per WASM case the warm zoom's ratios.live_halo_overhead<key>
 * (key '': the default settings on the 512 px view; '_per_cell': blockSize 0, the old default, as the
 * baseline in the same run; '_1024' / '_per_cell_1024': a 1024 px view) and
 * first_tile_ms<key>_warm / _cold, full_view_ms<key>_warm, plus first_tile_default_over_per_cell_*.
 * TILESR_ZOOM_CASES=wasm runs the WASM cases only (the SwiftShader WebGPU case takes minutes on a CPU).
 */
export async function benchZoom(): Promise<{ markdown: string; ratios: Record<string, number | null> }> {
  const only = process.env.TILESR_ZOOM_CASES;
  const cases = only ? CASES.filter((c) => only.split(',').includes(c.backend)) : CASES;
  const ratios: Record<string, number | null> = {
    live_halo_overhead: null,
    live_halo_overhead_per_cell: null,
  };
  const loadStart = loadavg()[0] ?? NaN;
  const server = await startRepoServer();
  const notes: string[] = [];
  const rows: string[] = [
    '| backend | viewer | zoom | tile (LR px) | block (LR px) | run | first tile on screen | full viewport | tiles in provenance | model runs | halo overhead | backends |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  try {
    for (const c of cases) {
      try {
        const { cold, warm, fallbacks } = await runCase(server.origin, c);
        if (c.key !== undefined) {
          ratios[`live_halo_overhead${c.key}`] = (c.fresh === 'warm' ? warm : cold).overhead;
          ratios[`first_tile_ms${c.key}_warm`] = warm.firstMs;
          ratios[`first_tile_ms${c.key}_cold`] = cold.firstMs;
          ratios[`full_view_ms${c.key}_warm`] = warm.fullMs;
        }
        for (const f of fallbacks) notes.push(`- ${c.label}: sr-fallback event ${f}`);
        for (const f of new Set([...cold.fallbacks, ...warm.fallbacks]))
          notes.push(`- ${c.label}: in the viewer's provenance ${f}`);
        for (const [run, t] of [
          ['cold (loads weights, creates session)', cold],
          ['warm (new tiles)', warm],
        ] as const)
          rows.push(
            `| ${c.label} | ${c.size}×${c.size} px | ×${c.zoom} | ${c.tile} | ${c.blockSize ?? `default (${DEFAULT_LIVE_CONFIG.blockSize})`} | ${run} | ${fmt(t.firstMs)} ms | ${fmt(t.fullMs)} ms | ${t.tiles} | ${t.runs} | ${fmt(t.overhead, 2)}× | ${t.backends} |`,
          );
      } catch (err) {
        rows.push(
          `| ${c.label} | ${c.size}×${c.size} px | ×${c.zoom} | ${c.tile} | ${c.blockSize ?? `default (${DEFAULT_LIVE_CONFIG.blockSize})`} | – | failed: ${String(err).split('\n')[0]} | | | | | |`,
        );
      }
    }
  } finally {
    await server.stop();
  }
  const r = (a: string, b: string) => {
    const x = ratios[a];
    const y = ratios[b];
    return typeof x === 'number' && typeof y === 'number' ? x / y : null;
  };
  for (const [k, base] of [
    ['', '_per_cell'],
    ['_1024', '_per_cell_1024'],
  ] as const)
    for (const run of ['warm', 'cold'] as const)
      ratios[`first_tile_default_over_per_cell${k}_${run}`] = r(
        `first_tile_ms${k}_${run}`,
        `first_tile_ms${base}_${run}`,
      );
  const markdown = [
    'MR sample (384×384, 12-bit) in the demo page, medical-x2, prefetch off; times from `zoomTo` to the',
    "viewer's first render with enhanced tiles and to its `sr-provenance` (every visible tile done).",
    `1-min load average at the start / end: ${fmt(loadStart, 2)} / ${fmt(loadavg()[0] ?? NaN, 2)} (other work on a`,
    'shared machine makes these numbers noisy; compare rows of one run only).',
    '',
    ...rows,
    'Halo overhead: LR px the model computed (inputs, halo included) / LR px of the cells those runs',
    `made, for this zoom (live engine stats). Default: blocks of up to ${DEFAULT_LIVE_CONFIG.blockSize} LR px, the centre cell alone`,
    'and first, the rest of the view in blocks (plugin/live/blocks.ts); one run per cell: block-size 0.',
    'The ratios take the warm zoom of the 512 px view and the cold one of the 1024 px view (its warm',
    'view overlaps the cold one, so only part of it is new).',
    ...(notes.length ? ['', 'Fallbacks reported by the viewer:', ...notes] : []),
  ].join('\n');
  return { markdown, ratios };
}
