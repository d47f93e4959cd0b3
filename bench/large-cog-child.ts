/**
 * Child process of bench/large-cog.ts: `tilesr enhance --out .tif` with a stand-in x2 "model"
 * (nearest neighbour, no weights) in place of the network, through the streaming path (default:
 * enhanceInBlocks -> toStored -> CogStreamWriter -> temp files -> rename) or the in-memory one
 * (--in-memory: enhanceRaster on the window + halo -> exportGeotiff -> one write), as the CLI runs
 * them. Every buffer of the real run is allocated here too; the real model only adds its per-tile
 * session memory (the CLI rows of the benchmark) and its time (~0.3 output MP/s on a 2-core CPU).
 * Usage: node --import tsx bench/large-cog-child.ts SRC OUT [--window x,y,w,h] [--band B] [--in-memory]
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { openRaster } from '../formats/index.ts';
import type { InferenceSession, TileTensor } from '../models/backend/types.ts';
import { getModel } from '../models/registry.ts';
import { fileCogStorage } from '../plugin/export/cog-storage.node.ts';
import { exportGeotiff } from '../plugin/export/geotiff.ts';
import { streamGeotiffExport } from '../plugin/export/geotiff-stream.ts';
import { enhanceRaster, haloFor } from '../plugin/pipeline/enhance.ts';
import { wholeImageRanges } from '../plugin/pipeline/stream.ts';

/** x2 nearest neighbour as an InferenceSession (what the pipeline sees of a model). */
const nearest: InferenceSession = {
  backend: 'node-cpu',
  modelId: 'nearest-x2',
  scale: 2,
  run: (t: TileTensor) => {
    const w = t.width * 2;
    const out = new Float32Array(w * t.height * 2);
    for (let y = 0; y < t.height * 2; y++)
      for (let x = 0; x < w; x++) out[y * w + x] = t.data[(y >> 1) * t.width + (x >> 1)] as number;
    return Promise.resolve({ data: out, width: w, height: t.height * 2, backend: 'node-cpu' });
  },
  dispose: () => Promise.resolve(),
};

const { values, positionals } = parseArgs({
  options: { window: { type: 'string' }, band: { type: 'string' }, 'in-memory': { type: 'boolean' } },
  allowPositionals: true,
});
const [src, out] = positionals;
if (!src || !out)
  throw new Error('usage: large-cog-child.ts SRC OUT [--window x,y,w,h] [--band B] [--in-memory]');
const source = await openRaster(src);
const { info } = source;
const [x, y, width, height] = (values.window ?? `0,0,${info.width},${info.height}`).split(',').map(Number);
const region = { x: x ?? 0, y: y ?? 0, width: width ?? info.width, height: height ?? info.height };
const band = values.band === undefined ? undefined : Number(values.band);
// the model id only sets scale and halo (satellite-x2: x2, 16 px); the session replaces its weights
const modelId = 'satellite-x2';
try {
  if (!values['in-memory']) {
    const r = await streamGeotiffExport(
      source,
      { modelId, session: nearest, window: region, band },
      fileCogStorage(out),
    );
    const { width: w, height: h, samples, blocks, peakBlocks, bytes } = r;
    console.log(JSON.stringify({ width: w, height: h, samples, blocks, peakBlocks, bytes }));
  } else {
    const halo = haloFor(getModel(modelId));
    const [x0, y0] = [Math.max(0, region.x - halo), Math.max(0, region.y - halo)];
    const x1 = Math.min(info.width, region.x + region.width + halo);
    const y1 = Math.min(info.height, region.y + region.height + halo);
    const raster = await source.read({ window: { x: x0, y: y0, width: x1 - x0, height: y1 - y0 } });
    const whole = x0 === 0 && y0 === 0 && x1 === info.width && y1 === info.height;
    const ranges = whole ? undefined : (await wholeImageRanges(source, 0)).ranges;
    const result = await enhanceRaster(raster, {
      modelId,
      session: nearest,
      window: region,
      band,
      halo,
      ranges,
    });
    const file = await exportGeotiff({ result, source: { info } });
    await writeFile(out, file.bytes);
    const { width: w, height: h, samples } = result;
    console.log(JSON.stringify({ width: w, height: h, samples, bytes: file.bytes.length }));
  }
} finally {
  await source.close();
}
