/**
 * What `<sr-viewer>` (cornerstone-core) and `<sr-stack-viewer>` (Cornerstone3D) share, written once:
 * the live-enhancement properties, the state they report (shown image, status, provenance), the
 * engine callbacks turned into the same DOM events, the `sr-settings-change` event after any change
 * of the enhancement settings (however they were set: attribute, property, a control), and the
 * engine configuration built from the properties. Each viewer adds its viewport, navigation and the
 * properties only it has.
 */
import { LitElement, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import type { BackendPreference } from '../../../models/backend/types.ts';
import type { Variant } from '../../../models/card.ts';
import type {
  EnhanceStatus,
  LiveEnhanceCallbacks,
  LiveEnhanceConfig,
  ViewerProvenance,
} from '../../live/types.ts';
import type { ViewerImageInfo } from '../../viewer/cornerstone/open-controller.ts';
import { MARK_CORNERS, type MarkCorner } from '../../watermark/viewport.ts';
import type {} from '../sr-viewer/sr-viewer.events.ts';

/** The properties `sr-settings-change` reports. */
const SETTINGS = ['enhance', 'model', 'variant', 'backend'] as const;

/** The base of the tilesr viewer elements (not registered itself). */
export abstract class LiveViewerElement extends LitElement {
  /** Live enhancement on/off. */
  @property({ type: Boolean, reflect: true }) enhance = false;
  /** Registry model id; empty = the viewer's default (see `effectiveModel`). */
  @property() model = '';
  /** 'fidelity' (default) or 'perceptual' (GAN; labelled "perceptual" in the mark). */
  @property() variant: Variant = 'fidelity';
  /** Inference backend preference: 'auto' (WebGPU, else WASM, reported), 'webgpu' or 'wasm'. */
  @property() backend: BackendPreference = 'auto';
  /** Enhance at any zoom, not only when zoomed in to >= 1 screen px per image px. */
  @property({ type: Boolean, attribute: 'any-zoom' }) anyZoom = false;
  /** LR tile side in px. */
  @property({ type: Number, attribute: 'tile-size' }) tileSize = 64;
  /** Rings of tiles around the visible ones enhanced ahead at lower priority (a stack's neighbouring slices always are). */
  @property({ type: Number }) prefetch = 1;
  /** Consistency-check threshold in dB below which a tile gets a marker outline. */
  @property({ type: Number, attribute: 'consistency-threshold' }) consistencyThreshold = 35;
  /**
   * 'progressive' (default): enhanced tiles appear one by one as they are ready; 'complete': the
   * view switches to enhanced only once every visible tile is ready (no patchwork meanwhile).
   */
  @property() reveal: 'progressive' | 'complete' = 'progressive';
  /**
   * Corner of the enhanced area holding the "AI-enhanced" mark: 'bottom-right' (default),
   * 'bottom-left', 'top-right', 'top-left'. The mark can move, never go.
   */
  @property({ attribute: 'mark-corner' }) markCorner: MarkCorner = 'bottom-right';
  /**
   * Run a model of another domain than the image's (DICOM: medical, GeoTIFF: satellite); without it
   * such a model is refused with `sr-error` DOMAIN_MISMATCH. Provenance records the override.
   */
  @property({ type: Boolean, attribute: 'allow-domain-mismatch' }) allowDomainMismatch = false;
  /**
   * Enhance an image that is already AI-enhanced; without it such an image is shown as is and
   * `sr-error` ALREADY_ENHANCED says "already AI-enhanced by tilesr <model> xN". Provenance names both steps.
   */
  @property({ type: Boolean, attribute: 'allow-derived' }) allowDerived = false;

  /** Facts about the image shown (undefined before the first one). */
  @state() info: ViewerImageInfo | undefined;
  /** Where live enhancement stands ('off', 'zoom-in', 'enhancing', 'done', 'cancelled'). */
  @state() enhanceStatus: EnhanceStatus = 'off';
  /** Provenance of what is shown enhanced (latest). */
  @state() provenance: ViewerProvenance | undefined;

  /** The model used: `model`, or the viewer's default for the shown image. */
  abstract get effectiveModel(): string;

  /** After each update: `sr-settings-change` when enhance, model, variant or backend changed. */
  protected override update(changed: PropertyValues<this>): void {
    super.update(changed);
    if (SETTINGS.some((k) => changed.has(k)))
      this.emit('sr-settings-change', {
        enhance: this.enhance,
        model: this.model,
        effectiveModel: this.effectiveModel,
        variant: this.variant,
        backend: this.backend,
      });
  }

  protected emit<K extends keyof HTMLElementEventMap>(
    type: K,
    detail: HTMLElementEventMap[K] extends CustomEvent<infer D> ? D : never,
  ): void {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }

  /** The engine's callbacks as this element's state and `sr-*` events. */
  protected liveCallbacks(): LiveEnhanceCallbacks {
    return {
      progress: (p) => this.emit('sr-enhance-progress', p),
      tile: (tile) => this.emit('sr-tile-enhanced', { tile, backend: tile.backend, ms: tile.ms }),
      fallback: (record) => this.emit('sr-fallback', { record }),
      provenance: (provenance) => {
        this.provenance = provenance;
        this.emit('sr-provenance', { provenance });
      },
      error: (e) => this.emit('sr-error', e),
      rendered: (tiles, watermark) => this.emit('sr-rendered', { tiles, watermark }),
      status: (status) => {
        this.enhanceStatus = status;
        this.emit('sr-enhance-status', { status });
      },
    };
  }

  /** The engine configuration of the shared properties. */
  protected liveConfig(): Partial<LiveEnhanceConfig> {
    return {
      enabled: this.enhance,
      modelId: this.effectiveModel,
      variant: this.variant,
      backend: this.backend,
      anyZoom: this.anyZoom,
      tileSize: this.tileSize,
      prefetchRing: this.prefetch,
      consistencyThresholdDb: this.consistencyThreshold,
      reveal: this.reveal === 'complete' ? 'complete' : 'progressive',
      // an unknown attribute value keeps the default corner rather than hiding the mark
      markCorner: MARK_CORNERS.includes(this.markCorner) ? this.markCorner : 'bottom-right',
      allowDomainMismatch: this.allowDomainMismatch,
      allowDerived: this.allowDerived,
    };
  }
}
