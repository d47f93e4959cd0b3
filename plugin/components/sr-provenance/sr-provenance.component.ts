/**
 * `<sr-provenance>`: what made the enhanced pixels on screen — model, variant, version, weights
 * sha256, scale, backend per tile, timings, normalization — so a reader can reproduce or distrust them;
 * and, bound to a viewer, an Export control writing the enhanced image with that provenance.
 */
import { html, LitElement, nothing } from 'lit';
import { property, state } from 'lit/decorators.js';
import type { ExportFormat } from '../../export/types.ts';
import { ViewerBinding } from '../shared/viewer-binding.ts';
import {
  detailOf,
  VIEWER_EVENTS,
  type ProvenanceView,
  type ViewerExportProgressDetail,
  type ViewerProvenanceDetail,
} from '../shared/viewer-events.ts';
import { ExportStateController, FORMAT_LABELS } from './export-state.ts';
import { styles } from './sr-provenance.styles.ts';

/** Consistency check of the shown result: LR tiles flagged over LR tiles checked. */
export interface ConsistencySummary {
  flagged: number;
  tiles: number;
}

const ms = (v: number) => (v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${v.toFixed(0)} ms`);
const num = (v: number) => (Math.abs(v) >= 1000 || Number.isInteger(v) ? v.toFixed(0) : v.toPrecision(4));

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  const k = s.length >> 1;
  return s.length % 2 ? (s[k] as number) : ((s[k - 1] as number) + (s[k] as number)) / 2;
}

/** Tile grid: enhanceRaster's count and layout, or the viewer's live tile count. */
function tilesLine(p: ProvenanceView): string {
  const t = p.tile;
  const n = t.count ?? p.tiles?.length;
  const grid = t.columns !== undefined && t.rows !== undefined ? ` (${t.columns}×${t.rows})` : '';
  return `${n ?? '–'}${grid}, ${t.size} px + halo ${t.halo}`;
}

/** "median X, max Y" of per-tile times. */
const spread = (v: number[]) => `median ${ms(median(v))}, max ${ms(Math.max(...v))}`;

/**
 * enhanceRaster's timings, or the viewer's per tile, each measured on its own: inference (the model
 * run), wait (queue behind other tiles, window read) and total (request to result). Tiles whose
 * model run was not theirs (cache, or a run another request started) have no inference time of
 * their own: they are counted apart instead of pulling the median to 0 ms.
 */
function timingsLine(p: ProvenanceView): string {
  const t = p.timings;
  if (t)
    return `total ${ms(t.totalMs)} · load ${ms(t.loadMs)} · inference ${ms(t.inferenceMs)} · tile median ${ms(t.tileMsMedian)}, max ${ms(t.tileMsMax)}`;
  const tiles = p.tiles ?? [];
  const run = tiles.filter((x) => x.backend !== 'cache' && x.ms > 0);
  const reused = tiles.length - run.length;
  const parts: string[] = [];
  if (run.length > 0) {
    parts.push(`inference per tile ${spread(run.map((x) => x.ms))}`);
    const total = run.map((x) => x.requestMs).filter((v): v is number => v !== undefined);
    if (total.length === run.length) {
      parts.push(`wait ${spread(run.map((x) => Math.max(0, (x.requestMs ?? 0) - x.ms)))}`);
      parts.push(`total ${spread(total)}`);
    }
  }
  if (tiles.length === 0) return '–';
  const counts = `${run.length} run here, ${reused} from cache or a shared run`;
  return parts.length ? `${parts.join(' · ')}; ${counts}` : counts;
}

/** The enhanced LR region (and frame/format, or the native image of an overview, when known). */
function regionLine(p: ProvenanceView): string {
  const s = p.source;
  const w = s && 'window' in s ? s.window : p.region;
  const where = w ? `${w.width}×${w.height} at ${w.x},${w.y}` : '–';
  if (s && 'window' in s) return `${s.format}, frame ${s.frame + 1}, ${where}`;
  const frame = p.frame !== undefined ? `frame ${p.frame + 1}, ` : '';
  if (s?.resolution === 'native')
    return `${frame}${where} of the native ${s.width}×${s.height} image (shown on a 1/${num(s.overviewScale.x)} overview)`;
  return `${frame}${where}`;
}

/** Copies text with the async Clipboard API, else a hidden textarea (pages without the permission). */
async function copyText(text: string, root: ShadowRoot | HTMLElement): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const ta = document.createElement('textarea');
    ta.value = text;
    ta.setAttribute('readonly', '');
    ta.style.position = 'fixed';
    ta.style.opacity = '0';
    root.appendChild(ta);
    ta.select();
    const ok = document.execCommand('copy');
    ta.remove();
    return ok;
  }
}

/**
 * Provenance of the enhanced image, and (bound to an `<sr-viewer>`) its export.
 *
 * @csspart export - the export control (format, scope, Export, progress, Cancel, notes)
 */
export class SrProvenance extends LitElement {
  static override styles = styles;

  /** Id of an `<sr-viewer>` whose `sr-provenance` events to show. */
  @property({ reflect: true }) for = '';
  /** The provenance to show: enhanceRaster's or the viewer's (set directly, or from the bound viewer). */
  @property({ attribute: false }) provenance: ProvenanceView | null = null;
  /** Consistency flags of the shown result (default: counted from the viewer's tiles when present). */
  @property({ attribute: false }) consistency: ConsistencySummary | null = null;

  @state() private copyStatus = '';
  /** True while the bound viewer shows no enhanced pixels (status 'off'): what follows is history. */
  @state() private off = false;

  private readonly exporter: ExportStateController = new ExportStateController(
    this,
    () => this.binding.viewer,
  );

  private readonly binding: ViewerBinding = new ViewerBinding(
    this,
    {
      [VIEWER_EVENTS.provenance]: (e) => {
        this.provenance = detailOf<ViewerProvenanceDetail>(e).provenance;
      },
      [VIEWER_EVENTS.status]: (e) => {
        this.off = detailOf<{ status: string }>(e).status === 'off';
      },
      [VIEWER_EVENTS.loaded]: () => this.clear(),
      // a failed open cleared the view: nothing enhanced, nothing to export
      [VIEWER_EVENTS.cleared]: () => this.clear(),
      [VIEWER_EVENTS.exportProgress]: (e) =>
        this.exporter.onProgress(detailOf<ViewerExportProgressDetail>(e)),
    },
    () => void this.exporter.refresh(),
  );

  private clear(): void {
    this.provenance = null;
    this.consistency = null;
    void this.exporter.refresh();
  }

  /** Exposed for tests and hosts: the viewer this element listens to. */
  get boundViewer(): HTMLElement | null {
    return this.binding.viewer;
  }

  private async copy(): Promise<void> {
    if (!this.provenance) return;
    const ok = await copyText(this.provenance.sha256, this.renderRoot as ShadowRoot);
    this.copyStatus = ok ? 'copied' : 'copy failed';
  }

  /** The export control: only formats the image takes; progress and Cancel while running; notes after. */
  private renderExport() {
    const x = this.exporter;
    if (x.formats.length === 0) return nothing;
    const running = x.phase === 'running';
    const pct = x.progress.total ? Math.round((100 * x.progress.done) / x.progress.total) : 0;
    return html`<div class="export" part="export">
      <select
        class="format"
        aria-label="Export format"
        ?disabled=${running}
        @change=${(e: Event) => (x.format = (e.target as HTMLSelectElement).value as ExportFormat)}
      >
        ${x.formats.map((f) => html`<option value=${f} ?selected=${f === x.format}>${FORMAT_LABELS[f]}</option>`)}
      </select>
      <select
        class="scope"
        aria-label="Export region"
        ?disabled=${running}
        @change=${(e: Event) => (x.scope = (e.target as HTMLSelectElement).value as 'frame' | 'visible')}
      >
        <option value="frame" ?selected=${x.scope === 'frame'}>Whole frame</option>
        <option value="visible" ?selected=${x.scope === 'visible'}>Visible region</option>
      </select>
      <button type="button" class="export-button" ?disabled=${running} @click=${() => x.start()}>
        Export
      </button>
      ${
        running
          ? html`<progress class="export-progress" max="100" value=${pct}></progress>
              <span class="export-count">${x.progress.done}/${x.progress.total || '…'} tiles</span>
              <button type="button" class="export-cancel" @click=${() => x.cancel()}>Cancel</button>`
          : nothing
      }
      <span class=${`export-status ${x.phase}`} role="status">${x.message}</span>
      ${
        x.notes.length
          ? html`<ul class="export-notes">
              ${x.notes.map((n) => html`<li>${n}</li>`)}
            </ul>`
          : nothing
      }
    </div>`;
  }

  override render() {
    const p = this.provenance;
    if (!p)
      return html`<p class="empty">No enhanced image.</p>
        ${this.renderExport()}`;
    const backends = Object.entries(p.backends)
      .map(([b, n]) => `${b}: ${n}`)
      .join(', ');
    const c =
      this.consistency ??
      (p.tiles ? { flagged: p.tiles.filter((x) => x.flagged).length, tiles: p.tiles.length } : null);
    return html`
      ${
        this.off
          ? html`<p class="empty off">
              Enhancement is off: nothing on screen is enhanced. Last enhanced view:
            </p>`
          : nothing
      }
      ${
        p.perceptual
          ? html`<p class="perceptual" role="alert">
              Perceptual (GAN) output: texture may be invented. Not for measurement or diagnosis.
            </p>`
          : nothing
      }
      <dl>
        <dt>Model</dt>
        <dd class="model">${p.modelId}</dd>
        <dt>Variant</dt>
        <dd class=${p.perceptual ? 'variant flagged' : 'variant'}>${p.variant}</dd>
        <dt>Version</dt>
        <dd class="version">${p.modelVersion}</dd>
        <dt>sha256</dt>
        <dd>
          <code class="sha" title=${p.sha256} data-sha256=${p.sha256}>${p.sha256.slice(0, 12)}…</code>
          <button type="button" class="copy" @click=${this.copy} aria-label="Copy sha256">Copy</button>
          <span class="copy-status" role="status">${this.copyStatus}</span>
        </dd>
        <dt>Scale</dt>
        <dd class="scale">×${p.scale}</dd>
        <dt>Backends (tiles)</dt>
        <dd class="backends">${backends || '–'}</dd>
        ${
          p.fallbacks.length
            ? html`<dt>Fallbacks</dt>
                <dd class="fallbacks">
                  ${p.fallbacks.map((f) => html`<div>${f.from} → ${f.to}: ${f.reason}</div>`)}
                </dd>`
            : nothing
        }
        <dt>Tiles</dt>
        <dd class="tiles">${tilesLine(p)}</dd>
        <dt>Timings</dt>
        <dd class="timings">${timingsLine(p)}</dd>
        <dt>Normalization</dt>
        <dd class="normalization">
          ${p.normalization.map(
            (n) =>
              html`<div>
                band ${n.band}: ${num(n.lo)} …
                ${num(n.hi)}${n.constant ? ' (constant)' : ''}${
                  // samples beyond the model's range keep their true values (range rule): say how many
                  n.outside ? ` · ${n.outside} px beyond, kept` : ''
                }
              </div>`,
          )}
        </dd>
        <dt>Consistency flags</dt>
        <dd class=${c && c.flagged > 0 ? 'consistency flagged' : 'consistency'}>
          ${c ? `${c.flagged} of ${c.tiles} tiles` : 'not measured'}${
            p.consistencyThresholdDb !== undefined && c ? ` below ${p.consistencyThresholdDb} dB` : ''
          }
        </dd>
        <dt>Region</dt>
        <dd class="source">${regionLine(p)}</dd>
        <dt>Made</dt>
        <dd class="made">tilesr ${p.tilesrVersion}, ${p.createdAt}</dd>
      </dl>
      ${this.renderExport()}
    `;
  }
}
