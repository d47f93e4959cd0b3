/**
 * Colour through luma (luma.ts) on a real 3-band GeoTIFF window with the real satellite-x2
 * (onnxruntime-node): the transform is exact both ways, a tile equals the same window of the whole
 * image enhanced in one run on this path too (interior and at the edge), one model run per tile
 * instead of three, a band far beyond its range keeps its true level (range rule), the result stays
 * close to the per-band path, and provenance says which path made the pixels.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { openRaster, toModalityValues, type Raster } from '../../formats/index.ts';
import { createNodeCpuBackend } from '../../models/backend/ort-node.ts';
import type { InferenceSession } from '../../models/backend/types.ts';
import { computeRange, type NormRange } from '../../models/normalize.ts';
import { getModel, loadModel } from '../../models/registry.ts';
import { colorPathFor, lumaMerge, lumaSplit } from './luma.ts';
import { bindTileEnhancer, tileProvenance, type EnhancedTile, type TileEnhancer } from './tile.ts';
import type { Rect } from './tiler.ts';

describe('colour through luma (satellite-x2, 3 bands)', () => {
  let raster: Raster;
  let values: Float32Array;
  let ranges: NormRange[];
  let session: InferenceSession;
  const bind = (colorPath: 'luma' | 'per-band', v: ArrayLike<number> = values, id = 'fixture') =>
    bindTileEnhancer({
      values: v,
      width: raster.width,
      height: raster.height,
      samples: 3,
      imageId: `${id}-${colorPath}`,
      modelId: 'satellite-x2',
      bands: [0, 1, 2],
      ranges,
      session,
      colorPath,
    });
  /** Max |a - b| over the window `rect` of `whole` (whole-image tile), on each band's normalized scale. */
  function diff(whole: EnhancedTile, tile: EnhancedTile): number {
    const s = whole.scale;
    const r = tile.rect;
    let worst = 0;
    for (let y = 0; y < tile.height; y++)
      for (let x = 0; x < tile.width; x++)
        for (let b = 0; b < 3; b++) {
          const span = (ranges[b] as NormRange).hi - (ranges[b] as NormRange).lo;
          const w = whole.data[(((r.y * s + y) * whole.width + r.x * s + x) * 3 + b) as number] as number;
          const t = tile.data[(y * tile.width + x) * 3 + b] as number;
          worst = Math.max(worst, Math.abs(w - t) / span);
        }
    return worst;
  }

  before(async () => {
    const src = await openRaster('fixtures/geotiff/u16_rgb_cog_deflate_ovr.tif');
    try {
      raster = await src.read({ window: { x: 40, y: 30, width: 64, height: 56 } });
    } finally {
      await src.close();
    }
    values = Float32Array.from(toModalityValues(raster));
    ranges = [0, 1, 2].map((band) => computeRange(values, { stride: 3, band }));
    session = await createNodeCpuBackend().createSession(await loadModel(getModel('satellite-x2')));
  });
  after(() => session.dispose());

  test('the transform is exact both ways (scale 1) and luma is asked for three bands only', () => {
    const rect = { x: 3, y: 5, width: 20, height: 11 };
    const lr = lumaSplit({ values, width: raster.width, samples: 3 }, rect, [0, 1, 2], ranges);
    const rgb = lumaMerge(
      lr.y,
      lr,
      { width: rect.width, height: rect.height, scale: 1 },
      {
        ox: 0,
        oy: 0,
        width: rect.width,
        height: rect.height,
      },
    );
    for (let b = 0; b < 3; b++) {
      const r = ranges[b] as NormRange;
      for (let i = 0; i < rect.width * rect.height; i++) {
        const x = rect.x + (i % rect.width);
        const y = rect.y + Math.floor(i / rect.width);
        const n = ((values[(y * raster.width + x) * 3 + b] as number) - r.lo) / (r.hi - r.lo);
        assert.ok(Math.abs((rgb[b]?.[i] as number) - n) < 1e-5, `band ${b} px ${i}`);
      }
    }
    assert.equal(colorPathFor([0, 1, 2], 'luma'), 'luma');
    assert.equal(colorPathFor([0], 'luma'), 'per-band');
    assert.equal(colorPathFor([0, 1, 2], undefined), 'per-band');
    assert.throws(
      () =>
        bindTileEnhancer({
          values,
          width: raster.width,
          height: raster.height,
          samples: 3,
          imageId: 'x',
          modelId: 'satellite-x2',
          bands: [0, 1],
          session,
          colorPath: 'luma',
        }),
      (e: unknown) => (e as { code?: string }).code === 'INVALID_REQUEST',
    );
  });

  test('tiles == whole on the luma path, one model run per tile, provenance says luma', async () => {
    const luma: TileEnhancer = bind('luma');
    const whole = await luma.enhanceTile({ x: 0, y: 0, width: raster.width, height: raster.height });
    assert.equal(whole.inferences, 1);
    const tiles: Rect[] = [
      { x: 20, y: 20, width: 16, height: 12 }, // interior: the halo is not clamped
      { x: 0, y: 0, width: 24, height: 16 }, // corner: clamped halo
      { x: 48, y: 40, width: 16, height: 16 }, // the opposite corner
    ];
    for (const rect of tiles) {
      const tile = await luma.enhanceTile(rect);
      assert.equal(tile.inferences, 1, 'one run for three bands');
      const d = diff(whole, tile);
      assert.ok(d < 1e-4, `tile ${JSON.stringify(rect)} vs whole: ${d}`);
    }
    const perBand = await bind('per-band').enhanceTile(tiles[0] as Rect);
    assert.equal(perBand.inferences, 3);
    // same model, same tile: luma differs from per band by chroma detail only
    assert.ok(diff(whole, perBand) < 0.25, `luma vs per band ${diff(whole, perBand)}`);
    const p = tileProvenance(luma, whole, { format: 'geotiff', frame: 0, totalMs: 1 });
    assert.equal(p.colorPath, 'luma');
    const pb = tileProvenance(bind('per-band'), perBand, { format: 'geotiff', frame: 0, totalMs: 1 });
    assert.equal(pb.colorPath, 'per-band');
  });

  test('range rule on the luma path: a band far beyond its range keeps its true level', async () => {
    const v = Float32Array.from(values);
    const r0 = ranges[0] as NormRange;
    const span = r0.hi - r0.lo;
    const hot = r0.hi + 0.6 * span; // red far above its robust range, a 10x10 patch on a dark area
    for (let y = 20; y < 30; y++) for (let x = 26; x < 36; x++) v[(y * raster.width + x) * 3] = hot;
    const rect = { x: 16, y: 12, width: 32, height: 28 };
    const red = (t: EnhancedTile) => t.data.filter((_, i) => i % 3 === 0);
    const luma = await bind('luma', v, 'hot').enhanceTile(rect);
    const perBand = await bind('per-band', v, 'hot').enhanceTile(rect);
    const s = luma.scale;
    // the patch centre (LR 31, 25), red band
    const centre = red(luma)[(25 - rect.y) * s * luma.width + (31 - rect.x) * s] as number;
    assert.ok(Math.abs(centre - hot) / span < 0.01, `red at the patch centre ${centre} vs ${hot}`);
    // its edges ring no more than the per-band path's (bicubic of the excess on both paths)
    const max = (a: Float32Array) => a.reduce((m, x) => Math.max(m, x), -Infinity);
    const over = (max(red(luma)) - max(red(perBand))) / span;
    assert.ok(over < 0.01, `luma's red maximum exceeds per band's by ${over} of the range`);
  });
});
