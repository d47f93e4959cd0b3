/**
 * <sr-viewer>: a cornerstone viewport that opens DICOM and GeoTIFF files (src, open(), drag and
 * drop) and, with `enhance`, super-resolves the visible region tile by tile while zoomed in. Enhanced
 * pixels always carry the in-viewport watermark and outline (plugin/watermark/viewport.ts); the
 * original data are never modified. See README.md in this folder for the API.
 */
import { html, type PropertyValues } from 'lit';
import { customElement, property, query } from 'lit/decorators.js';
import type { RasterInput } from '../../../formats/index.ts';
import type { ExportFormat, ExportOutput } from '../../export/types.ts';
import type { Cornerstone, Point, Viewport } from '../../viewer/cornerstone/cornerstone.ts';
import {
  FrameExportController,
  exportFormatsFor,
  type ExportImageOptions,
} from '../../viewer/cornerstone/frame-export.ts';
import { DEFAULT_LIVE_CONFIG, LiveTileEnhancer } from '../../live/live-tile-enhancer.ts';
import type { LiveEnhanceStats, LiveTileInfo } from '../../live/types.ts';
import { CornerstoneAdapter } from '../../viewer/cornerstone/adapter.ts';
import { LiveAttachController } from '../../viewer/cornerstone/live-attach.ts';
import { getLoadedRaster, type LoadedRaster, type PixelSpacing } from '../../viewer/cornerstone/loader.ts';
import * as nav from '../../viewer/cornerstone/navigation.ts';
import {
  FULL_RESOLUTION_DISPLAY_BYTES,
  OpenController,
  type ViewerImageInfo,
} from '../../viewer/cornerstone/open-controller.ts';
import type { WatermarkBox } from '../../watermark/viewport.ts';
import { ExportError } from '../../export/errors.ts';
import './sr-viewer.events.ts';
import { LiveViewerElement } from '../shared/live-viewer.ts';
import { FrameNavController } from './frame-nav.ts';
import { srViewerStyles } from './sr-viewer.styles.ts';

/** Default model per format when `model` is empty. */
const DEFAULT_MODEL = { dicom: 'medical-x2', geotiff: 'satellite-x2' } as const;

/**
 * A viewer for DICOM and GeoTIFF with live, watermarked super-resolution.
 *
 * @fires sr-image-loaded - {info} a frame is displayed
 * @fires sr-enhance-progress - {done, total, backend} tiles of the current view done so far
 * @fires sr-tile-enhanced - {tile, backend, ms} one tile is ready
 * @fires sr-fallback - {record} inference moved to another backend (or could not use the preferred one)
 * @fires sr-provenance - {provenance} what is shown enhanced, after each view's tiles finished
 * @fires sr-enhance-status - {status} off, zoom-in, enhancing, done, cancelled
 * @fires sr-error - {code, message} opening, decoding or enhancing failed
 * @fires sr-rendered - {tiles, watermark} after every cornerstone render of the shown image
 * @fires sr-export-progress - {done, total} tiles of a running export done so far
 * @fires sr-export-done - {format, bytes, notes} an export's file is complete
 * @fires sr-export-error - {code, message} an export failed or was cancelled (ABORTED)
 * @fires sr-settings-change - {enhance, model, effectiveModel, variant, backend} after any change of them
 * @fires sr-frame-change - {frame, frames} the user stepped to another frame (slider, keys, wheel)
 * @fires sr-image-cleared - {code, message} a failed open or frame change cleared the view
 * @csspart viewport - the cornerstone element
 * @csspart drop - the drop-target overlay shown while a file is dragged over
 * @csspart frames - the frame bar below the image (multi-frame images only)
 */
@customElement('sr-viewer')
export class SrViewer extends LiveViewerElement {
  static override styles = srViewerStyles;

  /** URL of a DICOM or GeoTIFF file; setting it opens the file. */
  @property() src = '';
  /** Frame shown (0-based, DICOM multi-frame). */
  @property({ type: Number }) frame = 0;
  /**
   * Largest side (LR px) of one inference block: missing visible tiles are merged into blocks of up to
   * this side so they share one halo (each tile still stored, checked and drawn on its own); the
   * centre tile still runs alone, first (plugin/live/blocks.ts). Default 128; 0: one inference per tile.
   */
  @property({ type: Number, attribute: 'block-size' }) blockSize: number = DEFAULT_LIVE_CONFIG.blockSize ?? 0;
  /** Attach to this existing cornerstone element instead of creating one (set before connecting). */
  @property({ attribute: false }) cornerstoneElement: HTMLElement | undefined;
  /**
   * Decoded size (bytes) above which a GeoTIFF opens on an overview sized to the element (default
   * 64 MiB); zooming past native resolution then enhances native windows read on demand.
   */
  @property({ type: Number, attribute: 'full-resolution-bytes' }) fullResolutionBytes: number =
    FULL_RESOLUTION_DISPLAY_BYTES;
  /** Canvas x (px) left of which enhanced pixels are not drawn; set by <sr-compare>. */
  @property({ type: Number, attribute: false }) splitX = 0;

  @query('.viewport') private viewportDiv!: HTMLDivElement;

  /** The cornerstone-core side of live enhancement (view, renders, drawing). */
  private readonly adapter = new CornerstoneAdapter();
  /** The viewer-agnostic engine driving it. */
  private readonly engine = new LiveTileEnhancer(this.adapter, this.liveCallbacks());
  /** Attaches/detaches both with this element. */
  private readonly live = new LiveAttachController(this, this.adapter, this.engine);

  private readonly opener = new OpenController(this, {
    loaded: (loaded: LoadedRaster, info: ViewerImageInfo) => {
      this.info = info;
      this.frame = info.frame;
      // taken with the image it belongs to: a newer open cannot pair this frame with another file
      this.source = { read: this.opener.sourceReader(), name: this.opener.sourceName };
      this.showImage(loaded);
      this.configureLive();
      this.emit('sr-image-loaded', { info });
    },
    // nothing shown: nothing to export, enhance or describe (the error follows)
    cleared: () => {
      this.info = undefined;
      this.source = undefined;
      this.provenance = undefined;
      this.showImage(undefined);
    },
    error: (e) => {
      if (!this.info) this.emit('sr-image-cleared', e);
      this.emit('sr-error', e);
    },
  });

  /** Slider, keys and wheel over the frames of a multi-frame image. */
  private readonly frames = new FrameNavController(this, (frame) =>
    this.emit('sr-frame-change', { frame, frames: this.frameCount ?? 1 }),
  );

  private readonly exporter = new FrameExportController(this, {
    progress: (p) => this.emit('sr-export-progress', p),
    done: (d) => this.emit('sr-export-done', d),
    error: (e) => this.emit('sr-export-error', e),
  });

  /** Re-reads the shown image's file, and its name (for exports). */
  private source:
    { read: (signal?: AbortSignal) => Promise<Uint8Array>; name: string | undefined } | undefined;
  private cs: Cornerstone | undefined;
  private enabledEl: HTMLElement | undefined;
  private unbind: (() => void) | undefined;
  private resizeObserver: ResizeObserver | undefined;
  private connecting: Promise<void> | undefined;
  /** open() calls not settled yet. */
  private opens = 0;

  override render() {
    return html`<div class="viewport" part="viewport"></div>
      ${this.frames.render()}
      <div class="drop" part="drop">Drop a DICOM or GeoTIFF file</div>`;
  }

  /** Frames of the image shown (undefined: none shown). */
  get frameCount(): number | undefined {
    return this.info?.frames;
  }

  /** Steps `delta` frames (clamped); false when the image has a single frame. */
  stepFrame(delta: number): boolean {
    return this.frames.step(delta);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.addEventListener('dragover', this.onDragOver);
    this.addEventListener('dragleave', this.onDragLeave);
    this.addEventListener('drop', this.onDrop);
    // back after a real removal (not a move): enable again and reopen `src`
    if (this.hasUpdated && !this.connecting)
      void this.ensureConnected().then(() => (this.src ? this.open(this.src) : undefined));
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.removeEventListener('dragover', this.onDragOver);
    this.removeEventListener('dragleave', this.onDragLeave);
    this.removeEventListener('drop', this.onDrop);
    // a move (remove + insert in one task) keeps cornerstone and the image; a removal frees them
    queueMicrotask(() => {
      if (!this.isConnected) this.teardown();
    });
  }

  private teardown(): void {
    this.resizeObserver?.disconnect();
    this.unbind?.();
    this.unbind = undefined;
    this.live.detach();
    this.showImage(undefined);
    void this.opener.close();
    if (this.cs && this.enabledEl && !this.cornerstoneElement) {
      try {
        this.cs.disable(this.enabledEl);
      } catch {
        // already disabled
      }
    }
    this.cs = undefined;
    this.enabledEl = undefined;
    this.connecting = undefined;
    this.info = undefined;
    this.source = undefined;
  }

  /** Resolves once cornerstone is loaded and the element enabled. */
  private ensureConnected(): Promise<void> {
    this.connecting ??= (async () => {
      await this.updateComplete;
      const el = this.cornerstoneElement ?? this.viewportDiv;
      const cs = await this.opener.enable(el);
      this.cs = cs;
      this.enabledEl = el;
      this.live.attach(cs, el);
      this.unbind = nav.bindNavigation(cs, el, this.frames.wheel);
      this.resizeObserver = new ResizeObserver(() => {
        if (!this.cs || !this.enabledEl) return;
        // keep zoom and pan; cornerstone re-renders, which redraws tiles and the watermark
        this.cs.resize(this.enabledEl, false);
      });
      this.resizeObserver.observe(el);
    })();
    return this.connecting;
  }

  protected override firstUpdated(): void {
    void this.ensureConnected().catch((e: unknown) =>
      this.emit('sr-error', { code: 'CORNERSTONE_FAILED', message: (e as Error).message }),
    );
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('src') && this.src) void this.open(this.src);
    // while a file opens, `frame` is the frame it opens on (set before open(), e.g. 0 for a new file)
    else if (changed.has('frame') && this.info && this.frame !== this.info.frame && this.opens === 0)
      void this.ensureConnected().then(() => this.opener.showFrame(this.frame));
    const liveProps = [
      'enhance',
      'model',
      'variant',
      'backend',
      'anyZoom',
      'tileSize',
      'prefetch',
      'blockSize',
      'consistencyThreshold',
      'splitX',
      'reveal',
      'markCorner',
      'allowDomainMismatch',
      'allowDerived',
    ];
    if (liveProps.some((p) => changed.has(p as keyof SrViewer))) this.configureLive();
  }

  /** The model used: `model`, or the default for the image's format. */
  get effectiveModel(): string {
    return this.model || DEFAULT_MODEL[this.info?.format ?? 'dicom'];
  }

  private configureLive(): void {
    this.adapter.splitX = this.splitX;
    this.engine.configure({ ...this.liveConfig(), blockSize: this.blockSize, splitX: this.splitX });
  }

  /** The image shown now (undefined: none), to the adapter (display model) and the engine. */
  private showImage(loaded: LoadedRaster | undefined): void {
    const previous = this.engine.current?.imageId;
    this.adapter.setImage(loaded);
    this.engine.setImage(loaded);
    // each open or frame change registers a new raster and unregisters the one shown before
    // (open-controller.ts): nothing computed for that one can be drawn again
    if (previous !== undefined && previous !== loaded?.imageId) this.engine.forget(previous);
  }

  /** Opens a file, URL or buffer (DICOM or GeoTIFF) and shows `frame`; resolves when it is displayed. */
  async open(input: File | Blob | URL | string | ArrayBuffer | Uint8Array): Promise<void> {
    this.opens++; // counted from the call: a `frame` set just before is the frame to open on
    try {
      await this.ensureConnected();
      const source: RasterInput = typeof input === 'string' ? new URL(input, location.href) : input;
      this.opener.fullResolutionBytes = this.fullResolutionBytes;
      await this.opener.open(source, this.frame);
    } finally {
      this.opens--;
    }
  }

  /** Resolves when the latest open or frame change has been displayed (or failed). */
  get loaded(): Promise<void> {
    return (this.connecting ?? Promise.resolve()).then(() => this.opener.ready);
  }

  private need(): { cs: Cornerstone; el: HTMLElement } {
    if (!this.cs || !this.enabledEl || !this.info) throw new Error('sr-viewer: no image is shown');
    return { cs: this.cs, el: this.enabledEl };
  }

  /** Zooms to `scale` screen px per image px, centred on image point `centre` (default: the current centre). */
  zoomTo(scale: number, centre?: Point): void {
    const { cs, el } = this.need();
    nav.zoomTo(cs, el, scale, centre);
  }

  /** Pans by (dx, dy) screen px. */
  panBy(dx: number, dy: number): void {
    const { cs, el } = this.need();
    nav.panBy(cs, el, dx, dy);
  }

  /** Sets the window (real units for grayscale, 0..255 for color). */
  setVoi(windowCenter: number, windowWidth: number): void {
    const { cs, el } = this.need();
    nav.setVoi(cs, el, windowCenter, windowWidth);
  }

  /** Back to the default viewport (fit, default window). */
  resetView(): void {
    const { cs, el } = this.need();
    cs.reset(el);
  }

  /** A copy of cornerstone's viewport (scale, translation, voi, invert ...). */
  get viewport(): Viewport | undefined {
    if (!this.cs || !this.enabledEl || !this.info) return undefined;
    const vp = this.cs.getViewport(this.enabledEl);
    return vp ? structuredClone(vp) : undefined;
  }

  /** Image px -> canvas px, and back. */
  pixelToCanvas(p: Point): Point {
    const { cs, el } = this.need();
    return cs.pixelToCanvas(el, p);
  }
  canvasToPixel(p: Point): Point {
    const { cs, el } = this.need();
    return cs.canvasToPixel(el, p);
  }

  /** The cornerstone canvas (what the user sees: original, enhanced tiles, watermark). */
  get canvas(): HTMLCanvasElement | undefined {
    return this.cs && this.enabledEl ? this.cs.getEnabledElement(this.enabledEl).canvas : undefined;
  }

  /** Pixel spacing of the original image. */
  get pixelSpacing(): PixelSpacing | undefined {
    return this.info?.spacing;
  }

  /** Pixel spacing of the enhanced image: original / scale. */
  get enhancedSpacing(): PixelSpacing | undefined {
    return this.engine.enhancedSpacing;
  }

  /** Tiles drawn on the latest render, and its watermark box (undefined: no enhanced pixel shown). */
  get drawnTiles(): LiveTileInfo[] {
    return this.engine.lastDrawn;
  }
  get watermark(): WatermarkBox | undefined {
    return this.engine.lastWatermark;
  }

  /** Enhanced pixels the viewer keeps ready to draw (bounded; freed when another image is shown). */
  get storedTiles(): { bytes: number; tiles: number } {
    return this.engine.stored;
  }

  /** Counters: aborted tile requests, completed tiles, renders with/without enhanced pixels. */
  get stats(): Readonly<LiveEnhanceStats> {
    return this.engine.stats;
  }

  /**
   * Stops the current view's enhancement (tiles already shown stay; panning, zooming or a new
   * setting resumes) and aborts every running export (it rejects with ABORTED, nothing is written).
   */
  cancel(): void {
    this.engine.cancel();
    this.exporter.cancel();
  }

  /**
   * Enhances the current frame ('frame', default) or the grid cells on screen ('visible') with the
   * live view's model, variant, session and whole-image ranges, and writes it as `format` through
   * plugin/export. The writer's check runs before any inference (UNSUPPORTED_EXPORT: e.g. DICOM of
   * a GeoTIFF). Resolves with the complete file; rejects with a coded error (ABORTED on cancel).
   */
  async export(options: ExportImageOptions): Promise<ExportOutput> {
    const loaded = this.info ? getLoadedRaster(this.info.imageId) : undefined;
    const region =
      options.scope === 'visible'
        ? this.engine.visibleCellsRegion()
        : loaded && { x: 0, y: 0, width: loaded.raster.width, height: loaded.raster.height };
    const job = loaded &&
      region && {
        loaded,
        modelId: this.effectiveModel,
        variant: this.variant,
        backend: this.backend,
        allowDomainMismatch: this.allowDomainMismatch,
        allowDerived: this.allowDerived,
        ranges: this.engine.exportRanges(),
        region,
        sourceBytes: this.source?.read ?? this.opener.sourceReader(),
        sourceName: this.source?.name,
      };
    if (!job) {
      const message = loaded ? 'no part of the image is on screen' : 'no image is open';
      this.emit('sr-export-error', { code: 'MISSING_SOURCE', message });
      throw new ExportError('MISSING_SOURCE', message);
    }
    return this.exporter.run(job, options);
  }

  /** Formats this image can be exported to (those whose writer's check accepts it). */
  async exportFormats(): Promise<ExportFormat[]> {
    const loaded = this.info ? getLoadedRaster(this.info.imageId) : undefined;
    return loaded ? exportFormatsFor(loaded.raster.info) : [];
  }

  /** The open file's name (File name or URL's last segment; undefined for buffers), e.g. for a save name. */
  get sourceName(): string | undefined {
    return this.source?.name;
  }

  /** Exports running now. */
  get exporting(): number {
    return this.exporter.active;
  }

  /** Re-renders now (cornerstone draw, then the overlay). */
  redraw(): void {
    if (this.cs && this.enabledEl && this.info) this.cs.draw(this.enabledEl);
  }

  private readonly onDragOver = (e: DragEvent) => {
    if (!e.dataTransfer?.types.includes('Files')) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'copy';
    this.toggleAttribute('dragging', true);
  };

  private readonly onDragLeave = () => this.toggleAttribute('dragging', false);

  private readonly onDrop = (e: DragEvent) => {
    this.toggleAttribute('dragging', false);
    const file = e.dataTransfer?.files[0];
    if (!file) return;
    e.preventDefault();
    this.frame = 0; // a new file starts at its first frame
    void this.open(file);
  };
}

declare global {
  interface HTMLElementTagNameMap {
    'sr-viewer': SrViewer;
  }
}
