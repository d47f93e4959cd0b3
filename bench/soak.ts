/**
 * Soak (`npm run bench -- soak`, 3 minutes; `node --expose-gc --import tsx scripts/reliability.ts
 * --soak MINUTES` for longer): decodes random windows of real DICOM and GeoTIFF fixtures and
 * enhances them with the real onnxruntime-node models through enhanceRaster, aborting a share of
 * the runs at a random moment, switching model/variant and file now and then and closing every
 * session and source it leaves. Memory (RSS, heap after a forced GC when `--expose-gc` is on) is
 * sampled throughout. The run starts with a warm-up that opens every file and runs every
 * model/variant once (lazily loaded codecs and module code stay in the heap for good, which is not
 * a leak); the leak signal is the growth from the later of the warm-up's end and tile 100 to the end.
 */
import { readFileSync } from 'node:fs';
import type { RasterSource } from '../formats/raster.ts';
import { openRaster } from '../formats/index.ts';
import { createSession } from '../models/backend/select.ts';
import type { InferenceSession } from '../models/backend/types.ts';
import type { Variant } from '../models/card.ts';
import { getModel, loadModel } from '../models/registry.ts';
import { enhanceRaster } from '../plugin/pipeline/enhance.ts';
import { PipelineError } from '../plugin/pipeline/errors.ts';

/** Files the soak switches between, with the model family that fits each. */
const FILES: { path: string; family: 'medical' | 'satellite' }[] = [
  { path: 'fixtures/dicom/mr384_12bit_explicit_le.dcm', family: 'medical' },
  { path: 'fixtures/dicom/ct512_jpeg_baseline_8bit.dcm', family: 'medical' },
  { path: 'fixtures/dicom/mr64_10frame_12bit_rle.dcm', family: 'medical' },
  { path: 'fixtures/dicom/mr384_12bit_j2k_lossless.dcm', family: 'medical' },
  { path: 'fixtures/geotiff/u16_rgb_cog_deflate_ovr.tif', family: 'satellite' },
  { path: 'fixtures/geotiff/f32_dsm_zstd_pred3.tif', family: 'satellite' },
  { path: 'fixtures/geotiff/u8_rgb_jpeg_tiled.tif', family: 'satellite' },
];

/** One memory sample. */
export interface SoakSample {
  t: number;
  rss: number;
  heapUsed: number;
  arrayBuffers: number;
}

/** What a soak did and how memory behaved. */
export interface SoakResult {
  wallMs: number;
  gc: boolean;
  files: number;
  tilesDecoded: number;
  tilesEnhanced: number;
  aborted: number;
  sessions: number;
  sessionsClosed: number;
  errors: number;
  errorMessages: string[];
  samples: SoakSample[];
  /** Tiles decoded during the warm-up (every file, every model/variant once). */
  warmUpTiles: number;
  /** Index in `samples` of the drift baseline: the later of the warm-up's end and tile 100. */
  baselineSample: number;
  /** (end - baseline) / baseline of heapUsed and RSS. */
  heapDrift: number;
  rssDrift: number;
  peakRss: number;
}

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Runs the soak for `minutes`. */
export async function runSoak(opts: { minutes: number; seed?: number }): Promise<SoakResult> {
  const r = rng(opts.seed ?? 1);
  const gc = (globalThis as { gc?: () => void }).gc;
  const t0 = performance.now();
  const end = t0 + opts.minutes * 60_000;
  const res: SoakResult = {
    wallMs: 0,
    gc: gc !== undefined,
    files: 0,
    tilesDecoded: 0,
    tilesEnhanced: 0,
    aborted: 0,
    sessions: 0,
    sessionsClosed: 0,
    errors: 0,
    errorMessages: [],
    samples: [],
    warmUpTiles: 0,
    baselineSample: 0,
    heapDrift: 0,
    rssDrift: 0,
    peakRss: 0,
  };
  // every file with every model/variant of its family once, before anything is measured
  const warm = FILES.flatMap((f) =>
    [2, 4].flatMap((scale) =>
      (['fidelity', 'perceptual'] as const).map((variant) => ({ f, scale, variant })),
    ),
  );
  let baseline = -1;
  const sample = () => {
    gc?.();
    const m = process.memoryUsage();
    res.peakRss = Math.max(res.peakRss, m.rss);
    res.samples.push({
      t: performance.now() - t0,
      rss: m.rss,
      heapUsed: m.heapUsed,
      arrayBuffers: m.arrayBuffers,
    });
  };
  let source: RasterSource | undefined;
  let file = FILES[0] as (typeof FILES)[number];
  let session: InferenceSession | undefined;
  let sessionKey = '';
  let tilesOnFile = 0;
  let lastSample = 0;
  try {
    while (performance.now() < end) {
      const wu = warm[res.tilesDecoded];
      if (!source || tilesOnFile >= 25 || (wu && wu.f !== file)) {
        await source?.close();
        file = wu ? wu.f : (FILES[Math.floor(r() * FILES.length)] as (typeof FILES)[number]);
        source = await openRaster(new Uint8Array(readFileSync(file.path)));
        res.files++;
        tilesOnFile = 0;
      }
      // a model/variant switch every ~20 tiles, or when the file's family changes
      const scale = wu ? wu.scale : r() < 0.7 ? 2 : 4;
      const variant: Variant = wu ? wu.variant : r() < 0.2 ? 'perceptual' : 'fidelity';
      const key = `${file.family}-x${scale}/${variant}`;
      if (!session || !sessionKey.startsWith(file.family) || (wu && key !== sessionKey) || r() < 0.05) {
        if (session) {
          await session.dispose();
          res.sessionsClosed++;
        }
        const entry = getModel(`${file.family}-x${scale}`, variant);
        session = await createSession(await loadModel(entry), { preference: 'node-cpu', nodeThreads: 1 });
        sessionKey = key;
        res.sessions++;
      }
      const { width, height, frames } = source.info;
      const w = Math.min(width, 24 + Math.floor(r() * 72));
      const h = Math.min(height, 24 + Math.floor(r() * 72));
      const window = {
        x: Math.floor(r() * (width - w + 1)),
        y: Math.floor(r() * (height - h + 1)),
        width: w,
        height: h,
      };
      const raster = await source.read({ window, frame: Math.floor(r() * frames) });
      res.tilesDecoded++;
      tilesOnFile++;
      const controller = new AbortController();
      const abortAfter = r() < 0.3 ? r() * 30 : undefined;
      const timer =
        abortAfter !== undefined
          ? setTimeout(() => controller.abort(new Error('soak abort')), abortAfter)
          : undefined;
      const [id, v] = sessionKey.split('/') as [string, Variant];
      try {
        await enhanceRaster(raster, {
          modelId: id,
          variant: v,
          session,
          band: raster.samples > 1 ? Math.floor(r() * raster.samples) : undefined,
          tile: 64,
          signal: controller.signal,
        });
        res.tilesEnhanced++;
      } catch (err) {
        if (err instanceof PipelineError && err.code === 'ABORTED') res.aborted++;
        else {
          res.errors++;
          if (res.errorMessages.length < 10) res.errorMessages.push(String(err).slice(0, 300));
        }
      } finally {
        clearTimeout(timer);
      }
      if (res.tilesDecoded === warm.length) res.warmUpTiles = warm.length;
      const due = baseline < 0 && res.tilesDecoded >= Math.max(warm.length, 100);
      if (due || performance.now() - lastSample > 2000) {
        lastSample = performance.now();
        sample();
        if (due) baseline = res.samples.length - 1;
      }
    }
  } finally {
    await source?.close();
    if (session) {
      await session.dispose();
      res.sessionsClosed++;
    }
  }
  sample();
  res.wallMs = performance.now() - t0;
  // a run too short to reach the baseline falls back to 10% of the samples (said in the report)
  res.baselineSample =
    baseline >= 0 ? baseline : Math.min(res.samples.length - 1, Math.floor(res.samples.length / 10));
  const base = res.samples[res.baselineSample] as SoakSample;
  const last = res.samples[res.samples.length - 1] as SoakSample;
  res.heapDrift = (last.heapUsed - base.heapUsed) / base.heapUsed;
  res.rssDrift = (last.rss - base.rss) / base.rss;
  return res;
}

/** `npm run bench -- soak`: a 3-minute soak as Markdown. */
export async function benchSoak(): Promise<string> {
  const s = await runSoak({ minutes: Number(process.env.SOAK_MINUTES ?? 3) });
  const mib = (b: number) => (b / 2 ** 20).toFixed(0);
  return [
    '| minutes | files | tiles decoded | enhanced | aborted | sessions opened/closed | errors | heap drift | RSS drift | peak RSS MiB | GC forced |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
    `| ${(s.wallMs / 60000).toFixed(1)} | ${s.files} | ${s.tilesDecoded} | ${s.tilesEnhanced} | ${s.aborted} | ${s.sessions}/${s.sessionsClosed} | ${s.errors} | ${(s.heapDrift * 100).toFixed(1)} % | ${(s.rssDrift * 100).toFixed(1)} % | ${mib(s.peakRss)} | ${s.gc} |`,
  ].join('\n');
}
