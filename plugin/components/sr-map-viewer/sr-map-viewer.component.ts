/**
 * `<sr-map-viewer src=...>`: a GeoTIFF (URL, or a File/Blob set as `file`) in OpenLayers through
 * plugin/viewer/openlayers, enhanced past native resolution with the mark. It dispatches the same
 * typed events as `<sr-viewer>` (sr-viewer.events.ts), so `<sr-progress>` and `<sr-provenance>` bind
 * with `for`. The map renders into the element itself (no shadow root) so the page's `ol/ol.css`
 * styles OpenLayers' controls.
 */
import { html, LitElement, type PropertyValues } from 'lit';
import { property } from 'lit/decorators.js';
import type { BackendPreference, FallbackRecord } from '../../../models/backend/types.ts';
import type { ImageInfo } from '../../../formats/raster.ts';
import { openEnhancedMap, type EnhancedMap } from '../../viewer/openlayers/map.ts';
import type { DisplayStretch } from '../../viewer/openlayers/style.ts';
import '../sr-viewer/sr-viewer.events.ts';
import { adoptMapStyles } from './sr-map-viewer.styles.ts';
import { errorCode } from '../../../core/errors.ts';

/** What `<sr-map-viewer>` reports in `sr-image-loaded`. */
export interface MapImageInfo {
  imageId: string;
  format: ImageInfo['format'];
  width: number;
  height: number;
  frames: number;
  frame: number;
  samples: number;
  dtype: ImageInfo['dtype'];
  /** The display stretch in use (colours only; readout and enhancement use the real values). */
  stretch: DisplayStretch;
  header: ImageInfo;
}

/**
 * An OpenLayers map of one GeoTIFF with live enhancement past native resolution.
 *
 * @fires sr-image-cleared - {code, message} the previous image is gone: an open started (code
 *   'OPENING') or failed (its error code; sr-error follows); bound panels clear
 * @fires sr-image-loaded - {info: MapImageInfo} the new image is shown
 * @fires sr-enhance-status - {status} 'off' | 'zoom-in' | 'enhancing' | 'done' | 'error'
 * @fires sr-error - {code, message} opening failed, or enhancement was refused (DOMAIN_MISMATCH) or failed
 */
export class SrMapViewer extends LitElement {
  /** URL of the GeoTIFF (read with range requests). */
  @property() src = '';
  /** A local file to show instead of `src`. */
  @property({ attribute: false }) file: Blob | null = null;
  /** Registry id of the model (a satellite model; others are refused unless `allowDomainMismatch`). */
  @property() model = 'satellite-x2';
  @property() backend: BackendPreference = 'auto';
  /** Enhance when zoomed past native resolution. */
  @property({ type: Boolean }) enhance = false;
  /** Before/after: enhanced pixels only right of this fraction (0..1) of the width. */
  @property({ type: Number }) swipe = 0;
  /** Run the model on an image of another domain (e.g. a DICOM); provenance records the override. */
  @property({ type: Boolean, attribute: 'allow-domain-mismatch' }) allowDomainMismatch = false;

  /** The open map (undefined while opening or when nothing is open). */
  view: EnhancedMap | undefined;
  private opening = 0;
  /** Fallback records already sent as sr-fallback (the map's provenance carries them). */
  private readonly reported = new Set<string>();

  /** Renders into the element: OpenLayers is styled by the page's ol.css. */
  protected override createRenderRoot(): HTMLElement {
    adoptMapStyles();
    return this;
  }

  override render() {
    return html`<div class="map" part="map"></div>`;
  }

  override updated(changed: PropertyValues<this>): void {
    const reopen = ['src', 'file', 'model', 'backend', 'allowDomainMismatch'] as const;
    if (reopen.some((k) => changed.has(k))) void this.open();
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

  /** Zooms one step deeper past native resolution (never out); false when already deepest. */
  zoomPastNative(): boolean {
    return this.view?.zoomPastNative() ?? false;
  }

  private emit(type: string, detail: unknown): void {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }

  private reportFallbacks(records: FallbackRecord[]): void {
    for (const record of records) {
      const key = `${record.from}>${record.to}:${record.reason}`;
      if (this.reported.has(key)) continue;
      this.reported.add(key);
      this.emit('sr-fallback', { record });
    }
  }

  private async close(): Promise<void> {
    const v = this.view;
    this.view = undefined;
    await v?.dispose();
  }

  private open(): Promise<void> {
    const ticket = ++this.opening;
    this.ready = (async () => {
      // the previous image's panels, progress and tiles go before anything of the new one arrives
      await this.close();
      this.reported.clear();
      const input = this.file ?? (this.src ? new URL(this.src, location.href).href : null);
      const target = this.querySelector<HTMLElement>(':scope > .map');
      if (!input || !target) return;
      target.replaceChildren();
      this.emit('sr-image-cleared', { code: 'OPENING', message: 'opening another image' });
      const current = () => ticket === this.opening;
      // a superseded open reports nothing
      const send = (type: string, detail: unknown) => current() && this.emit(type, detail);
      try {
        const view = await openEnhancedMap({
          target,
          input,
          modelId: this.model,
          backend: this.backend,
          enhance: this.enhance,
          allowDomainMismatch: this.allowDomainMismatch,
          on: {
            progress: (p) => send('sr-enhance-progress', p),
            tile: (tile) => send('sr-tile-enhanced', { tile, backend: tile.backend, ms: tile.ms }),
            provenance: (provenance) => {
              if (current()) this.reportFallbacks(provenance.fallbacks);
              send('sr-provenance', { provenance });
            },
            status: (status) => send('sr-enhance-status', { status }),
            rendered: (tiles, watermark) => send('sr-rendered', { tiles, watermark }),
            error: (e) => send('sr-error', e),
          },
        });
        if (!current()) return void (await view.dispose());
        this.view = view;
        view.setSwipe(this.swipe);
        this.emit('sr-image-loaded', { info: imageInfo(view) });
      } catch (err) {
        if (!current()) return;
        const e = { code: errorCode(err) ?? 'OPEN_FAILED', message: (err as Error).message ?? String(err) };
        this.emit('sr-image-cleared', e);
        this.emit('sr-error', e);
        // nothing to enhance: say so, rather than leave "enhancement off" beside a ticked Enhance
        this.emit('sr-enhance-status', { status: 'error' });
      }
    })();
    return this.ready;
  }
}

function imageInfo(view: EnhancedMap): MapImageInfo {
  const i = view.info;
  const { format, width, height, frames, samples, dtype } = i;
  return {
    imageId: view.imageId,
    format,
    width,
    height,
    frames,
    frame: 0,
    samples,
    dtype,
    stretch: view.stretch,
    header: i,
  };
}
