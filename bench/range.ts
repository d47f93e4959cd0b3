/**
 * The range rule (plugin/pipeline/range.ts) against the old clipped output, side by side in one run:
 * each real file is degraded x2 (torch bicubic, the models' training degradation), enhanced with the
 * rule and with the old behaviour (the model's output for the clipped input, nothing restored: what
 * enhancing a raster pre-clipped to its own range gives), and compared with the ground truth over the
 * ground truth's own span (the new default data range). Also: share of LR samples the old rule
 * clipped, error where the truth lies beyond the range, and the rule's run-time cost.
 */
import { openRaster, toModalityValues } from '../formats/index.ts';
import { floatPlane } from '../formats/testing/float-plane.ts';
import { createNodeCpuBackend } from '../models/backend/ort-node.ts';
import { computeRange } from '../models/normalize.ts';
import { getModel, loadModel } from '../models/registry.ts';
import { enhanceRaster } from '../plugin/pipeline/enhance.ts';
import { upsample } from '../validation/baselines.ts';
import { dataRangeFromSpan } from '../validation/datarange.ts';
import { downsample } from '../validation/degrade.ts';
import { splitBands, type Plane } from '../validation/image.ts';
import { compare } from '../validation/metrics/index.ts';

const FILES = [
  ['demo/samples/mr384_12bit_jpeg_lossless_sv1.dcm', 'medical-x2'],
  ['fixtures/dicom/ct512_j2k_lossy.dcm', 'medical-x2'],
  ['fixtures/dicom/cr440_mono1_10bit.dcm', 'medical-x2'],
  ['demo/samples/u16_rgb_cog_deflate_ovr.tif', 'satellite-x2'],
  ['fixtures/geotiff/f32_dsm_none.tif', 'satellite-x2'],
] as const;

/** Runs the files and returns a Markdown table. */
export async function benchRange(): Promise<string> {
  const rows = [
    '| file | band | LR px beyond range (old: clipped) | PSNR old -> rule (dB) | SSIM old -> rule | bicubic PSNR | RMSE beyond range: old / rule / bicubic (% of span) | enhance ms old / rule (best of 3) |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const [file, modelId] of FILES) {
    const src = await openRaster(file);
    const r = await src.read();
    await src.close();
    const entry = getModel(modelId);
    const session = await createNodeCpuBackend().createSession(await loadModel(entry));
    const bands = splitBands(r.width, r.height, r.samples, toModalityValues(r));
    for (const [b, full] of bands.entries()) {
      const w = full.width - (full.width % 2);
      const h = full.height - (full.height % 2);
      const gt: Plane = { width: w, height: h, data: new Float64Array(w * h) };
      for (let y = 0; y < h; y++) gt.data.set(full.data.subarray(y * full.width, y * full.width + w), y * w);
      const lr = downsample(gt, 2, { degradation: 'torch' });
      const range = computeRange(lr.data);
      const clipped = { ...lr, data: lr.data.map((v) => Math.min(range.hi, Math.max(range.lo, v))) };
      const run = async (p: Plane) => {
        const t0 = performance.now();
        const out = await enhanceRaster(floatPlane(r, Float32Array.from(p.data), p), {
          modelId,
          session,
          ranges: [range],
        });
        return { data: out.data, ms: performance.now() - t0 };
      };
      await run(clipped); // warm-up
      // interleaved, best of 3 each: the machine is shared, and the minimum is the cost
      let old = await run(clipped);
      let rule = await run(lr);
      for (let k = 0; k < 2; k++) {
        const o = await run(clipped);
        const n = await run(lr);
        if (o.ms < old.ms) old = o;
        if (n.ms < rule.ms) rule = n;
      }
      const bic = upsample(lr, 2, 'bicubic');
      const dr = dataRangeFromSpan(gt).value;
      const opts = { dataRange: dr, shave: 2 };
      const mOld = compare(gt, { width: w, height: h, data: old.data }, opts);
      const mRule = compare(gt, { width: w, height: h, data: rule.data }, opts);
      const mBic = compare(gt, bic, opts);
      const beyond = (a: ArrayLike<number>) => {
        let se = 0;
        let n = 0;
        for (let i = 0; i < gt.data.length; i++) {
          const g = gt.data[i] as number;
          if (g <= range.hi && g >= range.lo) continue;
          se += ((a[i] as number) - g) ** 2;
          n++;
        }
        return n ? ((100 * Math.sqrt(se / n)) / dr).toFixed(2) : 'n/a';
      };
      const share = ((100 * (range.outside ?? 0)) / range.count).toFixed(2);
      rows.push(
        `| ${file.split('/').pop()} | ${b} | ${range.outside} (${share}%) | ${mOld.psnr.toFixed(2)} -> ${mRule.psnr.toFixed(2)} | ` +
          `${mOld.ssim.toFixed(4)} -> ${mRule.ssim.toFixed(4)} | ${mBic.psnr.toFixed(2)} | ` +
          `${beyond(old.data)} / ${beyond(rule.data)} / ${beyond(bic.data)} | ${old.ms.toFixed(0)} / ${rule.ms.toFixed(0)} |`,
      );
    }
    await session.dispose();
  }
  return rows.join('\n');
}
