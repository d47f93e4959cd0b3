/**
 * Frame navigation of `<sr-viewer>` for multi-frame images: a slider over the viewport, keys on the
 * focused viewer (PageUp/PageDown, arrows, Home/End) and the wheel without Ctrl (Ctrl+wheel zooms,
 * as in the Cornerstone3D stack viewer). Each step sets the host's `frame`; the host shows that frame
 * and tells the live engine (the frame left behind is forgotten there).
 */
import { html, nothing, type ReactiveController, type ReactiveControllerHost } from 'lit';

/** What the controller needs of its host. */
export interface FrameNavHost extends ReactiveControllerHost, HTMLElement {
  frame: number;
  /** Frames of the image shown (undefined: none shown). */
  readonly frameCount: number | undefined;
}

/** Wheel travel (px) per frame: a mouse notch (100 px) steps one frame, a trackpad several events. */
const WHEEL_PX_PER_FRAME = 100;

const KEY_STEPS: Record<string, number> = {
  PageUp: -1,
  ArrowUp: -1,
  ArrowLeft: -1,
  PageDown: 1,
  ArrowDown: 1,
  ArrowRight: 1,
  Home: -Infinity,
  End: Infinity,
};

/** Slider, keys and wheel for the frames of the shown image. */
export class FrameNavController implements ReactiveController {
  private wheelPx = 0;

  constructor(
    private readonly host: FrameNavHost,
    /** Called after a user step changed `frame`. */
    private readonly stepped: (frame: number) => void,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    // focusable, so the keys reach it (a page may give its own tabindex)
    if (!this.host.hasAttribute('tabindex')) this.host.tabIndex = 0;
    this.host.addEventListener('keydown', this.onKey);
  }

  hostDisconnected(): void {
    this.host.removeEventListener('keydown', this.onKey);
  }

  /** Moves `delta` frames (clamped to the image); true when there are frames to move through. */
  step(delta: number): boolean {
    const n = this.host.frameCount ?? 1;
    if (n < 2) return false;
    const next = Math.max(0, Math.min(n - 1, this.host.frame + delta));
    if (next !== this.host.frame) {
      this.host.frame = next;
      this.stepped(next);
    }
    return true;
  }

  /**
   * The wheel hook for plugin/viewer/cornerstone/navigation.ts: steps frames (true: handled) unless
   * Ctrl is held or the image has one frame, when the wheel zooms.
   */
  readonly wheel = (e: WheelEvent): boolean => {
    if (e.ctrlKey || (this.host.frameCount ?? 1) < 2) return false;
    // line/page deltas (deltaMode 1/2) step once per event
    this.wheelPx += e.deltaMode === 0 ? e.deltaY : Math.sign(e.deltaY) * WHEEL_PX_PER_FRAME;
    const steps = Math.trunc(this.wheelPx / WHEEL_PX_PER_FRAME);
    if (steps !== 0) {
      this.wheelPx -= steps * WHEEL_PX_PER_FRAME;
      this.step(steps);
    }
    return true;
  };

  private readonly onKey = (e: KeyboardEvent): void => {
    const delta = KEY_STEPS[e.key];
    if (delta === undefined || e.ctrlKey || e.altKey || e.metaKey) return;
    // the slider handles its own arrows; everything else on the viewer steps here
    if (e.composedPath()[0] instanceof HTMLInputElement) return;
    if (this.step(delta)) e.preventDefault();
  };

  hostUpdated(): void {
    // the host's styles make room for the bar below the image
    this.host.toggleAttribute('multiframe', (this.host.frameCount ?? 1) > 1);
  }

  /** The slider and "Frame i / n" below the image (nothing for a single frame). */
  render() {
    const n = this.host.frameCount ?? 1;
    if (n < 2) return nothing;
    const f = this.host.frame;
    return html`<div class="frames" part="frames">
      <input
        type="range"
        min="0"
        max=${n - 1}
        step="1"
        .value=${String(f)}
        aria-label="Frame"
        aria-valuetext=${`Frame ${f + 1} of ${n}`}
        @input=${(e: Event) => this.step(Number((e.target as HTMLInputElement).value) - this.host.frame)}
      />
      <span class="frame-label">Frame ${f + 1} / ${n}</span>
    </div>`;
  }
}
