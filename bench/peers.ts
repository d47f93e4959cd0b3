/**
 * Peers in one Chromium session on the same images: UpscalerJS 1.0 (ESRGAN slim / medium / thick x4
 * on TensorFlow.js WebGL, which on a machine without a GPU is SwiftShader, and on tfjs' pure-JS cpu
 * backend; tfjs-backend-wasm is not installed) against tilesr's medical-x4 and satellite-x4 fidelity
 * models on onnxruntime-web WASM (the models/ backend factory, as bench/browser/page.ts uses it).
 * Images: Set5 and Set14 from ../shared/data/benchmarks (read in place, never committed; skipped,
 * saying so, when absent; centre crops, see SET_CROP) and committed medical/satellite fixture crops,
 * taken round-robin over the sets so each engine's time budget cuts every set's tail. Degradation as in
 * validation/ for the published tables: MATLAB imresize bicubic x1/4 of each RGB channel, rounded
 * to 8 bits; every engine gets the same LR pixels. PSNR/SSIM: validation/ metrics in Node, on the
 * BT.601 Y channel, shave 4, data range 255. tilesr's models are single-channel, so they enhance
 * the LR's Y plane; UpscalerJS enhances RGB and its output's Y is measured.
 * Timing: one timed run per image (LR pixels in to SR pixels back on the CPU), on WebGL after a
 * first run on that image (tfjs compiles shaders per input shape); each engine gets a fresh page
 * and a time budget.
 * tfjs' cpu backend runs slim only: medium and thick would take minutes per image in pure JS.
 * The page (bench/browser/peers.html) is served by the repo dev server; UpscalerJS' weights come
 * from node_modules through it (an explicit model `path`), nothing from a CDN.
 * `node --import tsx bench/peers.ts` prints Markdown; `benchPeers()` returns it with ratios.
 */
import { existsSync, readdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { openImage } from '../cli/images.ts';
import { upsample } from '../validation/baselines.ts';
import { rgbToY } from '../validation/color.ts';
import { downsample, quantize } from '../validation/degrade.ts';
import { cropPlane, type Plane } from '../validation/image.ts';
import { compare } from '../validation/metrics/index.ts';
import type { PeerEngine, PeerImage, PeersFn, PeersRequest, PeersResult } from './browser/peers-protocol.ts';
import type { SuiteOutput } from './report.ts';
import { CHROMIUM, CHROMIUM_ARGS, ROOT, startRepoServer } from '../scripts/repo-server.ts';
import { fmt } from './timing.ts';

const BENCH = fileURLToPath(new URL('../../shared/data/benchmarks/', import.meta.url));
const SCALE = 4;
/** Per-engine time budget (ms): images not started by then are skipped (2 shared cores here). */
const BUDGET_MS = Number(process.env.PEERS_BUDGET_MS ?? 90_000);
/** PEERS_QUICK=1: one image per set (a smoke run of the harness, not a result). */
/**
 * Set5/Set14 are measured on centre crops of this side (HR px; LR 48x48): at full size one image
 * takes UpscalerJS thick minutes on SwiftShader, and the run must fit about 15 minutes on 2 cores.
 */
const SET_CROP = Number(process.env.PEERS_SET_CROP ?? 192);
const QUICK = process.env.PEERS_QUICK === '1';

/** One HR image as 8-bit RGB planes, with the set it belongs to. */
interface HrImage {
  set: string;
  name: string;
  rgb: [Plane, Plane, Plane];
}

/** Committed fixture crops: [set, file, crop side, bands]. Grey images are repeated into R, G, B. */
const FIXTURE_CROPS: [string, string, number][] = [
  ['medical', 'fixtures/dicom/mr384_12bit_explicit_le.dcm', 256],
  ['medical', 'fixtures/dicom/ct512_jpegls_near_lossless.dcm', 256],
  ['medical', 'fixtures/dicom/cr440_mono1_10bit.dcm', 256],
  ['satellite', 'fixtures/geotiff/u8_rgbn_none_striped.tif', 192],
  ['satellite', 'fixtures/geotiff/u16_rgb_none_striped.tif', 128],
];

/** Percentile of a plane's finite values (q in [0,1]). */
function percentile(values: Float64Array, q: number): number {
  const s = Float64Array.from(values.filter((v) => Number.isFinite(v))).sort();
  return s[Math.min(s.length - 1, Math.max(0, Math.round(q * (s.length - 1))))] ?? 0;
}

/**
 * To 8 bits with one robust (0.1-99.9 %) window over all bands, the way a viewer shows a 12/16-bit
 * image and the only form UpscalerJS takes; the tilesr models see the same 8-bit pixels.
 */
function to8bit(planes: Plane[]): Plane[] {
  const all = new Float64Array(planes.reduce((n, p) => n + p.data.length, 0));
  let o = 0;
  for (const p of planes) for (let i = 0; i < p.data.length; i++) all[o++] = p.data[i] as number;
  const lo = percentile(all, 0.001);
  const hi = percentile(all, 0.999);
  const k = hi > lo ? 255 / (hi - lo) : 1;
  return planes.map((p) => {
    const d = new Float64Array(p.data.length);
    for (let i = 0; i < d.length; i++)
      d[i] = Math.min(255, Math.max(0, Math.round(((p.data[i] as number) - lo) * k)));
    return { width: p.width, height: p.height, data: d };
  });
}

function asRgb(planes: Plane[]): [Plane, Plane, Plane] {
  const [r, g, b] = planes;
  if (!r) throw new Error('no bands');
  return g && b ? [r, g, b] : [r, r, r];
}

/** Set5/Set14 (when present) and the fixture crops, all modcropped to multiples of 4. */
async function loadImages(): Promise<{ images: HrImage[]; missing: string[] }> {
  const images: HrImage[] = [];
  const missing: string[] = [];
  for (const [set, file, side] of FIXTURE_CROPS) {
    const img = await openImage(join(ROOT, file));
    const bands = (await img.read(0)).slice(0, 3);
    await img.close();
    const x = Math.floor((img.width - side) / 2);
    const y = Math.floor((img.height - side) / 2);
    const crop = to8bit(bands.map((p) => cropPlane(p, x, y, side, side)));
    images.push({ set, name: `${file.split('/').pop() ?? file} (centre ${side})`, rgb: asRgb(crop) });
  }
  for (const set of ['Set5', 'Set14']) {
    const dir = join(BENCH, set);
    if (!existsSync(dir)) {
      missing.push(`${set} (${dir} absent)`);
      continue;
    }
    for (const f of readdirSync(dir)
      .filter((n) => n.endsWith('.png'))
      .sort()) {
      const img = await openImage(join(dir, f));
      const bands = await img.read(0);
      await img.close();
      const [b0] = bands;
      if (!b0) continue;
      const side =
        Math.min(SET_CROP, b0.width, b0.height) - (Math.min(SET_CROP, b0.width, b0.height) % SCALE);
      const x = Math.floor((b0.width - side) / 2);
      const y = Math.floor((b0.height - side) / 2);
      images.push({
        set,
        name: `${f} (centre ${side})`,
        rgb: asRgb(bands.map((p) => cropPlane(p, x, y, side, side))),
      });
    }
  }
  // round-robin over the sets, so a time budget cuts every set's tail rather than whole sets
  const bySet = new Map<string, HrImage[]>();
  for (const i of images) bySet.set(i.set, [...(bySet.get(i.set) ?? []), i]);
  const order: HrImage[] = [];
  for (let k = 0; order.length < images.length; k++)
    for (const list of bySet.values()) {
      const img = list[k];
      if (img) order.push(img);
    }
  if (!QUICK) return { images: order, missing };
  return { images: order.slice(0, bySet.size), missing };
}

/** MATLAB-style bicubic x1/4 per channel, rounded to uint8, interleaved for the page. */
function degrade(hr: HrImage): { lr: [Plane, Plane, Plane]; page: PeerImage } {
  const lr = hr.rgb.map((p) =>
    downsample(p, SCALE, { degradation: 'matlab', quantize: { min: 0, max: 255 } }),
  ) as [Plane, Plane, Plane];
  const [r, g, b] = lr;
  const n = r.width * r.height;
  const bytes = new Uint8Array(3 * n);
  for (let i = 0; i < n; i++) {
    bytes[3 * i] = r.data[i] as number;
    bytes[3 * i + 1] = g.data[i] as number;
    bytes[3 * i + 2] = b.data[i] as number;
  }
  return {
    lr,
    page: {
      name: `${hr.set}/${hr.name}`,
      width: r.width,
      height: r.height,
      rgbBase64: Buffer.from(bytes).toString('base64'),
    },
  };
}

/** One engine as the tables name it. */
interface EngineSpec {
  label: string;
  key: string;
  engine: PeerEngine;
}

const ENGINES: EngineSpec[] = [
  {
    label: 'tilesr medical-x4 (fidelity), ort-web WASM 2 threads',
    key: 'tilesr_medical_x4_wasm',
    engine: { kind: 'tilesr', model: 'medical-x4', threads: 2 },
  },
  {
    label: 'tilesr satellite-x4 (fidelity), ort-web WASM 2 threads',
    key: 'tilesr_satellite_x4_wasm',
    engine: { kind: 'tilesr', model: 'satellite-x4', threads: 2 },
  },
  ...(['slim', 'medium', 'thick'] as const).map((model) => ({
    label: `UpscalerJS esrgan-${model} x4, tfjs WebGL (SwiftShader)`,
    key: `upscaler_${model}_webgl`,
    engine: { kind: 'upscaler', model, tfBackend: 'webgl' } as const,
  })),
  {
    label: 'UpscalerJS esrgan-slim x4, tfjs cpu (pure JS)',
    key: 'upscaler_slim_cpu',
    engine: { kind: 'upscaler', model: 'slim', tfBackend: 'cpu' },
  },
];

/** Per image and engine: time and metrics. */
interface Cell {
  set: string;
  image: string;
  engine: string;
  lrPx: number;
  ms: number | null;
  coldMs?: number;
  psnr: number | null;
  ssim: number | null;
  skipped?: string;
}

function yOf(rgb: Uint8Array, w: number, h: number): Plane {
  const planes = [0, 1, 2].map((c) => {
    const d = new Float64Array(w * h);
    for (let i = 0; i < d.length; i++) d[i] = rgb[3 * i + c] ?? 0;
    return { width: w, height: h, data: d };
  }) as [Plane, Plane, Plane];
  return rgbToY(...planes);
}

/** Opens a fresh page (tfjs backends and onnxruntime settings are global per page) and runs one engine. */
async function runPage(browser: Browser, url: string, req: PeersRequest): Promise<PeersResult> {
  const page = await browser.newPage();
  page.on('pageerror', (e) => process.stderr.write(`[page error] ${e.message}\n`));
  page.on('console', (m) => {
    if (m.type() === 'error') process.stderr.write(`[page console] ${m.text()}\n`);
  });
  page.on('request', (r) => {
    if (!r.url().startsWith(url.slice(0, url.indexOf('/', 8))) && !r.url().startsWith('data:'))
      process.stderr.write(`[non-local request] ${r.url()}\n`);
  });
  try {
    await page.goto(url);
    await page.waitForFunction(() => 'tilesrPeers' in globalThis, undefined, { timeout: 120_000 });
    return await page.evaluate(
      (r) => ((globalThis as { tilesrPeers?: PeersFn }).tilesrPeers as PeersFn)(r),
      req,
    );
  } finally {
    await page.close();
  }
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);

/** Runs every engine on every image and returns Markdown + ratios. */
export async function benchPeers(): Promise<SuiteOutput> {
  const loadStart = loadavg()[0] ?? NaN;
  const t0 = performance.now();
  const { images, missing } = await loadImages();
  const prepared = images.map((hr) => ({ hr, ...degrade(hr), gtY: rgbToY(...hr.rgb) }));
  const cells: Cell[] = [];
  const metric = (gtY: Plane, y: Plane) => compare(gtY, y, { dataRange: 255, shave: SCALE });
  // the classical reference: MATLAB bicubic x4 of each LR channel, rounded to 8 bits, then Y
  for (const p of prepared) {
    const up = p.lr.map((c) => quantize(upsample(c, SCALE, 'bicubic', 'matlab'), { min: 0, max: 255 })) as [
      Plane,
      Plane,
      Plane,
    ];
    const m = metric(p.gtY, rgbToY(...up));
    cells.push({
      set: p.hr.set,
      image: p.hr.name,
      engine: 'bicubic',
      lrPx: p.lr[0].width * p.lr[0].height,
      ms: null,
      psnr: m.psnr,
      ssim: m.ssim,
    });
  }

  const server = await startRepoServer();
  const url = `${server.origin}/bench/browser/peers.html`;
  // SwiftShader WebGL needs this flag in current Chromium (no automatic software fallback)
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [...CHROMIUM_ARGS, '--enable-unsafe-swiftshader'],
  });
  const info: Record<string, { backend: string; renderer?: string; loadMs: number; error?: string }> = {};
  let userAgent = 'n/a';
  try {
    // PEERS_ENGINES=key,key: only those engines (harness checks)
    const only = process.env.PEERS_ENGINES?.split(',');
    for (const spec of ENGINES.filter((e) => !only || only.includes(e.key))) {
      const te = performance.now();
      process.stderr.write(`peers: ${spec.key} ...`);
      let res: PeersResult;
      try {
        res = await runPage(browser, url, {
          engine: spec.engine,
          images: prepared.map((p) => p.page),
          budgetMs: BUDGET_MS,
        });
      } catch (err) {
        info[spec.key] = { backend: 'n/a', loadMs: NaN, error: String(err).split('\n')[0] };
        continue;
      }
      process.stderr.write(
        ` ${((performance.now() - te) / 1000).toFixed(0)} s, load ${fmt(loadavg()[0] ?? NaN, 2)}\n`,
      );
      userAgent = res.userAgent;
      info[spec.key] = { backend: res.backend, renderer: res.renderer, loadMs: res.loadMs };
      for (const [i, r] of res.results.entries()) {
        const p = prepared[i];
        if (!p) continue;
        const lrPx = p.lr[0].width * p.lr[0].height;
        if (!r.outBase64 || r.ms === undefined) {
          cells.push({
            set: p.hr.set,
            image: p.hr.name,
            engine: spec.key,
            lrPx,
            ms: null,
            psnr: null,
            ssim: null,
            skipped: r.skipped ?? 'no output',
          });
          continue;
        }
        // copied into its own buffer at offset 0: a Buffer may be a pooled, unaligned view
        const bytes = new Uint8Array(Buffer.from(r.outBase64, 'base64'));
        const w = r.outWidth ?? 0;
        const h = r.outHeight ?? 0;
        const y: Plane =
          spec.engine.kind === 'tilesr'
            ? {
                width: w,
                height: h,
                data: Float64Array.from(new Float32Array(bytes.buffer, bytes.byteOffset, w * h)),
              }
            : yOf(bytes, w, h);
        const m = metric(p.gtY, y);
        cells.push({
          set: p.hr.set,
          image: p.hr.name,
          engine: spec.key,
          lrPx,
          ms: r.ms,
          coldMs: r.coldMs,
          psnr: m.psnr,
          ssim: m.ssim,
        });
      }
    }
  } finally {
    await browser.close();
    await server.stop();
  }

  // Per set and engine, over the images that engine finished; bicubic and the reference tilesr
  // model are averaged over those same images, so every difference compares like with like. The
  // reference is the tilesr model with the higher PSNR on that set (the domain model, normally).
  const sets = [...new Set(prepared.map((p) => p.hr.set))];
  const engines = [{ key: 'bicubic', label: 'bicubic (MATLAB, 8-bit), reference' }, ...ENGINES];
  const tilesrKeys = ENGINES.filter((e) => e.engine.kind === 'tilesr').map((e) => e.key);
  const ratios: Record<string, number | null> = {};
  const summary: string[] = [
    '| set | engine | images | ms / image | LR px / ms | PSNR Y (dB) | SSIM Y | PSNR - bicubic (dB) | PSNR - tilesr ref (dB) | ms / tilesr ref ms |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  const of = (set: string, engine: string) =>
    cells.filter((c) => c.set === set && c.engine === engine && c.psnr !== null);
  const avg = (set: string, engine: string, images: string[], k: 'psnr' | 'ms') =>
    mean(
      of(set, engine)
        .filter((c) => images.includes(c.image))
        .map((c) => c[k] ?? NaN),
    );
  for (const set of sets) {
    const ref =
      tilesrKeys
        .map((k) => ({ k, psnr: mean(of(set, k).map((c) => c.psnr ?? NaN)) ?? -Infinity }))
        .sort((a, b) => b.psnr - a.psnr)[0]?.k ?? '';
    for (const e of engines) {
      const mine = of(set, e.key);
      const imgs = mine.map((c) => c.image);
      const skipped = cells.filter((c) => c.set === set && c.engine === e.key && c.skipped).length;
      if (mine.length === 0) {
        summary.push(
          `| ${set} | ${e.label} | 0 | not run (${info[e.key]?.error ?? `${skipped} skipped: time budget`}) | | | | | | |`,
        );
        continue;
      }
      const isBic = e.key === 'bicubic';
      const ms = isBic ? null : mean(mine.map((c) => c.ms ?? NaN));
      const msSum = mine.reduce((n, c) => n + (c.ms ?? 0), 0);
      const px = mine.reduce((n, c) => n + c.lrPx, 0);
      const psnr = mean(mine.map((c) => c.psnr ?? NaN));
      const ssim = mean(mine.map((c) => c.ssim ?? NaN));
      const bic = avg(set, 'bicubic', imgs, 'psnr');
      // the reference must have finished every image this engine did
      const refDone = imgs.every((i) => of(set, ref).some((c) => c.image === i));
      const refPsnr = refDone ? avg(set, ref, imgs, 'psnr') : null;
      const refMs = refDone ? avg(set, ref, imgs, 'ms') : null;
      const d = (a: number | null, b: number | null) => (a !== null && b !== null ? a - b : null);
      const r = (a: number | null, b: number | null) => (a !== null && b !== null && b > 0 ? a / b : null);
      summary.push(
        `| ${set} | ${e.label}${e.key === ref ? ' **(tilesr ref)**' : ''} | ${mine.length} | ${isBic ? '' : fmt(ms, 0)} | ${isBic ? '' : fmt(px / msSum, 2)} | ${fmt(psnr, 2)} | ${fmt(ssim, 4)} | ${isBic ? '' : fmt(d(psnr, bic), 2)} | ${isBic || e.key === ref ? '' : fmt(d(psnr, refPsnr), 2)} | ${isBic || e.key === ref ? '' : fmt(r(ms, refMs), 2)} |`,
      );
      ratios[`${e.key}_${set}_psnr`] = psnr;
      ratios[`${e.key}_${set}_ssim`] = ssim;
      if (!isBic) {
        ratios[`${e.key}_${set}_ms`] = ms;
        if (e.key !== ref) {
          ratios[`${e.key}_${set}_psnr_minus_tilesr`] = d(psnr, refPsnr);
          ratios[`${e.key}_${set}_ms_over_tilesr`] = r(ms, refMs);
        }
      }
    }
  }

  const perImage: string[] = [
    '| set | image | LR px | engine | ms (timed run) | ms (first run) | PSNR Y (dB) | SSIM Y |',
    '|---|---|---|---|---|---|---|---|',
    ...cells.map(
      (c) =>
        `| ${c.set} | ${c.image} | ${c.lrPx} | ${c.engine} | ${c.skipped ? `skipped (${c.skipped})` : fmt(c.ms, 0)} | ${fmt(c.coldMs ?? null, 0)} | ${fmt(c.psnr, 2)} | ${fmt(c.ssim, 4)} |`,
    ),
  ];
  const setupLines = ENGINES.map((e) => {
    const i = info[e.key];
    return `- ${e.label}: ${i?.error ? `failed: ${i.error}` : `backend ${i?.backend ?? 'n/a'}${i?.renderer ? ` (renderer: ${i.renderer})` : ''}, model load ${fmt(i?.loadMs ?? null, 0)} ms`}`;
  });
  const lines = [
    `Chromium: ${userAgent}. One browser, one fresh page per engine, same LR pixels for all.`,
    `Sets: ${sets.join(', ')}${missing.length ? `; missing: ${missing.join(', ')}` : ''}${QUICK ? ' (PEERS_QUICK: one image per set, a smoke run)' : ''}.`,
    `Per-engine time budget ${BUDGET_MS / 1000} s (images taken round-robin over the sets); each row averages the images that engine finished, and its bicubic and tilesr differences are over those same images.`,
    `Set5/Set14: centre ${SET_CROP}x${SET_CROP} crops (LR ${SET_CROP / SCALE}x${SET_CROP / SCALE}), not the full images: PSNR is not comparable with published full-image tables.`,
    'tfjs-backend-wasm is not installed, so UpscalerJS runs on tfjs WebGL (SwiftShader: CPU emulation, no GPU on this machine) and tfjs cpu (slim only).',
    'ms / image: one timed run per image; on WebGL the run after a first one on that image (shader compiles; in the per-image table).',
    `1-min load average at the start / end of this suite: ${fmt(loadStart, 2)} / ${fmt(loadavg()[0] ?? NaN, 2)}; wall ${fmt((performance.now() - t0) / 1000, 0)} s.`,
    ...setupLines,
    '',
  ];
  return {
    markdown: [...lines, ...summary, '', 'Per image:', '', ...perImage].join('\n'),
    ratios,
    machine: { userAgent },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const out = await benchPeers();
  console.log(typeof out === 'string' ? out : out.markdown);
}
