// The viewer-agnostic live engine in Chromium, driving a real (small) viewer over a plain canvas
// (testing/canvas-adapter.ts) with the shipped medical-x2 on WASM and a real MR slice: visible cells
// come centre first, a pan aborts the superseded view's work, the next slice's cells are prefetched
// so showing it needs no new inference, the drawn pixels are the pipeline's enhanceTile output, the
// mark is drawn on every render with tiles, and merged blocks (the default: the centre cell alone
// first, the rest merged) compute less halo for the same pixels.
import { expect } from '@esm-bundle/chai';
import { openRaster } from '../../formats/index.ts';
import { toModalityValues, type Raster } from '../../formats/raster.ts';
import { computeRange } from '../../models/normalize.ts';
import { TileCache } from '../pipeline/cache.ts';
import { TileScheduler } from '../pipeline/scheduler.ts';
import { bindTileEnhancer } from '../pipeline/tile.ts';
import { pixelSpacingOf } from '../viewer/cornerstone/loader.ts';
import { watermarkLabel } from '../watermark/viewport.ts';
import {
  DEFAULT_LIVE_CONFIG,
  LiveTileEnhancer,
  type LiveEnhanceCallbacks,
  type LiveImage,
  type LiveTileInfo,
} from './live-tile-enhancer.ts';
import { sharedSession } from './sessions.ts';
import { CanvasAdapter, windowByte } from './testing/canvas-adapter.ts';

const MR = '/fixtures/dicom/mr384_12bit_explicit_le.dcm';
const T = 32;

function liveImage(imageId: string, raster: Raster): LiveImage {
  return {
    imageId,
    raster,
    modality: toModalityValues(raster, true) as Float32Array,
    bands: [0],
    spacing: pixelSpacingOf(raster.info.spacing),
    frame: raster.frame,
  };
}

/** The MR mirrored left-right: a second, different slice of the same size. */
function mirrored(raster: Raster): Raster {
  const data = raster.data.slice();
  for (let y = 0; y < raster.height; y++)
    for (let x = 0; x < raster.width; x++)
      data[y * raster.width + x] = raster.data[y * raster.width + raster.width - 1 - x] as number;
  return { ...raster, data };
}

interface Harness {
  engine: LiveTileEnhancer;
  adapter: CanvasAdapter;
  tiles: Array<{ imageId: string; info: LiveTileInfo }>;
  statuses: string[];
  errors: string[];
  scheduler: TileScheduler;
  cache: TileCache;
}

function until(pred: () => boolean, ms = 120_000): Promise<void> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const tick = () => {
      if (pred()) resolve();
      else if (performance.now() - t0 > ms) reject(new Error('timed out'));
      else setTimeout(tick, 20);
    };
    tick();
  });
}

describe('LiveTileEnhancer over a plain-canvas viewer (medical-x2, WASM, real MR)', function () {
  this.timeout(600_000);
  let stack: LiveImage[];
  let lo: number;
  let hi: number;

  before(async () => {
    const src = await openRaster(new URL(MR, location.href));
    const raster = await src.read();
    await src.close();
    stack = [liveImage('mr#1', raster), liveImage('mr#2', mirrored(raster))];
    const r = computeRange((stack[0] as LiveImage).modality);
    lo = r.lo;
    hi = r.hi;
    await sharedSession('medical-x2', 'fidelity', 'wasm');
  });

  function harness(blockSize = 0, storeBytes?: number): Harness {
    const canvas = document.createElement('canvas');
    canvas.width = 256;
    canvas.height = 256;
    document.body.append(canvas);
    const adapter = new CanvasAdapter(canvas, stack, { lo, hi });
    const h: Omit<Harness, 'engine'> = {
      adapter,
      tiles: [],
      statuses: [],
      errors: [],
      scheduler: new TileScheduler(),
      cache: new TileCache(64 * 1024 * 1024),
    };
    const callbacks: LiveEnhanceCallbacks = {
      progress: () => undefined,
      tile: (info) => h.tiles.push({ imageId: adapter.image.imageId, info }),
      fallback: () => undefined,
      provenance: () => undefined,
      error: (e) => h.errors.push(`${e.code}: ${e.message}`),
      rendered: () => undefined,
      status: (s) => h.statuses.push(s),
    };
    const engine = new LiveTileEnhancer(
      adapter,
      callbacks,
      { enabled: true, backend: 'wasm', tileSize: T, prefetchRing: 0, blockSize },
      // a scheduler and cache of its own: counts and order are this test's only
      { scheduler: h.scheduler, cache: h.cache, ...(storeBytes ? { storeBytes } : {}) },
    );
    engine.setNeighbours(async (id) => stack.find((s) => s.imageId === id) as LiveImage);
    return { ...h, engine };
  }

  /** The scheduler is empty and the redraw the last tile asked for has rendered. */
  const idle = async (h: Harness) => {
    await until(() => h.scheduler.running === 0 && h.scheduler.queued === 0);
    await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
  };

  it('enhances the visible cells centre first, draws them with the mark, prefetches the next slice', async () => {
    const h = harness();
    const { engine, adapter } = h;
    engine.setImage(adapter.image);
    adapter.setView(2, 128, 128); // 128x128 LR px: 4x4 cells of 32 px
    await until(() => engine.status === 'done');
    await idle(h);
    expect(h.errors).to.deep.equal([]);
    const first = h.tiles.filter((t) => t.imageId === 'mr#1').map((t) => t.info);
    expect(first).to.have.length(16);
    // centre first: distance of each cell's centre to the view's centre never decreases
    const dist = (t: LiveTileInfo) => Math.hypot(t.rect.x + T / 2 - 192, t.rect.y + T / 2 - 192);
    const d = first.map(dist);
    for (let i = 1; i < d.length; i++) expect(d[i]).to.be.at.least(d[i - 1] as number);
    expect(d[0]).to.be.below(d[d.length - 1] as number);

    // the next slice (adapter.neighbours) was prefetched: its 16 cells are stored, 32 runs in all
    expect(engine.stats.inferences).to.equal(32);
    const runs = engine.stats.inferences;

    // every render that drew tiles asked for the mark with the model's label, and got it
    await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
    const label = watermarkLabel('medical-x2', 2, false);
    const withTiles = adapter.draws.filter((d) => d.tiles > 0);
    expect(withTiles.length).to.equal(engine.stats.enhancedRenders).and.to.be.above(0);
    for (const d of withTiles) {
      expect(d.label).to.equal(label);
      expect(d.watermark, 'a mark on every render with tiles').to.not.equal(undefined);
    }
    expect(engine.lastWatermark).to.not.equal(undefined);
    expect(engine.lastDrawn).to.have.length(16);

    // drawn pixels == the pipeline's enhanceTile output for that cell (zoom 2 = scale 2: 1:1)
    const cell = { x: 160, y: 160, width: T, height: T };
    const ref = await bindTileEnhancer({
      values: adapter.image.modality,
      width: 384,
      height: 384,
      samples: 1,
      imageId: 'reference',
      modelId: 'medical-x2',
      bands: [0],
      ranges: engine.exportRanges(),
      session: (await sharedSession('medical-x2', 'fidelity', 'wasm')).session,
    }).enhanceTile(cell);
    const ctx = adapter.canvas.getContext('2d') as CanvasRenderingContext2D;
    const shown = ctx.getImageData((cell.x - 128) * 2, (cell.y - 128) * 2, 2 * T, 2 * T).data;
    let worst = 0;
    for (let i = 0; i < ref.data.length; i++)
      worst = Math.max(worst, Math.abs((shown[i * 4] as number) - windowByte(ref.data[i] as number, lo, hi)));
    expect(worst, 'drawn byte vs enhanceTile byte').to.equal(0);

    // switching to the prefetched slice shows all its cells with no new inference
    const before = engine.stats.enhancedRenders;
    adapter.show(1);
    engine.setImage(adapter.image);
    await until(() => engine.stats.enhancedRenders > before && engine.status === 'done');
    expect(engine.lastDrawn).to.have.length(16);
    expect(engine.stats.inferences).to.equal(runs);
    expect(adapter.draws[adapter.draws.length - 1]?.imageId).to.equal('mr#2');
    engine.dispose();
  });

  it('aborts the superseded view when the user pans away', async () => {
    const h = harness();
    const { engine, adapter } = h;
    engine.setImage(adapter.image);
    engine.setNeighbours(undefined);
    adapter.setView(2, 0, 0);
    await until(() => h.tiles.length >= 1);
    adapter.setView(2, 256, 256); // the bottom-right corner: no cell in common
    await until(() => engine.status === 'done');
    await idle(h);
    const old = h.tiles.filter((t) => t.info.rect.x < 128 && t.info.rect.y < 128);
    expect(engine.stats.aborted).to.be.above(0);
    expect(old.length).to.be.below(16);
    expect(h.tiles.length - old.length).to.equal(16);
    expect(engine.lastDrawn).to.have.length(16);
    engine.dispose();
  });

  it('a store smaller than the view keeps the visible cells; forget frees what a closed image held', async () => {
    const cellBytes = 2 * T * (2 * T) * 4; // one x2 cell of one band, float32
    const h = harness(0, 4 * cellBytes);
    const { engine, adapter } = h;
    engine.setNeighbours(undefined);
    engine.setImage(adapter.image);
    adapter.setView(2, 128, 128); // 16 cells, 4x the store's bound
    await until(() => engine.status === 'done');
    await idle(h);
    await new Promise((r) => setTimeout(r, 500));
    // the view's cells are kept over the bound (evicting them would compute them again at once)
    expect(engine.lastDrawn).to.have.length(16);
    expect(engine.stored.tiles).to.equal(16);
    expect(engine.stats.inferences, 'no cell computed twice').to.equal(16);
    // a view elsewhere: the old cells are no longer kept and go
    adapter.setView(2, 256, 256);
    await until(() => h.tiles.length >= 32 && engine.status === 'done');
    await idle(h);
    expect(engine.stats.inferences).to.equal(32);
    expect(engine.stored.tiles).to.equal(16);
    expect(engine.stored.bytes).to.equal(16 * cellBytes);
    const mr1 = (k: string) => k.startsWith('mr#1|');
    expect([...h.cache.entries()].filter(([k]) => mr1(k)).length).to.equal(32);
    // the first image closed (another shown, then forgotten): its tiles and model outputs are freed
    adapter.show(1);
    engine.setImage(adapter.image);
    engine.forget('mr#1');
    expect(engine.stored.tiles).to.equal(0);
    expect([...h.cache.entries()].filter(([k]) => mr1(k)).length).to.equal(0);
    expect(h.cache.bytes).to.equal(0);
    engine.dispose();
  });

  it('merged blocks (default): centre cell alone first, the rest merged, less halo, same pixels', async () => {
    const h = harness(DEFAULT_LIVE_CONFIG.blockSize);
    const { engine, adapter } = h;
    engine.setImage(adapter.image);
    engine.setNeighbours(undefined);
    adapter.setView(2, 128, 128);
    await until(() => engine.status === 'done');
    await idle(h);
    expect(h.errors).to.deep.equal([]);
    // the centre cell (160,160) alone and first (32 + 2 x 17 px halo), then the 15 others in one block
    // with it as context (128 + 2 x 17): cheaper than 4 blocks around it (bands 162x66, 66x66, 98x66, 162x98)
    expect(engine.stats.inferences).to.equal(2);
    expect(h.tiles).to.have.length(16);
    expect(h.tiles[0]?.info.rect).to.deep.equal({ x: 160, y: 160, width: T, height: T });
    const overhead = (engine.stats.computedPx as number) / (engine.stats.shownPx as number);
    const computed = 66 * 66 + 162 * 162;
    // against (66/32)^2 = 4.25 per 32 px cell (one block for all would be (162/128)^2 = 1.6)
    expect(overhead).to.be.closeTo(computed / (128 * 128), 1e-9);
    expect(engine.lastDrawn).to.have.length(16);
    await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
    const cell = { x: 160, y: 160, width: T, height: T };
    const ref = await bindTileEnhancer({
      values: adapter.image.modality,
      width: 384,
      height: 384,
      samples: 1,
      imageId: 'reference-block',
      modelId: 'medical-x2',
      bands: [0],
      ranges: engine.exportRanges(),
      session: (await sharedSession('medical-x2', 'fidelity', 'wasm')).session,
    }).enhanceTile(cell);
    const ctx = adapter.canvas.getContext('2d') as CanvasRenderingContext2D;
    const shown = ctx.getImageData((cell.x - 128) * 2, (cell.y - 128) * 2, 2 * T, 2 * T).data;
    let worst = 0;
    for (let i = 0; i < ref.data.length; i++)
      worst = Math.max(worst, Math.abs((shown[i * 4] as number) - windowByte(ref.data[i] as number, lo, hi)));
    // a cell cut from a block equals the cell alone within float rounding: at most one grey level
    expect(worst).to.be.at.most(1);
    engine.dispose();
  });
  it('three-band colour goes through luma by default: one run per block, the pipeline luma pixels', async () => {
    const mr = stack[0] as LiveImage;
    const n = 384 * 384;
    const modality = new Float32Array(n * 3);
    const m = mr.modality;
    // R: the slice, G: mirrored, B: half the slice plus an offset
    for (let i = 0; i < n; i++) {
      const x = i % 384;
      modality[i * 3] = m[i] as number;
      modality[i * 3 + 1] = m[i - x + 383 - x] as number;
      modality[i * 3 + 2] = 0.5 * (m[i] as number) + 100;
    }
    const rgb: LiveImage = {
      ...mr,
      imageId: 'rgb#1',
      raster: { ...mr.raster, samples: 3, data: modality },
      modality,
      bands: [0, 1, 2],
    };
    const h = harness(DEFAULT_LIVE_CONFIG.blockSize);
    const { engine, adapter } = h;
    engine.setNeighbours(undefined);
    stack.push(rgb);
    adapter.show(stack.length - 1);
    engine.setImage(rgb);
    adapter.setView(2, 128, 128);
    await until(() => engine.status === 'done');
    await idle(h);
    expect(h.errors).to.deep.equal([]);
    expect(engine.stats.inferences, 'one run per block, not one per band').to.equal(2);
    expect(engine.provenance().colorPath).to.equal('luma');
    const cell = { x: 160, y: 160, width: T, height: T };
    const ref = await bindTileEnhancer({
      values: modality,
      width: 384,
      height: 384,
      samples: 3,
      imageId: 'reference-rgb',
      modelId: 'medical-x2',
      bands: [0, 1, 2],
      ranges: engine.exportRanges(),
      session: (await sharedSession('medical-x2', 'fidelity', 'wasm')).session,
      colorPath: 'luma',
    }).enhanceTile(cell);
    const got = engine.tilePixels(5, 5);
    expect(got?.samples).to.equal(3);
    let worst = 0;
    for (let i = 0; i < ref.data.length; i++)
      worst = Math.max(worst, Math.abs((got?.data[i] as number) - (ref.data[i] as number)));
    expect(worst, 'stored cell vs enhanceTile (luma), real units').to.be.at.most(1e-3);
    engine.dispose();
  });
});
