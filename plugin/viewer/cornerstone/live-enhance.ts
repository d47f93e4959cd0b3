/**
 * Live enhancement of what a cornerstone-core viewport shows, as the Lit ReactiveController of
 * `<sr-viewer>`: a thin host wrapper joining the cornerstone-core adapter
 * (plugin/viewer/cornerstone/adapter.ts: view, renders, drawing with the current VOI, outline and
 * mark) and the viewer-agnostic engine (plugin/live/live-tile-enhancer.ts: grid, priorities,
 * prefetch, aborts, tile store, provenance, consistency). Its public API is the one `<sr-viewer>`,
 * the export controller and the component tests have always used.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { NormRange } from '../../../models/normalize.ts';
import type { Rect } from '../../pipeline/tiler.ts';
import { LiveTileEnhancer, type LiveEngineDeps, type NeighbourLoader } from '../../live/live-tile-enhancer.ts';
import type { Cornerstone } from './cornerstone.ts';
import { CornerstoneAdapter } from './adapter.ts';
import type { LoadedRaster, PixelSpacing } from './loader.ts';
import type { WatermarkBox } from '../../watermark/viewport.ts';

import type {
  EnhanceStatus,
  LiveEnhanceCallbacks,
  LiveEnhanceConfig,
  LiveEnhanceStats,
  LiveImage,
  LiveTileInfo,
  ViewerProvenance,
} from '../../live/types.ts';

export type {
  EnhanceStatus,
  LiveEnhanceCallbacks,
  LiveEnhanceConfig,
  LiveEnhanceStats,
  LiveTileInfo,
  ViewerProvenance,
} from '../../live/types.ts';

/**
 * A registered cornerstone raster as the live engine sees it. An overview that can read
 * full-resolution windows becomes a native-backed image: the engine enhances native windows and
 * hands tiles back in overview px, the cornerstone image's own coordinates.
 */
export function liveImageOf(loaded: LoadedRaster): LiveImage {
  const d = loaded.display;
  const image: LiveImage = {
    imageId: loaded.imageId,
    raster: loaded.raster,
    modality: loaded.modality,
    bands: d.kind === 'gray' ? [d.band] : [...d.bands],
    spacing: loaded.spacing,
    frame: loaded.raster.frame,
  };
  const { overview, readWindow } = loaded;
  if (overview && readWindow)
    image.native = {
      width: overview.fullWidth,
      height: overview.fullHeight,
      scaleX: overview.scaleX,
      scaleY: overview.scaleY,
      readWindow: async (rect, signal) => (await readWindow(rect, signal)).modality,
    };
  return image;
}

/** The live-enhancement controller of one viewer element. */
export class LiveEnhanceController implements ReactiveController {
  /** The cornerstone-core side (view, renders, drawing). */
  readonly adapter = new CornerstoneAdapter();
  /** The viewer-agnostic engine. */
  readonly engine: LiveTileEnhancer;

  constructor(host: ReactiveControllerHost, callbacks: LiveEnhanceCallbacks, deps: LiveEngineDeps = {}) {
    this.engine = new LiveTileEnhancer(this.adapter, callbacks, {}, deps);
    host.addController(this);
  }

  /** The configuration in force (change it with configure). */
  get config(): LiveEnhanceConfig {
    return this.engine.config;
  }

  /** Counters for diagnostics and tests. */
  get stats(): LiveEnhanceStats {
    return this.engine.stats;
  }

  /** Tiles drawn on the latest render (empty when none). */
  get lastDrawn(): LiveTileInfo[] {
    return this.engine.lastDrawn;
  }

  /** The watermark of the latest render, undefined when no enhanced pixel was shown. */
  get lastWatermark(): WatermarkBox | undefined {
    return this.engine.lastWatermark;
  }

  /** Follows renders of a cornerstone enabled element. */
  attach(cs: Cornerstone, element: HTMLElement): void {
    this.engine.stop();
    this.adapter.attach(cs, element);
  }

  /** Stops following the element and drops in-flight work. */
  detach(): void {
    this.adapter.detach();
    this.engine.stop();
  }

  /** The image shown now (undefined: none). */
  setImage(loaded: LoadedRaster | undefined): void {
    const previous = this.engine.current?.imageId;
    this.adapter.setImage(loaded);
    this.engine.setImage(loaded && liveImageOf(loaded));
    // each open or frame change registers a new raster and unregisters the one shown before
    // (open-controller.ts): nothing computed for that one can be drawn again
    if (previous !== undefined && previous !== loaded?.imageId) this.engine.forget(previous);
  }

  /** Frames of a stack to prefetch (with an adapter that names neighbours). */
  setNeighbours(loader: NeighbourLoader | undefined): void {
    this.engine.setNeighbours(loader);
  }

  /** Applies a new configuration and redraws. */
  configure(patch: Partial<LiveEnhanceConfig>): void {
    if (patch.splitX !== undefined) this.adapter.splitX = patch.splitX;
    this.engine.configure(patch);
  }

  /** The scale of the current model. */
  get scale(): number {
    return this.engine.scale;
  }

  /** Pixel spacing of the enhanced image: the original's divided by the model's scale. */
  get enhancedSpacing(): PixelSpacing | undefined {
    return this.engine.enhancedSpacing;
  }

  hostConnected(): void {
    const a = this.adapter.attached;
    if (a) this.attach(a.cs, a.element);
  }

  hostDisconnected(): void {
    this.adapter.detach();
    this.engine.stop();
  }

  /** Asks cornerstone for a new render (which redraws the overlay). */
  redraw(): void {
    this.engine.redraw();
  }

  /** Where enhancement stands now. */
  get status(): EnhanceStatus {
    return this.engine.status;
  }

  /** Stops the current view's tiles (shown tiles stay); a new view or setting starts again. */
  cancel(): void {
    this.engine.cancel();
  }

  /** Whole-image normalization ranges indexed by raster band, as live cells use them. */
  exportRanges(): NormRange[] {
    return this.engine.exportRanges();
  }

  /** The grid cells covering what the canvas shows, as one LR rect (undefined: nothing shown). */
  visibleCellsRegion(): Rect | undefined {
    return this.engine.visibleCellsRegion();
  }

  /** Provenance of the tiles stored for the current configuration. */
  provenance(): ViewerProvenance {
    return this.engine.provenance();
  }
}
