/**
 * Binds a control to a viewer named by the host's `for` attribute (an element id in the same root):
 * listens to the viewer's events while both are connected, and finds a viewer that appears later
 * (pages often declare the controls before the viewer, or render the viewer asynchronously).
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { ViewerLike } from './viewer-events.ts';

/** A host with a `for` property (the viewer's id). */
export type BindingHost = ReactiveControllerHost & HTMLElement & { for: string };

/** Listens to `events` on the viewer named by `host.for`; `viewer` is that element or null. */
export class ViewerBinding implements ReactiveController {
  /** The bound viewer, or null when `for` is empty or names no element yet. */
  viewer: ViewerLike | null = null;
  private boundId = '';
  private observer: MutationObserver | null = null;

  constructor(
    private readonly host: BindingHost,
    private readonly events: Record<string, (e: Event) => void>,
    /** Called each time a viewer is bound (e.g. to adopt its current settings). */
    private readonly onAttach?: (viewer: ViewerLike) => void,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    this.rebind();
  }

  hostDisconnected(): void {
    this.unbind();
  }

  hostUpdated(): void {
    if (this.host.for !== this.boundId) this.rebind();
  }

  private rebind(): void {
    this.unbind();
    this.boundId = this.host.for;
    if (!this.boundId) return;
    const root = this.host.getRootNode() as Document | ShadowRoot;
    const found = root.getElementById?.(this.boundId) ?? null;
    if (found) {
      this.attach(found as ViewerLike);
      return;
    }
    // not there yet: watch the root until an element with that id appears
    this.observer = new MutationObserver(() => {
      const el = root.getElementById?.(this.boundId) ?? null;
      if (el) {
        this.observer?.disconnect();
        this.observer = null;
        this.attach(el as ViewerLike);
      }
    });
    this.observer.observe(root, {
      childList: true,
      subtree: true,
      attributes: true,
      attributeFilter: ['id'],
    });
  }

  private attach(viewer: ViewerLike): void {
    this.viewer = viewer;
    for (const [name, fn] of Object.entries(this.events)) viewer.addEventListener(name, fn);
    this.onAttach?.(viewer);
    this.host.requestUpdate();
  }

  private unbind(): void {
    this.observer?.disconnect();
    this.observer = null;
    if (this.viewer)
      for (const [name, fn] of Object.entries(this.events)) this.viewer.removeEventListener(name, fn);
    this.viewer = null;
    this.boundId = '';
  }
}
