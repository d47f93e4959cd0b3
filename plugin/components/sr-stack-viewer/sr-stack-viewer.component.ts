/**
 * <sr-stack-viewer>: a Cornerstone3D StackViewport showing a series (`srcs`: DICOM/GeoTIFF URLs
 * through our `tilesr:` loader, or `imageIds` the host's Cornerstone3D loaders serve) with slice
 * navigation (wheel, PageUp/PageDown, arrows, Home/End), zoom and pan; a user's series from files
 * or a folder (`openFiles`) or from DICOMweb (`openDicomWeb`, `dicomweb-root`/`study-uid`/`series-uid`); with `enhance`, live
 * super-resolution of the visible region while zoomed in, the next/previous slices prefetched.
 * It dispatches <sr-viewer>'s events (sr-viewer.events.ts), so <sr-enhance-control>,
 * <sr-progress> and <sr-provenance> bind to it the same way. Enhanced pixels always carry the mark
 * and outline; the original data are never modified.
 */
import { html, type PropertyValues } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import { Cs3dLiveEnhancement } from '../../viewer/cornerstone3d/live.ts';
import {
  forgetStackImages,
  getStackImage,
  imageIdForUrl,
  StackLoaderError,
  type StackImage,
} from '../../viewer/cornerstone3d/loader.ts';
import {
  openDicomWebSeries,
  openSeriesFiles,
  type DicomWebSeriesSource,
  type OpenedFiles,
  type StackSeries,
} from '../../viewer/cornerstone3d/series.ts';
import {
  createStackViewport,
  initCornerstone3D,
  onStackImage,
  type StackHandle,
} from '../../viewer/cornerstone3d/stack.ts';
import type { ViewerImageInfo } from '../../viewer/cornerstone/open-controller.ts';
import { LiveViewerElement } from '../shared/live-viewer.ts';
import { srStackViewerStyles } from './sr-stack-viewer.styles.ts';
import { errorCode } from '../../../core/errors.ts';

/** The properties whose change reconfigures the live engine. */
const LIVE_PROPS = [
  'enhance',
  'model',
  'variant',
  'backend',
  'anyZoom',
  'tileSize',
  'prefetch',
  'consistencyThreshold',
  'reveal',
  'markCorner',
  'allowDomainMismatch',
  'allowDerived',
] as const;

/** What a shown slice reports in `sr-image-loaded` (the same shape <sr-viewer> reports). */
function infoOf(img: StackImage): ViewerImageInfo {
  const r = img.raster;
  const d = img.display;
  return {
    imageId: img.imageId,
    format: r.info.format,
    width: r.width,
    height: r.height,
    frames: r.info.frames,
    frame: 0,
    samples: r.samples,
    dtype: r.dtype,
    photometric: r.info.photometric,
    display: d.kind,
    voi: { windowCenter: d.voi.windowCenter, windowWidth: d.voi.windowWidth },
    spacing: img.spacing,
    header: r.info,
  };
}

/**
 * A series viewer on Cornerstone3D with live, watermarked super-resolution.
 *
 * @fires sr-image-loaded - {info} a slice is displayed (on every slice change)
 * @fires sr-enhance-progress - {done, total, backend} tiles of the current view done so far
 * @fires sr-tile-enhanced - {tile, backend, ms} one tile is ready
 * @fires sr-fallback - {record} inference moved to another backend
 * @fires sr-provenance - {provenance} what is shown enhanced, after each view's tiles finished
 * @fires sr-enhance-status - {status} off, zoom-in, enhancing, done, cancelled
 * @fires sr-error - {code, message} loading or enhancing failed
 * @fires sr-rendered - {tiles, watermark} after every Cornerstone3D render of the shown slice
 * @csspart viewport - the Cornerstone3D element
 */
export class SrStackViewer extends LiveViewerElement {
  static override styles = srStackViewerStyles;

  /** URLs of the series' files, in display order (JSON array as an attribute). */
  @property({ type: Array }) srcs: string[] = [];
  /** Image ids served by the host's Cornerstone3D loaders (wadouri:, wadors:, ...); wins over `srcs`. */
  @property({ attribute: false }) imageIds: string[] = [];
  /** Cornerstone3D CPU rendering instead of WebGL when the series is first shown (a page-wide setting). */
  @property({ type: Boolean }) cpu = false;
  /** DICOMweb root; with `studyUid` and `seriesUid`, the series is listed and loaded from it. */
  @property({ attribute: 'dicomweb-root' }) dicomwebRoot = '';
  /** Study Instance UID of the DICOMweb series. */
  @property({ attribute: 'study-uid' }) studyUid = '';
  /** Series Instance UID of the DICOMweb series. */
  @property({ attribute: 'series-uid' }) seriesUid = '';
  /** Headers sent with every DICOMweb request (e.g. Authorization); set before the UIDs. */
  @property({ attribute: false }) dicomwebHeaders: Record<string, string> = {};

  /** The series of the latest `openFiles` / DICOMweb opening (the shown one is `seriesIndex`). */
  @state() series: StackSeries[] = [];
  /** Index in `series` of the series shown (-1: `srcs`/`imageIds` set directly). */
  @state() seriesIndex = -1;

  /** Index of the shown slice. */
  @state() index = 0;
  /** Number of slices. */
  @state() count = 0;

  @query('.viewport') private viewportDiv!: HTMLDivElement;

  /** The StackViewport (and its RenderingEngine), once the first slice is shown. */
  handle: StackHandle | undefined;
  /** Its live enhancement (adapter + engine), once the first slice is shown. */
  live: Cs3dLiveEnhancement | undefined;
  private loading: Promise<void> | undefined;
  /** The latest openFiles / DICOMweb opening (ready() waits for it). */
  private opened: Promise<unknown> | undefined;
  private resizeObserver: ResizeObserver | undefined;
  private drag: { x: number; y: number; id: number } | undefined;
  private unlisten: (() => void) | undefined;

  /** The model used (medical-x2 when `model` is empty). */
  get effectiveModel(): string {
    return this.model || 'medical-x2';
  }

  private ids(): string[] {
    return this.imageIds.length > 0 ? this.imageIds : this.srcs.map((s) => imageIdForUrl(s));
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (!this.hasAttribute('tabindex')) this.tabIndex = 0;
    // re-attached after a removal (which took the viewport down): show the series again
    if (this.hasUpdated && !this.handle) this.loading = this.load();
    this.addEventListener('keydown', this.onKey);
    this.addEventListener('wheel', this.onWheel, { passive: false });
    this.addEventListener('pointerdown', this.onPointerDown);
    this.addEventListener('pointermove', this.onPointerMove);
    this.addEventListener('pointerup', this.onPointerUp);
    this.addEventListener('pointercancel', this.onPointerUp);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.removeEventListener('keydown', this.onKey);
    this.removeEventListener('wheel', this.onWheel);
    this.removeEventListener('pointerdown', this.onPointerDown);
    this.removeEventListener('pointermove', this.onPointerMove);
    this.removeEventListener('pointerup', this.onPointerUp);
    this.removeEventListener('pointercancel', this.onPointerUp);
    this.teardown();
  }

  private teardown(): void {
    this.resizeObserver?.disconnect();
    this.resizeObserver = undefined;
    this.live?.dispose();
    this.live = undefined;
    this.unlisten?.();
    this.unlisten = undefined;
    this.handle?.dispose();
    this.handle = undefined;
  }

  override render() {
    return html`<div class="viewport" part="viewport"></div>
      ${this.count > 0 ? html`<div class="slice">${this.index + 1} / ${this.count}</div>` : ''}
      ${
        this.series.length > 1
          ? html`<select
              class="series"
              part="series"
              aria-label="Series"
              @change=${(e: Event) => void this.showSeries((e.target as HTMLSelectElement).selectedIndex)}
            >
              ${this.series.map(
                (s, i) =>
                  html`<option ?selected=${i === this.seriesIndex}>
                    ${s.modality || '?'} ${s.description || s.seriesUid} (${s.imageIds.length})
                  </option>`,
              )}
            </select>`
          : ''
      }`;
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('srcs') || changed.has('imageIds')) this.loading = this.load();
    else if (LIVE_PROPS.some((p) => changed.has(p)) && this.live)
      this.live.engine.configure(this.liveConfig());
    if (
      (changed.has('dicomwebRoot') || changed.has('studyUid') || changed.has('seriesUid')) &&
      this.dicomwebRoot &&
      this.studyUid &&
      this.seriesUid
    )
      void this.openDicomWeb({
        root: this.dicomwebRoot,
        study: this.studyUid,
        series: this.seriesUid,
        headers: this.dicomwebHeaders,
      }).catch(() => undefined); // reported as sr-error
  }

  /**
   * Opens a user's files (several .dcm, a folder's files from a webkitdirectory input): sorted into
   * series by SeriesInstanceUID, slices ordered along the slice normal (else InstanceNumber); shows
   * the first series, the others in `series` (and a chooser). Files that are not images are in
   * `skipped`. Resolves once the first series is shown; an empty result reports `sr-error`.
   */
  async openFiles(files: readonly File[]): Promise<OpenedFiles> {
    return this.opening(async () => {
      const opened = await openSeriesFiles(files);
      if (opened.series.length === 0)
        throw new StackLoaderError('NO_IMAGES', `none of the ${files.length} files is an image`);
      await this.useSeries(opened.series);
      return opened;
    });
  }

  /**
   * Opens a DICOMweb series (WADO-RS metadata, instances retrieved as Part 10 and decoded by
   * formats/ as slices are shown) with `headers` on every request. Failures are reported as
   * `sr-error` (DicomWebError codes) and rethrown.
   */
  async openDicomWeb(source: DicomWebSeriesSource): Promise<StackSeries> {
    return this.opening(async () => {
      const series = await openDicomWebSeries(source);
      if (series.imageIds.length === 0)
        throw new StackLoaderError('NO_IMAGES', `series ${source.series} has no instances`);
      await this.useSeries([series]);
      return series;
    });
  }

  /** Shows series `i` of `series`. */
  async showSeries(i: number): Promise<void> {
    const s = this.series[i];
    if (!s || i === this.seriesIndex) return;
    this.seriesIndex = i;
    this.imageIds = s.imageIds;
    await this.updateComplete;
    await this.loading;
  }

  private async useSeries(series: StackSeries[]): Promise<void> {
    const old = this.series;
    this.series = series;
    this.seriesIndex = -1;
    await this.showSeries(0);
    for (const s of old) forgetStackImages(s.imageIds);
  }

  private async opening<T>(run: () => Promise<T>): Promise<T> {
    const p = run();
    this.opened = p.catch(() => undefined);
    try {
      return await p;
    } catch (e) {
      this.reportError(e);
      throw e;
    }
  }

  private reportError(e: unknown): void {
    const err = e as { message?: unknown };
    this.emit('sr-error', {
      code: errorCode(e) ?? 'LOAD_FAILED',
      message: typeof err.message === 'string' ? err.message : String(e),
    });
  }

  /** Resolves once the current series' first slice is shown (or failed, reported as sr-error). */
  async ready(): Promise<void> {
    await this.updateComplete;
    await this.opened;
    await this.updateComplete;
    await this.loading;
  }

  private async load(): Promise<void> {
    const ids = this.ids();
    try {
      if (ids.length === 0) {
        this.teardown();
        this.count = 0;
        return;
      }
      if (this.handle) {
        await this.handle.viewport.setStack(ids, 0);
        this.handle.viewport.render();
      } else {
        initCornerstone3D(this.cpu ? { cpu: true } : {});
        const handle = await createStackViewport(this.viewportDiv, ids);
        this.handle = handle;
        this.unlisten = onStackImage(handle.viewport, () => this.shown());
        this.live = new Cs3dLiveEnhancement(handle.viewport, this.liveCallbacks(), this.liveConfig());
        this.resizeObserver = new ResizeObserver(() => this.handle?.renderingEngine.resize(true, true));
        this.resizeObserver.observe(this);
      }
      this.count = ids.length;
      this.shown();
    } catch (e) {
      this.reportError(e);
    }
  }

  private shown(): void {
    const vp = this.handle?.viewport;
    if (!vp) return;
    this.index = vp.getCurrentImageIdIndex();
    const img = getStackImage(vp.getCurrentImageId());
    if (!img) return; // a host loader's image: no tilesr raster, shown but not enhanced
    this.info = infoOf(img);
    this.emit('sr-image-loaded', { info: this.info });
  }

  /** Shows slice `index` (clamped). */
  async showSlice(index: number): Promise<void> {
    const vp = this.handle?.viewport;
    if (!vp) return;
    const i = Math.max(0, Math.min(vp.getImageIds().length - 1, Math.round(index)));
    if (i === vp.getCurrentImageIdIndex()) return;
    await vp.setImageIdIndex(i);
  }

  /** Moves `delta` slices. */
  stepSlice(delta: number): Promise<void> {
    return this.showSlice(this.index + delta);
  }

  /** Zooms by `factor` about the centre. */
  zoomBy(factor: number): void {
    const vp = this.handle?.viewport;
    if (!vp) return;
    vp.setZoom(vp.getZoom() * factor);
    vp.render();
  }

  /**
   * Pans by (dx, dy) CSS px. Through the camera in world space: setPan's unit differs between
   * Cornerstone3D's WebGL and CPU modes.
   */
  panBy(dx: number, dy: number): void {
    const vp = this.handle?.viewport;
    if (!vp) return;
    const a = vp.canvasToWorld([0, 0]);
    const b = vp.canvasToWorld([dx, dy]);
    const { focalPoint: f, position: p } = vp.getCamera();
    if (!f || !p) return;
    const d = [b[0] - a[0], b[1] - a[1], b[2] - a[2]] as const;
    vp.setCamera({
      focalPoint: [f[0] - d[0], f[1] - d[1], f[2] - d[2]],
      position: [p[0] - d[0], p[1] - d[1], p[2] - d[2]],
    });
    vp.render();
  }

  /** Back to the fitted camera. */
  resetView(): void {
    const vp = this.handle?.viewport;
    if (!vp) return;
    vp.resetCamera();
    vp.render();
  }

  /** Sets the VOI range in real units (HU). */
  setVoi(lower: number, upper: number): void {
    const vp = this.handle?.viewport;
    if (!vp) return;
    vp.setProperties({ voiRange: { lower, upper } });
    vp.render();
  }

  /** Stops the current view's tiles (shown tiles stay). */
  cancel(): void {
    this.live?.engine.cancel();
  }

  private readonly onKey = (e: KeyboardEvent) => {
    const steps: Record<string, number> = { PageDown: 1, ArrowDown: 1, PageUp: -1, ArrowUp: -1 };
    const step = steps[e.key];
    if (step !== undefined) void this.stepSlice(step);
    else if (e.key === 'Home') void this.showSlice(0);
    else if (e.key === 'End') void this.showSlice(this.count - 1);
    else if (e.key === '+' || e.key === '=') this.zoomBy(1.25);
    else if (e.key === '-') this.zoomBy(0.8);
    else if (e.key === '0') this.resetView();
    else return;
    e.preventDefault();
  };

  /** Wheel: slices (the radiology convention); with Ctrl: zoom. */
  private readonly onWheel = (e: WheelEvent) => {
    if (!this.handle || e.deltaY === 0) return;
    e.preventDefault();
    if (e.ctrlKey) this.zoomBy(e.deltaY < 0 ? 1.1 : 1 / 1.1);
    else void this.stepSlice(Math.sign(e.deltaY));
  };

  private readonly onPointerDown = (e: PointerEvent) => {
    if (e.button !== 0 || !this.handle) return;
    this.focus();
    this.drag = { x: e.clientX, y: e.clientY, id: e.pointerId };
    this.setPointerCapture?.(e.pointerId);
  };

  private readonly onPointerMove = (e: PointerEvent) => {
    const d = this.drag;
    if (!d || d.id !== e.pointerId) return;
    this.panBy(e.clientX - d.x, e.clientY - d.y);
    this.drag = { ...d, x: e.clientX, y: e.clientY };
  };

  private readonly onPointerUp = (e: PointerEvent) => {
    if (this.drag?.id === e.pointerId) this.drag = undefined;
  };
}
