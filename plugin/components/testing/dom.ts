/** DOM helpers for the component tests: mount, wait, and real pointer clicks through the browser. */
import { sendMouse } from '@web/test-runner-commands';
import type { LitElement } from 'lit';
import type { SrViewer } from '../sr-viewer/sr-viewer.component.ts';

/** Appends `tag` with `attrs` to the body and waits for its first render. */
export async function mount<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
): Promise<HTMLElementTagNameMap[K]> {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  document.body.appendChild(el);
  await (el as unknown as LitElement).updateComplete;
  return el;
}

/**
 * Appends an `<sr-viewer>` of `w` x `h` px on WASM with no prefetch (tests import './sr-viewer.ts'
 * to define it first); it is not awaited, so the caller picks what to wait for.
 */
export function mountViewer(w = 256, h = 256): SrViewer {
  const el = document.createElement('sr-viewer');
  el.style.width = `${w}px`;
  el.style.height = `${h}px`;
  el.backend = 'wasm';
  el.prefetch = 0;
  document.body.append(el);
  return el;
}

/** The first match in `host`'s shadow root (throws when missing, so tests fail loudly). */
export function part<T extends Element = HTMLElement>(host: Element, selector: string): T {
  const found = host.shadowRoot?.querySelector<T>(selector);
  if (!found) throw new Error(`${host.tagName.toLowerCase()}: no ${selector}`);
  return found;
}

/** Clicks the centre of `el` with the real mouse (Playwright), then lets Lit render. */
export async function click(el: Element, host?: LitElement): Promise<void> {
  const r = el.getBoundingClientRect();
  await sendMouse({
    type: 'click',
    position: [Math.round(r.x + r.width / 2), Math.round(r.y + r.height / 2)],
  });
  await host?.updateComplete;
}

/** Records every `name` event reaching `target`. */
export function record<T>(target: EventTarget, name: string): T[] {
  const seen: T[] = [];
  target.addEventListener(name, (e) => seen.push((e as CustomEvent<T>).detail));
  return seen;
}

/** Removes everything the tests mounted. */
export function cleanup(): void {
  document.body.replaceChildren();
}
