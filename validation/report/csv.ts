/** The report as CSV: one row per image x frame x band x method (RFC 4180 quoting). */
import { METHODS, type ValidationReport } from './schema.ts';

/** Column order of the CSV. */
export const CSV_COLUMNS = [
  'file',
  'frame',
  'band',
  'method',
  'psnr',
  'ssim',
  'ms_ssim',
  'consistency_psnr',
  'mse',
  'rmse',
  'mae',
  'bias',
  'data_range',
  'data_range_rule',
  'worse_than_bicubic_share',
] as const;

function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '') : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** Renders the CSV text (header + rows, CRLF line ends as RFC 4180). */
export function reportToCsv(r: ValidationReport): string {
  const rows: string[] = [CSV_COLUMNS.join(',')];
  for (const img of r.images) {
    for (const name of METHODS) {
      const m = img.methods[name];
      if (!m) continue;
      rows.push(
        [
          img.file,
          img.frame,
          img.band,
          name,
          m.psnr,
          m.ssim,
          m.ms_ssim,
          m.consistency_psnr,
          m.mse,
          m.rmse,
          m.mae,
          m.bias,
          img.data_range.value,
          img.data_range.rule,
          name === 'model' ? img.hallucination?.worse_share : undefined,
        ]
          .map(cell)
          .join(','),
      );
    }
  }
  return rows.join('\r\n') + '\r\n';
}
