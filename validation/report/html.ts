/**
 * The self-contained HTML report: no network, inline CSS and SVG, images as data: URIs; prints to
 * PDF (print CSS keeps sections whole and drops the screen chrome).
 */
import type { ImageFigures } from './figures.ts';
import { METHODS, type ImageEntry, type ValidationReport } from './schema.ts';
import { barsSvg, escapeHtml as esc } from './visuals.ts';

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px auto;max-width:1100px;color:#1f2328;padding:0 16px}
td.l{text-align:left}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #d0d7de}h3{font-size:15px;margin:18px 0 6px}
table{border-collapse:collapse;margin:6px 0}th,td{border:1px solid #d0d7de;padding:3px 8px;text-align:right}th:first-child,td:first-child{text-align:left}
thead th{background:#f6f8fa}.best{font-weight:700}.muted{color:#656d76}.warn{background:#fff8c5;border:1px solid #d4a72c;padding:6px 10px}
.err{background:#ffebe9;border:1px solid #ff8182;padding:6px 10px}.mono{font-family:ui-monospace,monospace;font-size:12px;word-break:break-all}
.thumbs,.heats{display:flex;flex-wrap:wrap;gap:10px}figure{margin:0}figcaption{font-size:12px;color:#656d76;max-width:260px}
.thumbs img{image-rendering:pixelated;border:1px solid #d0d7de;max-width:256px}
.scale{white-space:nowrap}.bar{display:inline-block;width:80px;height:8px;vertical-align:middle;background:linear-gradient(90deg,rgb(215,48,39),rgb(215,218,39),rgb(26,152,80))}
section.image{break-inside:avoid;page-break-inside:avoid}
@media print{body{margin:0;max-width:none;font-size:11px}h2{break-after:avoid}.noprint{display:none}a{color:inherit;text-decoration:none}}
@page{size:A4;margin:12mm}
`;

const num = (v: number | null | undefined, d: number) =>
  v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(d);

function summaryTable(r: ValidationReport): string {
  const rows = METHODS.filter((m) => r.summary[m]).map((m) => {
    const s = r.summary[m];
    return `<tr><td>${m}</td><td>${s?.n ?? 0}</td><td>${num(s?.psnr, 2)}</td><td>${num(s?.ssim, 4)}</td><td>${num(s?.ms_ssim, 4)}</td><td>${num(s?.consistency_psnr, 2)}</td></tr>`;
  });
  return `<table id="summary"><thead><tr><th>method</th><th>n</th><th>PSNR (dB)</th><th>SSIM</th><th>MS-SSIM</th><th>consistency PSNR (dB)</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function imageSection(img: ImageEntry, k: number, fig: ImageFigures | undefined): string {
  const best = Math.max(...METHODS.map((m) => img.methods[m]?.psnr ?? -Infinity));
  const rows = METHODS.filter((m) => img.methods[m]).map((m) => {
    const e = img.methods[m];
    const cls = e?.psnr === best ? ' class="best"' : '';
    return `<tr${cls}><td>${m}</td><td>${num(e?.psnr, 2)}</td><td>${num(e?.ssim, 4)}</td><td>${num(e?.ms_ssim, 4)}</td><td>${num(e?.consistency_psnr, 2)}</td><td>${num(e?.bias, 3)}</td></tr>`;
  });
  const bars = barsSvg(
    METHODS.filter((m) => img.methods[m]).map((m) => ({ name: m, value: img.methods[m]?.psnr ?? null })),
    { unit: 'dB', highlight: 'model' },
  );
  const h = img.hallucination;
  const hall = h
    ? `<p>Model worse than bicubic on <b>${(h.worse_share * 100).toFixed(1)}%</b> of ${h.tiles} tiles by SSIM (${(h.worse_share_rmse * 100).toFixed(1)}% by RMSE), ${h.tile_size}px tiles.</p>`
    : '';
  const thumbs = fig?.thumbs.length
    ? `<div class="thumbs">${fig.thumbs.map((t) => `<figure><img alt="${esc(t.label)}" src="${t.uri}"><figcaption>${esc(t.label)}</figcaption></figure>`).join('')}</div>`
    : '';
  const heats = fig?.heatmaps.length ? `<div class="heats">${fig.heatmaps.join('')}</div>` : '';
  const notes = img.notes?.length ? `<p class="muted">${img.notes.map(esc).join('<br>')}</p>` : '';
  return `<section class="image" id="img-${k}"><h3>${esc(img.file)} · frame ${img.frame} · band ${img.band}</h3>
<p class="muted">${img.width}×${img.height} from ${img.lr_width}×${img.lr_height} (${esc(img.lr)}); data range ${img.data_range.value} (${esc(img.data_range.rule)}: ${esc(img.data_range.detail)})</p>
<table><thead><tr><th>method</th><th>PSNR</th><th>SSIM</th><th>MS-SSIM</th><th>consistency PSNR</th><th>bias</th></tr></thead><tbody>${rows.join('')}</tbody></table>
${bars}${hall}${thumbs}${heats}${notes}</section>`;
}

/** Renders the report; `figures[k]` belongs to `report.images[k]` (missing = tables only). */
export function reportToHtml(r: ValidationReport, figures: Array<ImageFigures | undefined> = []): string {
  const m = r.model;
  const model = m
    ? `<p>Model <b>${esc(m.id)}</b> (${esc(m.variant)}, ${esc(m.key)}), x${m.scale}, backend ${esc(m.backend ?? 'n/a')}<br><span class="mono">sha256 ${esc(m.sha256)}</span></p>` +
      (m.perceptual
        ? '<p class="warn">Perceptual (GAN) weights: texture may be invented. Not for measurement or diagnosis.</p>'
        : '')
    : '<p class="muted">No model: baselines only.</p>';
  const s = r.settings;
  const rules = [...new Set(r.images.map((i) => `${i.data_range.rule} (${i.data_range.detail})`))];
  const settings = `<table><tbody>
<tr><td>scale</td><td class="l">x${s.scale}</td></tr><tr><td>degradation</td><td class="l">${esc(s.degradation)}${s.lr_dir ? ` (real LR from ${esc(s.lr_dir)})` : ''}</td></tr>
<tr><td>shave</td><td class="l">${s.shave} px</td></tr><tr><td>Y channel</td><td class="l">${s.y_channel ? 'yes (BT.601, MATLAB rgb2ycbcr)' : 'no'}</td></tr>
<tr><td>quantize</td><td class="l">${s.quantize ? `${s.quantize.min}..${s.quantize.max}` : 'no'}</td></tr>
<tr><td>data range rules</td><td class="l">${rules.map(esc).join('<br>') || '–'}</td></tr>
<tr><td>tiles</td><td class="l">${s.tile_size} px (ground truth), ${s.consistency_tile_size} px LR (consistency, threshold ${s.consistency_threshold_db} dB)</td></tr>
</tbody></table>`;
  const inputs = r.provenance.inputs
    .map((i) => `<tr><td>${esc(i.file)}</td><td class="mono">${esc(i.sha256)}</td></tr>`)
    .join('');
  const errors = r.errors.length
    ? `<div class="err"><table><thead><tr><th>file</th><th>code</th><th>message</th></tr></thead><tbody>${r.errors
        .map((e) => `<tr><td>${esc(e.file)}</td><td>${esc(e.code)}</td><td>${esc(e.message)}</td></tr>`)
        .join('')}</tbody></table></div>`
    : '<p class="muted">No errors.</p>';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>tilesr validation report</title><style>${CSS}</style></head><body>
<h1>tilesr validation report</h1>
<p class="muted">${esc(r.schema)} · tilesr ${esc(r.provenance.tilesr_version)} · ${esc(r.provenance.created_at)} · ${esc(r.provenance.runtime)}</p>
${model}
<h2>Summary</h2>${summaryTable(r)}
<p class="muted">Means of per-image values. PSNR/SSIM against ground truth; consistency PSNR compares the output, degraded again, with its own input.</p>
<h2>Settings</h2>${settings}
<h2>Images</h2>${r.images.map((img, k) => imageSection(img, k, figures[k])).join('\n')}
<h2>Errors</h2>${errors}
<h2>Provenance</h2><table><thead><tr><th>input</th><th>sha256</th></tr></thead><tbody>${inputs}</tbody></table>
</body></html>
`;
}
