/**
 * `<sr-report>`: a `tilesr.validation/1` report in the page — the summary table (methods × PSNR,
 * SSIM, MS-SSIM, consistency), per-image PSNR bars of the model against the baselines, errors and
 * provenance — with the same numbers and rounding as the HTML report.
 */
import { html, LitElement, nothing, type PropertyValues } from 'lit';
import { property } from 'lit/decorators.js';
import { METHODS, type ImageEntry, type ValidationReport } from '../../../validation/index.ts';
import { styleProps } from '../shared/style-props.ts';
import { ReportLoader } from './report-loader.ts';
import { styles } from './sr-report.styles.ts';

/** Formats like the HTML report: fixed decimals, an en dash for missing or non-finite values. */
export function fmt(v: number | null | undefined, digits: number): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(digits);
}

/** PSNR bars of one image: longest = best; bars start at the lowest PSNR minus 1 dB so gaps show. */
function bars(img: ImageEntry) {
  const rows = METHODS.filter((m) => img.methods[m]).map((m) => ({ m, v: img.methods[m]?.psnr ?? null }));
  const vals = rows.map((r) => r.v).filter((v): v is number => v !== null);
  if (vals.length === 0) return nothing;
  const lo = Math.min(...vals) - 1;
  const hi = Math.max(...vals);
  return html`<div class="bars" role="img" aria-label="PSNR per method">
    ${rows.map(
      (r) =>
        html`<span>${r.m}</span>
          <div
            class=${r.m === 'model' ? 'bar model' : 'bar'}
            data-method=${r.m}
            ${styleProps({ width: `${r.v === null ? 0 : ((100 * (r.v - lo)) / (hi - lo || 1)).toFixed(1)}%` })}
          ></div>
          <span>${fmt(r.v, 2)} dB</span>`,
    )}
  </div>`;
}

/**
 * A validation report.
 */
export class SrReport extends LitElement {
  static override styles = styles;

  /** The report object (takes precedence over `src`). */
  @property({ attribute: false }) report: ValidationReport | null = null;
  /** URL of a report JSON to fetch (same origin). */
  @property() src = '';

  private readonly loader = new ReportLoader(this);

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('src')) this.loader.load(this.src);
  }

  /** The report shown: the property, else the fetched one. */
  get shown(): ValidationReport | null {
    return this.report ?? this.loader.report;
  }

  override render() {
    const r = this.shown;
    if (!r) {
      if (this.loader.error) return html`<p class="errors" role="alert">${this.loader.error}</p>`;
      return html`<p class="muted">${this.loader.loading ? 'Loading report…' : 'No report.'}</p>`;
    }
    const m = r.model;
    return html`
      <p class="muted">
        ${r.schema} · tilesr ${r.provenance.tilesr_version} · ${r.provenance.created_at} ·
        ${r.provenance.runtime}
      </p>
      ${
        m
          ? html`<p>
                Model <b class="model-id">${m.id}</b> (${m.variant}), ×${m.scale}, backend
                ${m.backend ?? 'n/a'}<br /><span class="mono sha">sha256 ${m.sha256}</span>
              </p>
              ${
                m.perceptual
                  ? html`<p class="warn">
                      Perceptual (GAN) weights: texture may be invented. Not for measurement or diagnosis.
                    </p>`
                  : nothing
              }`
          : html`<p class="muted">No model: baselines only.</p>`
      }
      <h3>Summary</h3>
      <table class="summary">
        <thead>
          <tr>
            <th>method</th>
            <th>n</th>
            <th>PSNR (dB)</th>
            <th>SSIM</th>
            <th>MS-SSIM</th>
            <th>consistency PSNR (dB)</th>
          </tr>
        </thead>
        <tbody>
          ${METHODS.filter((k) => r.summary[k]).map((k) => {
            const s = r.summary[k];
            return html`<tr class=${k} data-method=${k}>
              <td>${k}</td>
              <td>${s?.n ?? 0}</td>
              <td>${fmt(s?.psnr, 2)}</td>
              <td>${fmt(s?.ssim, 4)}</td>
              <td>${fmt(s?.ms_ssim, 4)}</td>
              <td>${fmt(s?.consistency_psnr, 2)}</td>
            </tr>`;
          })}
        </tbody>
      </table>
      <p class="muted">
        Scale ×${r.settings.scale}, ${r.settings.degradation} degradation, shave ${r.settings.shave} px. Means
        of per-image values; consistency compares the output, degraded again, with its own input.
      </p>
      <h3>Images</h3>
      ${r.images.map(
        (img) =>
          html`<section class="image">
            <h4>${img.file} · frame ${img.frame} · band ${img.band}</h4>
            <p class="muted">
              ${img.width}×${img.height} from ${img.lr_width}×${img.lr_height} (${img.lr}); data range
              ${img.data_range.value} (${img.data_range.rule})
            </p>
            ${bars(img)}
            ${
              img.hallucination
                ? html`<p>
                    Model worse than bicubic on ${fmt(img.hallucination.worse_share * 100, 1)}% of
                    ${img.hallucination.tiles} tiles (SSIM).
                  </p>`
                : nothing
            }
          </section>`,
      )}
      <h3>Errors</h3>
      ${
        r.errors.length
          ? html`<table class="errors">
              <thead>
                <tr>
                  <th>file</th>
                  <th>code</th>
                  <th>message</th>
                </tr>
              </thead>
              <tbody>
                ${r.errors.map(
                  (e) =>
                    html`<tr>
                      <td>${e.file}</td>
                      <td>${e.code}</td>
                      <td>${e.message}</td>
                    </tr>`,
                )}
              </tbody>
            </table>`
          : html`<p class="muted no-errors">No errors.</p>`
      }
      <h3>Provenance</h3>
      <table class="inputs">
        <tbody>
          ${r.provenance.inputs.map(
            (i) =>
              html`<tr>
                <td>${i.file}</td>
                <td class="mono">${i.sha256}</td>
              </tr>`,
          )}
        </tbody>
      </table>
    `;
  }
}
