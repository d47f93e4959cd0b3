/**
 * Opens a file, URL or buffer into a cornerstone enabled element: decode one frame through formats/,
 * register it with the `tilesr:` loader and display it. The ReactiveController keeps the open source
 * (frames are read on demand) and aborts a load superseded by a newer one. A failed open or frame
 * change clears the view and closes the source: the image of the previous file is never left on
 * screen while the user believes the new one failed to replace it (or that it is the new one).
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import {
  describeInput,
  openRaster,
  readAllBytes,
  type ImageInfo,
  type RasterInput,
  type RasterSource,
  bytesPerSample,
  toModalityValues,
  type ReadOptions,
} from '../../../formats/index.ts';
import { loadCornerstone, type Cornerstone } from './cornerstone.ts';
import {
  getLoadedRaster,
  registerLoader,
  registerRaster,
  unregisterRaster,
  type LoadedRaster,
  type PixelSpacing,
} from './loader.ts';
import { errorCode } from '../../../core/errors.ts';

/** What `sr-image-loaded` reports about the image now shown. */
export interface ViewerImageInfo {
  imageId: string;
  format: ImageInfo['format'];
  width: number;
  height: number;
  frames: number;
  frame: number;
  samples: number;
  dtype: ImageInfo['dtype'];
  photometric: ImageInfo['photometric'];
  /** 'gray' (VOI on real units) or 'color' (RGB of the first three bands). */
  display: 'gray' | 'color';
  /** The default window: first VOI preset, else a 2-98 % stretch (gray); 8-bit identity (color). */
  voi: { windowCenter: number; windowWidth: number };
  spacing: PixelSpacing;
  /** Everything formats/ knows about the file (presets, value mapping, metadata). */
  header: ImageInfo;
  /** Set when a large GeoTIFF is shown on an overview: width/height above are the overview's. */
  overview?: LoadedRaster['overview'];
}

/** Callbacks the host turns into state and events. */
export interface OpenCallbacks {
  loaded(loaded: LoadedRaster, info: ViewerImageInfo): void;
  /** A failed open or frame change cleared the view (called before `error`). */
  cleared?(): void;
  error(e: { code: string; message: string }): void;
}

/**
 * Above this decoded size (bytes) a GeoTIFF opens on the overview sized to the element instead of
 * at full resolution (files without overviews: sub-sampled while decoding, see ReadOptions.decimate):
 * the screen shows ~1 MP, and an 8192x8192x3 uint16 scene decoded whole costs 384 MiB plus its
 * real-unit copy (768 MiB) and display buffer.
 */
export const FULL_RESOLUTION_DISPLAY_BYTES = 64 * 2 ** 20;

/** The overview size to read for display, or undefined to read full resolution. */
export function displayTarget(
  info: ImageInfo,
  element: HTMLElement,
  maxBytes = FULL_RESOLUTION_DISPLAY_BYTES,
): ReadOptions['targetSize'] {
  const bytes = info.width * info.height * info.samples * bytesPerSample(info.dtype);
  if (info.format !== 'geotiff' || bytes <= maxBytes) return undefined;
  // the element in device pixels (a hidden/unsized element: a common laptop screen)
  const dpr = globalThis.devicePixelRatio || 1;
  const width = Math.ceil((element.clientWidth || 1280) * dpr);
  const height = Math.ceil((element.clientHeight || 800) * dpr);
  // keep the aspect: the overview must cover the element along both axes when fitted
  const fit = Math.max(width / info.width, height / info.height);
  return {
    width: Math.min(info.width, Math.ceil(info.width * fit)),
    height: Math.min(info.height, Math.ceil(info.height * fit)),
  };
}

/** Full-resolution window reads of one frame of an open source (for enhancement of overviews). */
function windowReader(source: RasterSource, frame: number): LoadedRaster['readWindow'] {
  return async (window, signal) => {
    const raster = await source.read({ frame, window, ...(signal ? { signal } : {}) });
    return { raster, modality: toModalityValues(raster, true) as Float32Array };
  };
}

/**
 * Gives cornerstone a render canvas whose context was made for readbacks: cornerstone-core reads
 * it back (getImageData) whenever the image size changes, and Chromium warns (and reads slowly)
 * after a few readbacks of a canvas made without { willReadFrequently: true }. A fresh one per image
 * shown: cornerstone replaces it by a plain canvas only when switching between gray and color.
 */
function readbackRenderCanvas(cs: Cornerstone, element: HTMLElement): void {
  const tools = cs.getEnabledElement(element).renderingTools;
  if (!tools) return;
  const canvas = document.createElement('canvas');
  canvas.getContext('2d', { willReadFrequently: true });
  tools.renderCanvas = canvas;
}

/** Opens images into one enabled element. */
export class OpenController implements ReactiveController {
  cs: Cornerstone | undefined;
  element: HTMLElement | undefined;
  private source: RasterSource | undefined;
  /** What the open source was opened from: kept (not its bytes) so an export can re-read the file. */
  private input: RasterInput | undefined;
  private current: LoadedRaster | undefined;
  private abort: AbortController | undefined;
  /** Settles when the latest open/frame change is shown (or failed). */
  ready: Promise<void> = Promise.resolve();
  /** Decoded size (bytes) above which a GeoTIFF is shown on an overview (see displayTarget). */
  fullResolutionBytes = FULL_RESOLUTION_DISPLAY_BYTES;

  constructor(
    host: ReactiveControllerHost,
    private readonly callbacks: OpenCallbacks,
  ) {
    host.addController(this);
  }

  hostConnected(): void {}

  hostDisconnected(): void {
    this.abort?.abort();
  }

  /** Loads cornerstone and enables `element` (unless it already is). */
  async enable(element: HTMLElement): Promise<Cornerstone> {
    const cs = await loadCornerstone();
    registerLoader(cs);
    let enabled: boolean;
    try {
      enabled = !!cs.getEnabledElement(element);
    } catch {
      enabled = false; // cornerstone throws for elements it does not know
    }
    if (!enabled) cs.enable(element);
    this.cs = cs;
    this.element = element;
    return cs;
  }

  /** Opens `input` and shows `frame`. */
  open(input: RasterInput, frame = 0): Promise<void> {
    this.abort?.abort();
    const abort = new AbortController();
    this.abort = abort;
    this.ready = this.run(abort.signal, async () => {
      const source = await openRaster(input, { signal: abort.signal });
      if (abort.signal.aborted) {
        await source.close();
        return;
      }
      await this.source?.close().catch(() => undefined);
      this.source = source;
      this.input = input;
      await this.show(Math.min(frame, source.info.frames - 1), abort.signal);
    });
    return this.ready;
  }

  /** Shows another frame of the open source. */
  showFrame(frame: number): Promise<void> {
    if (!this.source) return Promise.resolve();
    this.abort?.abort();
    const abort = new AbortController();
    this.abort = abort;
    this.ready = this.run(abort.signal, () => this.show(frame, abort.signal));
    return this.ready;
  }

  private async run(signal: AbortSignal, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (e) {
      if (signal.aborted) return;
      const err = e as { message?: string };
      await this.clear();
      this.callbacks.cleared?.();
      this.callbacks.error({ code: errorCode(e) ?? 'OPEN_FAILED', message: err.message ?? String(e) });
    }
  }

  /** Closes the source and blanks the element: nothing is shown, nothing can be exported. */
  private async clear(): Promise<void> {
    await this.close();
    const { cs, element } = this;
    if (!cs || !element) return;
    try {
      const enabled = cs.getEnabledElement(element);
      // without an image cornerstone draws nothing more (resize, updateImage); blank what it drew
      enabled.image = undefined;
      const ctx = enabled.canvas.getContext('2d');
      ctx?.setTransform(1, 0, 0, 1, 0, 0);
      ctx?.clearRect(0, 0, enabled.canvas.width, enabled.canvas.height);
    } catch {
      // not enabled: nothing is shown
    }
  }

  private async show(frame: number, signal: AbortSignal): Promise<void> {
    const source = this.source as RasterSource;
    const cs = this.cs;
    const element = this.element;
    if (!cs || !element)
      throw Object.assign(new Error('the viewer is not connected'), { code: 'NOT_CONNECTED' });
    const targetSize = displayTarget(source.info, element, this.fullResolutionBytes);
    // an overview covering the element; without one, every k-th pixel read block row by block row
    const raster = await source.read({
      frame,
      signal,
      ...(targetSize ? { targetSize, decimate: true } : {}),
    });
    if (signal.aborted) return;
    const loaded = registerRaster(raster, { readWindow: windowReader(source, frame) });
    const image = await cs.loadImage(loaded.imageId);
    if (signal.aborted) {
      unregisterRaster(loaded.imageId);
      return;
    }
    const keep = this.current && cs.getViewport(element);
    const viewport = cs.getDefaultViewportForImage(element, image);
    // another frame of the same image keeps the zoom and pan the user chose
    if (keep && this.current?.raster.info === raster.info) {
      viewport.scale = keep.scale;
      viewport.translation = keep.translation;
    }
    readbackRenderCanvas(cs, element);
    cs.displayImage(element, image, viewport);
    // loadImage (not loadAndCacheImage) keeps nothing in cornerstone's cache: only our registry
    if (this.current) unregisterRaster(this.current.imageId);
    this.current = getLoadedRaster(loaded.imageId);
    const d = loaded.display;
    this.callbacks.loaded(loaded, {
      imageId: loaded.imageId,
      format: raster.info.format,
      width: raster.width,
      height: raster.height,
      frames: raster.info.frames,
      frame: raster.frame,
      samples: raster.samples,
      dtype: raster.dtype,
      photometric: raster.info.photometric,
      display: d.kind,
      voi: { windowCenter: d.voi.windowCenter, windowWidth: d.voi.windowWidth },
      spacing: loaded.spacing,
      header: raster.info,
      ...(loaded.overview ? { overview: loaded.overview } : {}),
    });
  }

  /**
   * Reads the open file's bytes again from what it was opened from (a File, buffer or URL): exports
   * need them (a derived DICOM carries the dataset over; C2PA hashes the ingredient), and holding
   * every opened file in memory for an export that may never come would double large files.
   */
  sourceReader(): (signal?: AbortSignal) => Promise<Uint8Array> {
    // bound to the file open now: opening another one meanwhile must not change what is read
    const input = this.input;
    return async (signal) => {
      if (input === undefined) throw Object.assign(new Error('no file is open'), { code: 'NOT_CONNECTED' });
      return readAllBytes(input, signal);
    };
  }

  /** The open file's name (a File's name, a URL's last path segment), undefined for buffers. */
  get sourceName(): string | undefined {
    const input = this.input;
    if (input === undefined || input instanceof Uint8Array || input instanceof ArrayBuffer) return undefined;
    if (typeof File !== 'undefined' && input instanceof File) return input.name;
    if (input instanceof Blob) return undefined;
    const path = input instanceof URL ? input.pathname : describeInput(input).replace(/[?#].*$/, '');
    const last = path.split(/[/\\]/).pop() ?? '';
    try {
      return decodeURIComponent(last) || undefined;
    } catch {
      return last || undefined; // a malformed %-escape: the name as written
    }
  }

  /** Closes the source. */
  async close(): Promise<void> {
    this.abort?.abort();
    if (this.current) unregisterRaster(this.current.imageId);
    this.current = undefined;
    const source = this.source;
    this.source = undefined;
    this.input = undefined;
    await source?.close().catch(() => undefined);
  }
}
