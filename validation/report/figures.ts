/** The per-image pictures of the HTML report, made from an Evaluation that kept its planes. */
import type { Evaluation } from '../evaluate.ts';
import { diffThumbnail, extent, heatmapSvg, thumbnail } from './visuals.ts';

/** Thumbnails and heat maps of one image (strings ready to inline). */
export interface ImageFigures {
  thumbs: Array<{ label: string; uri: string }>;
  heatmaps: string[];
}

/**
 * Ground truth, bicubic, model and (model - ground truth) thumbnails on one shared window; heat maps
 * of per-tile SSIM (model, bicubic), SSIM gain over bicubic (tiles where the model loses are
 * outlined) and consistency PSNR.
 */
export function imageFigures(e: Evaluation, dataRange: number, maxSide = 256): ImageFigures {
  const out: ImageFigures = { thumbs: [], heatmaps: [] };
  const p = e.planes;
  if (p) {
    const [lo, hi] = extent(p.gt);
    out.thumbs.push({ label: 'ground truth', uri: thumbnail(p.gt, lo, hi, maxSide) });
    if (p.outputs.bicubic)
      out.thumbs.push({ label: 'bicubic', uri: thumbnail(p.outputs.bicubic, lo, hi, maxSide) });
    if (p.outputs.model) {
      out.thumbs.push({ label: 'model', uri: thumbnail(p.outputs.model, lo, hi, maxSide) });
      out.thumbs.push({
        label: `model - ground truth (±${(dataRange / 10).toPrecision(3)})`,
        uri: diffThumbnail(p.gt, p.outputs.model, dataRange / 10, maxSide),
      });
    } else if (p.outputs.bicubic) {
      out.thumbs.push({
        label: `bicubic - ground truth (±${(dataRange / 10).toPrecision(3)})`,
        uri: diffThumbnail(p.gt, p.outputs.bicubic, dataRange / 10, maxSide),
      });
    }
  }
  const h = e.hallucination;
  if (h) {
    const gain = {
      ...h.ssimModel,
      values: h.ssimModel.values.map((v, i) => v - (h.ssimBicubic.values[i] as number)),
    };
    const worse = new Set<number>();
    gain.values.forEach((v, i) => {
      if (v < 0) worse.add(i);
    });
    out.heatmaps.push(heatmapSvg(h.ssimModel, { lo: 0, hi: 1, label: `SSIM model, ${h.tileSize}px tiles` }));
    out.heatmaps.push(heatmapSvg(h.ssimBicubic, { lo: 0, hi: 1, label: 'SSIM bicubic' }));
    out.heatmaps.push(
      heatmapSvg(gain, {
        lo: -0.05,
        hi: 0.05,
        label: 'SSIM gain over bicubic (outlined: model worse)',
        flag: worse,
      }),
    );
  }
  const m = e.methods.model ?? e.methods.bicubic;
  if (m) {
    const c = m.consistency;
    out.heatmaps.push(
      heatmapSvg(c.map, {
        lo: c.thresholdDb - 10,
        hi: c.thresholdDb + 10,
        label: `consistency PSNR (dB) of ${e.methods.model ? 'model' : 'bicubic'}, LR tiles; outlined < ${c.thresholdDb} dB`,
        flag: new Set(c.flagged),
        digits: 1,
      }),
    );
  }
  return out;
}
