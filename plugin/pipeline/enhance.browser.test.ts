// The tiling contract in Chromium, on a real fixture decoded in the browser and the real shipped
// model: tiled output equals whole-image output (WASM at tile sizes that do not divide the image,
// WebGPU on the software adapter at a tiny tile), WebGPU agrees with WASM, and the browser agrees
// with onnxruntime-node (node-infer server command) — all within 1e-4 on the normalized scale.
import { expect } from '@esm-bundle/chai';
import { executeServerCommand } from '@web/test-runner-commands';
import { openRaster } from '../../formats/index.ts';
import type { Raster } from '../../formats/raster.ts';
import { createSession } from '../../models/backend/select.ts';
import type { InferenceSession } from '../../models/backend/types.ts';
import { normalize } from '../../models/normalize.ts';
import { getModel, loadModel } from '../../models/registry.ts';
import { deviceTileLimits, enhanceRaster, type EnhanceResult } from './enhance.ts';
import { webGpuAdapterLimits } from '../../models/backend/gpu-types.ts';
import { maxTileForLimits, webGpuTileLimits } from './tiler.ts';
import { excessPlane, restoreRange } from './range.ts';

const FIXTURE = '/fixtures/dicom/mr384_12bit_jpeg_lossless_sv1.dcm';

async function crop(x: number, y: number, width: number, height: number): Promise<Raster> {
  const src = await openRaster(new URL(FIXTURE, location.href));
  try {
    return await src.read({ window: { x, y, width, height } });
  } finally {
    await src.close();
  }
}

/** Max |a-b| on the normalized scale of a's band-0 range. */
function maxNormDiff(a: EnhanceResult, b: EnhanceResult): number {
  const n = a.provenance.normalization[0]!;
  expect(a.data.length).to.equal(b.data.length);
  let m = 0;
  for (let i = 0; i < a.data.length; i++) m = Math.max(m, Math.abs(a.data[i]! - b.data[i]!));
  return m / (n.hi - n.lo);
}

describe('enhanceRaster in Chromium (medical-x2, real MR crop decoded in the browser)', function () {
  this.timeout(300_000);
  let wasm: InferenceSession;
  let raster: Raster;
  let whole: EnhanceResult;

  before(async () => {
    const model = await loadModel(getModel('medical-x2'));
    wasm = await createSession(model, { preference: 'wasm' });
    // 88x60: the default halo (receptive field + 4) leaves interior tiles at tile sizes 24 and 40
    raster = await crop(150, 160, 88, 60);
    whole = await enhanceRaster(raster, { modelId: 'medical-x2', session: wasm, tile: 4096 });
    expect(whole.provenance.tile.count).to.equal(1);
  });
  after(() => wasm.dispose());

  for (const tile of [24, 40]) {
    it(`WASM: tiles of ${tile} (not dividing 88x60) equal the whole image within 1e-4`, async () => {
      const tiled = await enhanceRaster(raster, { modelId: 'medical-x2', session: wasm, tile });
      expect(tiled.provenance.tile.count).to.be.greaterThan(2);
      expect(tiled.provenance.tile.halo).to.be.at.least(getModel('medical-x2').receptiveFieldLrPx);
      const d = maxNormDiff(whole, tiled);
      console.log(
        `wasm tile ${tile}: ${tiled.provenance.tile.count} tiles, max |diff| ${d.toExponential(2)}`,
      );
      expect(d).to.be.at.most(1e-4);
    });
  }

  it('WASM whole image agrees with onnxruntime-node on the same normalized input within 1e-4', async () => {
    const n = whole.provenance.normalization[0]!;
    const lr = normalize(raster.data, { lo: n.lo, hi: n.hi, constant: false, count: raster.data.length });
    const node = await executeServerCommand<
      { data: number[]; width: number; height: number; backend: string },
      { model: string; data: number[]; width: number; height: number }
    >('node-infer', {
      model: 'medical-x2',
      data: Array.from(lr),
      width: raster.width,
      height: raster.height,
    });
    expect([node.width, node.height]).to.deep.equal([whole.width, whole.height]);
    // the same range rule on Node's raw output (clamp, plus the upsampled excess beyond the range)
    const range = { lo: n.lo, hi: n.hi, constant: false, count: raster.data.length };
    const scale = whole.width / raster.width;
    const nodeNorm = restoreRange(
      Float32Array.from(node.data),
      excessPlane(raster.data, range),
      raster.width,
      raster.height,
      scale,
    );
    let m = 0;
    for (let i = 0; i < nodeNorm.length; i++)
      m = Math.max(m, Math.abs(nodeNorm[i]! - (whole.data[i]! - n.lo) / (n.hi - n.lo)));
    console.log(`browser wasm vs node-cpu (whole 88x60): max |diff| ${m.toExponential(2)}`);
    expect(m).to.be.at.most(1e-4);
  });

  it('WebGPU (software adapter): tiled equals WASM whole within 1e-4, every tile on webgpu', async function () {
    const gpu = (navigator as Navigator & { gpu?: unknown }).gpu;
    if (!gpu) this.skip();
    const model = await loadModel(getModel('medical-x2'));
    // the SwiftShader adapter is ~300x slower than WASM: a thin strip keeps this to a few tiles
    const strip = await crop(150, 160, 72, 20);
    const ref = await enhanceRaster(strip, { modelId: 'medical-x2', session: wasm, tile: 4096 });
    const session = await createSession(model, { preference: 'webgpu' });
    try {
      const tiled = await enhanceRaster(strip, { modelId: 'medical-x2', session, tile: 24 });
      expect(tiled.provenance.tile.count).to.equal(3);
      expect(Object.keys(tiled.provenance.backends)).to.deep.equal(['webgpu']);
      expect(tiled.provenance.fallbacks).to.deep.equal([]);
      const d = maxNormDiff(ref, tiled);
      console.log(`webgpu tile 24 vs wasm whole: max |diff| ${d.toExponential(2)}`);
      expect(d).to.be.at.most(1e-4);
    } finally {
      await session.dispose();
    }
  });

  it('WebGPU: tile limits come from the adapter (one activation buffer must fit)', async function () {
    const limits = await webGpuAdapterLimits();
    if (!limits) this.skip();
    const session = await createSession(await loadModel(getModel('medical-x2')), { preference: 'webgpu' });
    try {
      const tl = await deviceTileLimits(session);
      expect(tl).to.deep.equal(webGpuTileLimits(limits!));
      const fit = maxTileForLimits(tl!, 2, getModel('medical-x2').receptiveFieldLrPx + 4);
      console.log(`adapter limits ${JSON.stringify(limits)} -> max x2 core ${fit} px`);
      expect(fit).to.be.greaterThan(0).and.lessThan(Infinity);
    } finally {
      await session.dispose();
    }
    expect(await deviceTileLimits(wasm)).to.equal(undefined);
  });
});
