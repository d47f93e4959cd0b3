/**
 * `<sr-enhance-control>`: turns enhancement on and off and picks the model, variant and backend.
 * Perceptual (GAN) weights are never chosen silently: picking them opens a warning that must be
 * acknowledged before anything changes or any event fires.
 */
import { html, LitElement, nothing, type PropertyValues } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import type { Domain, Variant } from '../../../models/card.ts';
import { getModel, listModels, MODEL_IDS, type ModelEntry, type ModelId } from '../../../models/registry.ts';
import { ViewerBinding } from '../shared/viewer-binding.ts';
import { VIEWER_EVENTS, type ViewerLike } from '../shared/viewer-events.ts';
import { styles } from './sr-enhance-control.styles.ts';

/** Backends a user may ask for in a browser. */
export type BackendChoice = 'auto' | 'webgpu' | 'wasm';

/** Detail of `sr-enhance-change`: the whole choice after a user change. */
export interface EnhanceChangeDetail {
  enabled: boolean;
  modelId: string;
  variant: Variant;
  backend: BackendChoice;
}

declare global {
  interface HTMLElementEventMap {
    'sr-enhance-change': CustomEvent<EnhanceChangeDetail>;
  }
}

/** The warning shown before perceptual weights are used (also in the CLI and reports). */
export const PERCEPTUAL_WARNING = 'GAN output invents texture; not for measurement or diagnosis.';

const DOMAIN_LABEL: Record<Domain, string> = { medical: 'Medical', satellite: 'Satellite' };
const BACKENDS: readonly BackendChoice[] = ['auto', 'webgpu', 'wasm'];

/** Fidelity entries grouped by domain, one per model id, in registry order. */
function modelGroups(): Array<[Domain, ModelEntry[]]> {
  const groups = new Map<Domain, ModelEntry[]>();
  for (const m of listModels()) {
    if (m.variant !== 'fidelity') continue;
    groups.set(m.domain, [...(groups.get(m.domain) ?? []), m]);
  }
  return [...groups];
}

/**
 * Enhancement switch, model, variant and backend pickers.
 * @fires sr-enhance-change - {enabled, modelId, variant, backend} after every user change
 * @csspart form - the row of controls
 */
export class SrEnhanceControl extends LitElement {
  static override styles = styles;

  /** Id of an `<sr-viewer>` to drive (its enhance/model/variant/backend are set on each change). */
  @property({ reflect: true }) for = '';
  /** Whether enhancement is on. */
  @property({ type: Boolean, reflect: true }) enabled = false;
  /** Registry model id. */
  @property({ attribute: 'model-id' }) modelId = 'medical-x2';
  /** 'fidelity' (default) or 'perceptual'; users reach perceptual only through the warning. */
  @property() variant: Variant = 'fidelity';
  /** Backend preference. */
  @property() backend: BackendChoice = 'auto';

  /** True while the perceptual warning is open. */
  @state() private warningOpen = false;
  @state() private acknowledged = false;
  @query('dialog') private dialog!: HTMLDialogElement;

  // the control shows what the bound viewer does: adopt its settings when bound, per image and
  // whenever they change (set from script, an attribute, another control)
  private readonly binding = new ViewerBinding(
    this,
    {
      [VIEWER_EVENTS.loaded]: () => this.adopt(this.binding.viewer),
      [VIEWER_EVENTS.settings]: () => this.adopt(this.binding.viewer),
    },
    (viewer) => this.adopt(viewer),
  );

  /** Takes the viewer's current settings (no event: nothing changed on the viewer). */
  private adopt(viewer: ViewerLike | null): void {
    if (!viewer) return;
    if (typeof viewer.enhance === 'boolean') this.enabled = viewer.enhance;
    const model = viewer.model || viewer.effectiveModel;
    if (model && MODEL_IDS.includes(model as ModelId)) this.modelId = model;
    if (viewer.variant === 'fidelity' || viewer.variant === 'perceptual') this.variant = viewer.variant;
    if (viewer.backend === 'auto' || viewer.backend === 'webgpu' || viewer.backend === 'wasm')
      this.backend = viewer.backend;
  }

  /** The registry entry of the current choice. */
  get entry(): ModelEntry {
    return getModel(this.modelId, this.variant);
  }

  protected override updated(changed: PropertyValues): void {
    if (changed.has('warningOpen')) {
      if (this.warningOpen && !this.dialog.open) this.dialog.showModal();
      if (!this.warningOpen && this.dialog.open) this.dialog.close();
    }
  }

  private change(patch: Partial<EnhanceChangeDetail>): void {
    if (patch.enabled !== undefined) this.enabled = patch.enabled;
    if (patch.modelId !== undefined) this.modelId = patch.modelId;
    if (patch.variant !== undefined) this.variant = patch.variant;
    if (patch.backend !== undefined) this.backend = patch.backend;
    const detail: EnhanceChangeDetail = {
      enabled: this.enabled,
      modelId: this.modelId,
      variant: this.variant,
      backend: this.backend,
    };
    const viewer = this.binding.viewer;
    if (viewer) {
      viewer.model = detail.modelId;
      viewer.variant = detail.variant;
      viewer.backend = detail.backend;
      viewer.enhance = detail.enabled;
    }
    this.dispatchEvent(new CustomEvent('sr-enhance-change', { detail, bubbles: true, composed: true }));
  }

  private onVariant(e: Event): void {
    const v = (e.target as HTMLInputElement).value as Variant;
    if (v === this.variant) return;
    if (v === 'perceptual') {
      // nothing changes until the warning is acknowledged; the radio goes back to fidelity meanwhile
      (e.target as HTMLInputElement).checked = false;
      this.renderRoot.querySelector<HTMLInputElement>('input[value="fidelity"]')!.checked = true;
      this.acknowledged = false;
      this.warningOpen = true;
      return;
    }
    this.change({ variant: 'fidelity' });
  }

  private acceptPerceptual(): void {
    if (!this.acknowledged) return;
    this.warningOpen = false;
    this.change({ variant: 'perceptual' });
  }

  private rejectPerceptual(): void {
    this.warningOpen = false;
  }

  override render() {
    const entry = this.entry;
    return html`
      <form part="form" @submit=${(e: Event) => e.preventDefault()}>
        <button
          type="button"
          class="switch"
          role="switch"
          aria-checked=${this.enabled ? 'true' : 'false'}
          aria-label="Enhance"
          @click=${() => this.change({ enabled: !this.enabled })}
        >
          ${this.enabled ? 'On' : 'Off'}
        </button>
        <label
          >Model
          <select
            name="model"
            @change=${(e: Event) => this.change({ modelId: (e.target as HTMLSelectElement).value })}
          >
            ${modelGroups().map(
              ([domain, entries]) =>
                html`<optgroup label=${DOMAIN_LABEL[domain]}>
                  ${entries.map(
                    (m) =>
                      html`<option value=${m.id} ?selected=${m.id === this.modelId}>
                        ${m.id} (×${m.scale})
                      </option>`,
                  )}
                </optgroup>`,
            )}
          </select>
        </label>
        <span class="scale" aria-label="scale">×${entry.scale}</span>
        <fieldset @change=${this.onVariant}>
          <legend>Variant</legend>
          <label
            ><input type="radio" name="variant" value="fidelity" .checked=${this.variant === 'fidelity'} />
            fidelity</label
          >
          <label class="perceptual"
            ><input
              type="radio"
              name="variant"
              value="perceptual"
              .checked=${this.variant === 'perceptual'}
            />
            perceptual (GAN)</label
          >
        </fieldset>
        <label
          >Backend
          <select
            name="backend"
            @change=${(e: Event) =>
              this.change({ backend: (e.target as HTMLSelectElement).value as BackendChoice })}
          >
            ${BACKENDS.map((b) => html`<option value=${b} ?selected=${b === this.backend}>${b}</option>`)}
          </select>
        </label>
      </form>
      <dialog
        aria-labelledby="warn-title"
        @cancel=${(e: Event) => {
          e.preventDefault();
          this.rejectPerceptual();
        }}
      >
        <h2 id="warn-title">Perceptual (GAN) model</h2>
        <p>${PERCEPTUAL_WARNING}</p>
        <label
          ><input
            type="checkbox"
            name="acknowledge"
            .checked=${this.acknowledged}
            @change=${(e: Event) => (this.acknowledged = (e.target as HTMLInputElement).checked)}
          />
          I understand</label
        >
        <div class="actions">
          <button type="button" class="reject" @click=${this.rejectPerceptual}>Keep fidelity</button>
          <button
            type="button"
            class="accept"
            ?disabled=${!this.acknowledged}
            @click=${this.acceptPerceptual}
          >
            Use perceptual
          </button>
        </div>
      </dialog>
      ${
        this.variant === 'perceptual'
          ? html`<p class="perceptual" role="note">Perceptual: ${PERCEPTUAL_WARNING}</p>`
          : nothing
      }
    `;
  }
}
