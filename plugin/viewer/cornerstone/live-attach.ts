/**
 * Ties a cornerstone-core adapter (adapter.ts) and its live engine (plugin/live's LiveTileEnhancer)
 * to a Lit host's lifecycle, nothing more: the host (`<sr-viewer>`) holds both and talks to them
 * directly. Attaching to an element, or the host leaving the page, stops the engine's in-flight work
 * first, so no tile of the previous element is drawn on the next one.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { LiveTileEnhancer } from '../../live/live-tile-enhancer.ts';
import type { CornerstoneAdapter } from './adapter.ts';
import type { Cornerstone } from './cornerstone.ts';

/** Attaches/detaches one adapter + engine pair with the host. */
export class LiveAttachController implements ReactiveController {
  constructor(
    host: ReactiveControllerHost,
    readonly adapter: CornerstoneAdapter,
    readonly engine: LiveTileEnhancer,
  ) {
    host.addController(this);
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

  hostConnected(): void {
    const a = this.adapter.attached;
    if (a) this.attach(a.cs, a.element);
  }

  hostDisconnected(): void {
    this.detach();
  }
}
