/** `tilesr metrics A B [--data-range-rule gt|bits-stored|dtype|auto|R] [--shave N] [--frame N]`: full-reference metrics of B against A. */
import { ValidationError } from '../../validation/errors.ts';
import { compare, psnrFromMse, type PairMetrics } from '../../validation/metrics/index.ts';
import { parse, parseIntOption } from '../args.ts';
import { deriveDataRange, openImage, parseDataRangeChoice } from '../images.ts';

/** Runs `metrics`; prints one JSON object. Multi-band: MSE over all bands, SSIM/MS-SSIM band means. */
export async function metrics(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      'data-range': { type: 'string' },
      'data-range-rule': { type: 'string' },
      shave: { type: 'string' },
      frame: { type: 'string' },
    },
    2,
  );
  const shave = parseIntOption('shave', values.shave) ?? 0;
  const frame = parseIntOption('frame', values.frame) ?? 0;
  const choice = parseDataRangeChoice(values['data-range-rule'], values['data-range']);
  const [fa, fb] = positionals as [string, string];
  const a = await openImage(fa);
  const b = await openImage(fb);
  try {
    const pa = await a.read(frame);
    const pb = await b.read(frame);
    if (pa.length !== pb.length)
      throw new ValidationError('SIZE_MISMATCH', `${fa} has ${pa.length} band(s), ${fb} has ${pb.length}`);
    const range = deriveDataRange(a, pa[0] as (typeof pa)[0], choice);
    const perBand: PairMetrics[] = pa.map((p, i) =>
      compare(p, pb[i] as (typeof pb)[0], { dataRange: range.value, shave }),
    );
    const mean = (f: (m: PairMetrics) => number | null) => {
      const v = perBand.map(f);
      return v.some((x) => x === null) ? null : (v as number[]).reduce((s, x) => s + x, 0) / v.length;
    };
    const mse = mean((m) => m.mse) as number;
    const out = {
      a: fa,
      b: fb,
      width: a.width,
      height: a.height,
      bands: pa.length,
      frame,
      shave,
      data_range: range.value,
      data_range_rule: range.rule,
      data_range_detail: range.detail,
      mse,
      rmse: Math.sqrt(mse),
      mae: mean((m) => m.mae),
      bias: mean((m) => m.bias),
      psnr: ((p) => (Number.isFinite(p) ? p : null))(psnrFromMse(mse, range.value)),
      ssim: mean((m) => m.ssim),
      ms_ssim: mean((m) => m.ms_ssim),
      ...(perBand.length > 1
        ? {
            per_band: perBand.map((m) => ({ ...m, psnr: Number.isFinite(m.psnr) ? m.psnr : null })),
          }
        : perBand[0]?.ms_ssim_note
          ? { ms_ssim_note: perBand[0].ms_ssim_note }
          : {}),
    };
    process.stdout.write(JSON.stringify(out, null, 2) + '\n');
    return 0;
  } finally {
    await a.close();
    await b.close();
  }
}
