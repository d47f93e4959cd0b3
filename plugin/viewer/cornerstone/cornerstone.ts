/**
 * The one module that imports cornerstone-core. It ships only a UMD bundle (no ES module build), so
 * it is loaded once through formats/load.ts (the one CommonJS/UMD loader) and shared. The
 * types below cover the legacy API this plugin uses; cornerstone-core publishes none.
 */
import { loadUmd } from '../../../formats/load.ts';

/** A point in image pixels or canvas pixels. */
export interface Point {
  x: number;
  y: number;
}

/** VOI window in modality units (grayscale) or 8-bit values (color). */
export interface Voi {
  windowCenter: number;
  windowWidth: number;
}

/** cornerstone's viewport: how the image is placed and windowed on the canvas. */
export interface Viewport {
  scale: number;
  translation: Point;
  voi: Voi;
  invert: boolean;
  pixelReplication: boolean;
  rotation: number;
  hflip: boolean;
  vflip: boolean;
  modalityLUT?: unknown;
  voiLUT?: unknown;
  colormap?: unknown;
  labelmap?: boolean;
  displayedArea?: unknown;
}

/** A cornerstone image object as an image loader returns it. */
export interface CornerstoneImage {
  imageId: string;
  minPixelValue: number;
  maxPixelValue: number;
  slope: number;
  intercept: number;
  windowCenter: number;
  windowWidth: number;
  getPixelData: () => ArrayLike<number>;
  rows: number;
  columns: number;
  height: number;
  width: number;
  color: boolean;
  rgba: boolean;
  columnPixelSpacing: number;
  rowPixelSpacing: number;
  invert: boolean;
  sizeInBytes: number;
  render?: unknown;
  photometricInterpretation?: string;
}

/** The per-element state cornerstone keeps. */
export interface EnabledElement {
  element: HTMLElement;
  canvas: HTMLCanvasElement;
  image?: CornerstoneImage;
  viewport?: Viewport;
  /** cornerstone's offscreen state; `renderCanvas` holds the LUT-applied image before drawing. */
  renderingTools?: { renderCanvas?: HTMLCanvasElement };
}

/** `detail` of `cornerstoneimagerendered`. */
export interface ImageRenderedDetail {
  element: HTMLElement;
  canvasContext: CanvasRenderingContext2D;
  viewport: Viewport;
  image: CornerstoneImage;
  enabledElement: EnabledElement;
  renderTimeInMs: number;
}

/** What an image loader returns. */
export interface ImageLoadObject {
  promise: Promise<CornerstoneImage>;
  cancelFn?: () => void;
}

/** The subset of cornerstone-core 2.6 used here. */
export interface Cornerstone {
  enable(element: HTMLElement, options?: Record<string, unknown>): void;
  disable(element: HTMLElement): void;
  registerImageLoader(scheme: string, loader: (imageId: string) => ImageLoadObject): void;
  loadImage(imageId: string): Promise<CornerstoneImage>;
  displayImage(element: HTMLElement, image: CornerstoneImage, viewport?: Partial<Viewport>): void;
  getViewport(element: HTMLElement): Viewport | undefined;
  setViewport(element: HTMLElement, viewport: Partial<Viewport>): void;
  getDefaultViewportForImage(element: HTMLElement, image: CornerstoneImage): Viewport;
  getEnabledElement(element: HTMLElement): EnabledElement;
  getEnabledElements(): EnabledElement[];
  pixelToCanvas(element: HTMLElement, pt: Point): Point;
  canvasToPixel(element: HTMLElement, pt: Point): Point;
  setToPixelCoordinateSystem(
    enabledElement: EnabledElement,
    context: CanvasRenderingContext2D,
    scale?: number,
  ): void;
  resize(element: HTMLElement, forceFitToWindow?: boolean): void;
  reset(element: HTMLElement): void;
  fitToWindow(element: HTMLElement): void;
  updateImage(element: HTMLElement, invalidated?: boolean): void;
  draw(element: HTMLElement): void;
  invalidate(element: HTMLElement): void;
  getImage(element: HTMLElement): CornerstoneImage | undefined;
  imageCache: { removeImageLoadObject(imageId: string): void; purgeCache(): void };
  EVENTS: Record<string, string>;
}

/** Event names cornerstone dispatches on the enabled element. */
export const CS_EVENTS = {
  imageRendered: 'cornerstoneimagerendered',
  newImage: 'cornerstonenewimage',
} as const;

let loading: Promise<Cornerstone> | undefined;

/** cornerstone-core, loaded once per page (every enabled element must share one instance). */
export function loadCornerstone(): Promise<Cornerstone> {
  loading ??= loadUmd<Cornerstone>(
    () => import('cornerstone-core/dist/cornerstone.js'),
    'cornerstone-core',
  ).then((cs) => {
    if (typeof cs.enable !== 'function') throw new Error('cornerstone-core did not load');
    return cs;
  });
  return loading;
}
