/**
 * Cornerstone3D set-up for a series: core `init()` unless the host already did it, the `tilesr:`
 * loader, and a StackViewport on an element (in the host's RenderingEngine or one shared page-wide).
 */
import {
  Enums,
  init,
  isCornerstoneInitialized,
  RenderingEngine,
  setUseCPURendering,
  getShouldUseCPURendering,
  getRenderingEngine,
  type Types,
} from '@cornerstonejs/core';
import { registerTilesrLoader } from './loader.ts';

/** How to initialise Cornerstone3D when the host has not. */
export interface Cs3dInitOptions {
  /** Force CPU rendering (canvas 2D) instead of WebGL; undefined keeps Cornerstone3D's choice. */
  cpu?: boolean;
}

/**
 * Initialises Cornerstone3D core if the host has not (a host's own `init()` and configuration are
 * kept) and registers the `tilesr:` loader. Returns whether rendering runs on the CPU.
 */
export function initCornerstone3D(options: Cs3dInitOptions = {}): { cpu: boolean } {
  if (!isCornerstoneInitialized()) init();
  if (options.cpu !== undefined && options.cpu !== getShouldUseCPURendering())
    setUseCPURendering(options.cpu);
  registerTilesrLoader();
  return { cpu: getShouldUseCPURendering() };
}

/** Where to create the viewport. */
export interface StackViewportOptions {
  /**
   * The host's engine; else one page-wide engine shared by every viewport made here (each engine
   * holds a pool of WebGL contexts, and browsers allow only a few per page).
   */
  renderingEngine?: RenderingEngine;
  viewportId?: string;
  /** Index of the first image shown. */
  index?: number;
}

/** A StackViewport showing `imageIds`, and how to take it down. */
export interface StackHandle {
  renderingEngine: RenderingEngine;
  viewport: Types.IStackViewport;
  /** Disables the element (the engine stays for other viewports). */
  dispose(): void;
}

let counter = 0;
const SHARED_ENGINE = 'tilesr-engine';

/** Enables `element` as a StackViewport showing `imageIds` (loads and renders the first one). */
export async function createStackViewport(
  element: HTMLDivElement,
  imageIds: string[],
  options: StackViewportOptions = {},
): Promise<StackHandle> {
  initCornerstone3D();
  const renderingEngine =
    options.renderingEngine ?? getRenderingEngine(SHARED_ENGINE) ?? new RenderingEngine(SHARED_ENGINE);
  const viewportId = options.viewportId ?? `tilesr-stack-${++counter}`;
  renderingEngine.enableElement({ viewportId, type: Enums.ViewportType.STACK, element });
  const viewport = renderingEngine.getViewport(viewportId) as Types.IStackViewport;
  const handle: StackHandle = {
    renderingEngine,
    viewport,
    dispose() {
      renderingEngine.disableElement(viewportId);
    },
  };
  try {
    await viewport.setStack(imageIds, options.index ?? 0);
    viewport.render();
  } catch (e) {
    handle.dispose();
    throw e;
  }
  return handle;
}

/** Calls `listener` whenever the viewport shows another image of its stack; returns the unsubscribe. */
export function onStackImage(viewport: Types.IStackViewport, listener: () => void): () => void {
  const el = viewport.element;
  el.addEventListener(Enums.Events.STACK_NEW_IMAGE, listener);
  return () => el.removeEventListener(Enums.Events.STACK_NEW_IMAGE, listener);
}
