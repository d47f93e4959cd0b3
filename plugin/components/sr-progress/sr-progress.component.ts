/**
 * `<sr-progress>`: tiles done over total, the backend doing the work, a visible line when the work
 * moved to a fallback backend (users must know their WebGPU request runs on WASM), and Cancel.
 */
import { html, LitElement, nothing } from 'lit';
import { property } from 'lit/decorators.js';
import type { FallbackRecord } from '../../../models/backend/types.ts';
import { styleProps } from '../shared/style-props.ts';
import { ViewerBinding } from '../shared/viewer-binding.ts';
import {
  detailOf,
  VIEWER_EVENTS,
  type ViewerFallbackDetail,
  type ViewerProgressDetail,
} from '../shared/viewer-events.ts';
import { styles } from './sr-progress.styles.ts';

/** Detail of `sr-cancel`: how far the work had got. */
export interface CancelDetail {
  done: number;
  total: number;
}

declare global {
  interface HTMLElementEventMap {
    'sr-cancel': CustomEvent<CancelDetail>;
  }
}

/** What the viewer's statuses mean to a user. */
const STATUS_TEXT: Record<string, string> = {
  off: 'enhancement off',
  'zoom-in': 'zoom in to enhance',
  enhancing: 'enhancing',
  done: 'done',
  cancelled: 'cancelled',
  incomplete: 'stopped before every tile was done',
  error: 'not enhanced: see the error',
};

/** Display name of a backend id. */
function backendName(id: string): string {
  return id === 'wasm' ? 'WASM' : id === 'webgpu' ? 'WebGPU' : id;
}

/**
 * Enhancement progress with a Cancel button.
 * @fires sr-cancel - {done, total} when the user cancels (a bound viewer's cancel() is called too)
 */
export class SrProgress extends LitElement {
  static override styles = styles;

  /** Id of an `<sr-viewer>` whose progress to show. */
  @property({ reflect: true }) for = '';
  /** Tiles finished. */
  @property({ type: Number }) done = 0;
  /** Tiles in the current request (0: idle). */
  @property({ type: Number }) total = 0;
  /** Backend in use ('' before any work). */
  @property() backend = '';
  /** The bound viewer's enhancement status ('off', 'zoom-in', 'enhancing', 'done', 'cancelled'; '' unknown). */
  @property() status = '';
  /** The last fallback of the current image, or null. */
  @property({ attribute: false }) fallback: FallbackRecord | null = null;

  private readonly binding = new ViewerBinding(this, {
    [VIEWER_EVENTS.progress]: (e) => {
      const d = detailOf<ViewerProgressDetail>(e);
      this.done = d.done;
      this.total = d.total;
      this.backend = d.backend;
    },
    [VIEWER_EVENTS.fallback]: (e) => {
      this.fallback = detailOf<ViewerFallbackDetail>(e).record;
      this.backend = this.fallback.to;
    },
    [VIEWER_EVENTS.loaded]: () => this.reset(),
    [VIEWER_EVENTS.cleared]: () => {
      this.reset();
      this.status = '';
    },
    [VIEWER_EVENTS.status]: (e) => {
      this.status = detailOf<{ status: string }>(e).status;
    },
  });

  /** Clears counts and the fallback line (a new image). */
  reset(): void {
    this.done = 0;
    this.total = 0;
    this.backend = '';
    this.fallback = null;
  }

  /** True while tiles remain. */
  get running(): boolean {
    if (this.status === 'cancelled' || this.status === 'off') return false;
    return this.total > 0 && this.done < this.total;
  }

  private cancel(): void {
    this.binding.viewer?.cancel?.();
    this.dispatchEvent(
      new CustomEvent('sr-cancel', {
        detail: { done: this.done, total: this.total },
        bubbles: true,
        composed: true,
      }),
    );
  }

  /** The status to show: 'done' only when the count is complete too. */
  private get shownStatus(): string {
    return this.status === 'done' && this.done < this.total ? 'incomplete' : this.status;
  }

  override render() {
    const status = this.shownStatus;
    const pct = this.total > 0 ? Math.min(100, (100 * this.done) / this.total) : 0;
    const fb = this.fallback;
    return html`
      <div class="row">
        <div
          class="bar"
          role="progressbar"
          aria-label="Tiles enhanced"
          aria-valuemin="0"
          aria-valuemax=${this.total}
          aria-valuenow=${this.done}
        >
          <div class="fill" ${styleProps({ width: `${pct.toFixed(1)}%` })}></div>
        </div>
        <span class="count"
          >${
            // a view whose tiles were all made before (zoomed into enhanced cells) has none to run
            this.total === 0 && status === 'done' ? 'all tiles ready' : `${this.done} / ${this.total} tiles`
          }</span
        >
        <span class="backend">${this.backend ? backendName(this.backend) : '–'}</span>
        ${status ? html`<span class="status">${STATUS_TEXT[status] ?? status}</span>` : nothing}
        <button type="button" class="cancel" ?disabled=${!this.running} @click=${this.cancel}>Cancel</button>
      </div>
      ${
        fb
          ? html`<p class="fallback" role="status">
              fell back to ${backendName(fb.to)}: ${fb.reason}
              ${fb.atTile !== undefined ? html` (from tile ${fb.atTile + 1})` : nothing}
            </p>`
          : nothing
      }
    `;
  }
}
