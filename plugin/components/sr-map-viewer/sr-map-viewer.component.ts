/**
 * `<sr-map-viewer src=...>`: a GeoTIFF (URL, or a File/Blob set as `file`) in OpenLayers through
 * plugin/viewer/openlayers, enhanced past native resolution with the mark. It dispatches the same
 * typed events as `<sr-viewer>` (sr-viewer.events.ts), so `<sr-progress>` and `<sr-provenance>` bind
 * with `for`.
 */
import { html, LitElement, type PropertyValues } from 'lit';
import { property } from 'lit/decorators.js';
import type { BackendPreference } from '../../../models/backend/types.ts';
import { openEnhancedMap, type EnhancedMap } from '../../viewer/openlayers/map.ts';
import '../sr-viewer/sr-viewer.events.ts';
import { styles } from './sr-map-viewer.styles.ts';
import { errorCode } from '../../../core/errors.ts';

/** An OpenLayers map of one GeoTIFF with live enhancement past native resolution. */
export class SrMapViewer extends LitElement {
  static override styles = styles;

  /** URL of the GeoTIFF (read with range requests). */
  @property() src = '';
  /** A local file to show instead of `src`. */
  @property({ attribute: false }) file: Blob | null = null;
  /** Registry id of the model. */
  @property() model = 'satellite-x2';
  @property() backend: BackendPreference = 'auto';
  /** Enhance when zoomed past native resolution. */
  @property({ type: Boolean }) enhance = false;
  /** Before/after: enhanced pixels only right of this fraction (0..1) of the width. */
  @property({ type: Number }) swipe = 0;

  /** The open map (undefined while opening or when nothing is open). */
  view: EnhancedMap | undefined;
  private opening = 0;

  override render() {
    return html`<div class="map" part="map"></div>`;
  }

  override updated(changed: PropertyValues<this>): void {
    if (changed.has('src') || changed.has('file') || changed.has('model') || changed.has('backend'))
      void this.open();
    else {
      if (changed.has('enhance')) this.view?.setEnhance(this.enhance);
      if (changed.has('swipe')) this.view?.setSwipe(this.swipe);
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    void this.close();
  }

  /** Resolves when the current source is open (or failed). */
  ready: Promise<void> = Promise.resolve();

  private emit(type: string, detail: unknown): void {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }

  private async close(): Promise<void> {
    const v = this.view;
    this.view = undefined;
    await v?.dispose();
  }

  private open(): Promise<void> {
    const ticket = ++this.opening;
    this.ready = (async () => {
      await this.close();
      const input = this.file ?? (this.src ? new URL(this.src, location.href).href : null);
      const target = this.renderRoot.querySelector('.map') as HTMLElement | null;
      if (!input || !target) return;
      target.replaceChildren();
      try {
        const view = await openEnhancedMap({
          target,
          input,
          modelId: this.model,
          backend: this.backend,
          enhance: this.enhance,
          on: {
            progress: (p) => this.emit('sr-enhance-progress', p),
            tile: (tile) => this.emit('sr-tile-enhanced', { tile, backend: tile.backend, ms: tile.ms }),
            provenance: (provenance) => this.emit('sr-provenance', { provenance }),
            status: (status) => this.emit('sr-enhance-status', { status }),
            rendered: (tiles, watermark) => this.emit('sr-rendered', { tiles, watermark }),
            error: (e) => this.emit('sr-error', e),
          },
        });
        if (ticket !== this.opening) return void (await view.dispose());
        this.view = view;
        view.setSwipe(this.swipe);
      } catch (err) {
        const e = err as { message?: string };
        this.emit('sr-error', { code: errorCode(err) ?? 'OPEN_FAILED', message: e.message ?? String(err) });
      }
    })();
    return this.ready;
  }
}
