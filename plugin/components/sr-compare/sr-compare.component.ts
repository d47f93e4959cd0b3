/**
 * <sr-compare>: a before/after split over one <sr-viewer> (slotted). Left of the split the viewer
 * shows cornerstone's rendering of the original; right of it, the enhanced tiles, with the watermark
 * anchored to the enhanced side (the viewer draws it there: it knows the split). Same region, same
 * zoom, same window on both sides, because it is one viewport. Slider by pointer or keyboard.
 */
import { html, LitElement, type PropertyValues } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { styleProps } from '../shared/style-props.ts';
import type { SrViewer } from '../sr-viewer/sr-viewer.component.ts';
import { srCompareStyles } from './sr-compare.styles.ts';

/** `sr-compare-change`: the split moved (by pointer, keyboard or property). */
export type SrCompareChangeEvent = CustomEvent<{ position: number }>;

declare global {
  interface HTMLElementEventMap {
    'sr-compare-change': SrCompareChangeEvent;
  }
}

/** Keyboard step (fraction of the width); Shift makes it finer. */
const STEP = 0.05;
const FINE_STEP = 0.01;

/**
 * A before/after split slider over a slotted <sr-viewer>.
 *
 * @slot - the `<sr-viewer>` to compare
 * @fires sr-compare-change - {position} the split moved (pointer or keyboard)
 * @csspart handle - the split handle (role="slider")
 * @csspart label-before - the "original" label
 * @csspart label-after - the "enhanced" label
 */
@customElement('sr-compare')
export class SrCompare extends LitElement {
  static override styles = srCompareStyles;

  /** Split position, 0 (all enhanced) .. 1 (all original). */
  @property({ type: Number, reflect: true }) position = 0.5;

  private resizeObserver: ResizeObserver | undefined;
  private dragging = false;

  /** The slotted viewer. */
  get viewer(): SrViewer | undefined {
    return this.querySelector('sr-viewer') ?? undefined;
  }

  override render() {
    const pct = `${(this.position * 100).toFixed(3)}%`;
    return html`<slot @slotchange=${this.sync}></slot>
      <span
        class="label before"
        ${styleProps({ right: `calc(${100 - this.position * 100}% + 12px)` })}
        part="label-before"
        >original</span
      >
      <span class="label after" ${styleProps({ left: `calc(${pct} + 12px)` })} part="label-after"
        >enhanced</span
      >
      <div
        class="handle"
        part="handle"
        ${styleProps({ left: pct })}
        role="slider"
        tabindex="0"
        aria-label="before/after split"
        aria-valuemin="0"
        aria-valuemax="100"
        aria-valuenow=${Math.round(this.position * 100)}
        @pointerdown=${this.onPointerDown}
        @pointermove=${this.onPointerMove}
        @pointerup=${this.onPointerUp}
        @pointercancel=${this.onPointerUp}
        @keydown=${this.onKeyDown}
      ></div>`;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.resizeObserver = new ResizeObserver(() => this.sync());
    this.resizeObserver.observe(this);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.resizeObserver?.disconnect();
    const v = this.viewer;
    if (v) v.splitX = 0;
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('position')) this.sync();
  }

  /** Tells the viewer where enhanced pixels start, in its canvas px. */
  private sync(): void {
    const v = this.viewer;
    if (!v) return;
    v.splitX = Math.round(this.position * v.clientWidth);
  }

  private setPosition(p: number): void {
    const clamped = Math.min(1, Math.max(0, p));
    if (clamped === this.position) return;
    this.position = clamped;
    this.dispatchEvent(
      new CustomEvent('sr-compare-change', { detail: { position: clamped }, bubbles: true, composed: true }),
    );
  }

  private fromPointer(e: PointerEvent): void {
    const r = this.getBoundingClientRect();
    if (r.width > 0) this.setPosition((e.clientX - r.left) / r.width);
  }

  private onPointerDown(e: PointerEvent): void {
    this.dragging = true;
    (e.currentTarget as HTMLElement).setPointerCapture(e.pointerId);
    e.preventDefault();
    this.fromPointer(e);
  }

  private onPointerMove(e: PointerEvent): void {
    if (this.dragging) this.fromPointer(e);
  }

  private onPointerUp(): void {
    this.dragging = false;
  }

  private onKeyDown(e: KeyboardEvent): void {
    const step = e.shiftKey ? FINE_STEP : STEP;
    const moves: Record<string, number> = {
      ArrowLeft: this.position - step,
      ArrowDown: this.position - step,
      ArrowRight: this.position + step,
      ArrowUp: this.position + step,
      Home: 0,
      End: 1,
    };
    const next = moves[e.key];
    if (next === undefined) return;
    e.preventDefault();
    this.setPosition(next);
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'sr-compare': SrCompare;
  }
}
