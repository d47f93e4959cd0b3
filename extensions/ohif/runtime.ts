/**
 * What the extension holds for one OHIF app: its configuration (model, backend, self-hosted wasm
 * path), plugin/live's shared inference sessions asked for with that path, the live enhancement of each enhanced
 * Cornerstone3D viewport (plugin/viewer/cornerstone3d's Cs3dLiveEnhancement: the heavy part lives
 * there) and the element the panel's Lit controls bind to. OHIF services are reached only through
 * the few calls typed in ohif-types.ts.
 */
import { Enums, type Types } from '@cornerstonejs/core';
import { errorCode } from '../../core/errors.ts';
import { TilesrOhifError } from './errors.ts';
import type { BackendPreference, FallbackRecord } from '../../models/backend/types.ts';
import type { Variant } from '../../models/card.ts';
import { MODEL_IDS, type ModelId } from '../../models/registry.ts';
import {
  sharedSession,
  type EnhanceStatus,
  type LiveEnhanceConfig,
  type SharedSession,
  type ViewerProvenance,
} from '../../plugin/live/index.ts';
// the modules themselves, not the adapter's index: its stack.ts set-up imports
// @cornerstonejs/dicom-image-loader, which in OHIF is the host's and must not be bundled again
import type { HostImageErrorCode } from '../../plugin/viewer/cornerstone3d/host-images.ts';
import { Cs3dLiveEnhancement } from '../../plugin/viewer/cornerstone3d/live.ts';
import { registerTilesrLoader } from '../../plugin/viewer/cornerstone3d/loader.ts';
import { HOST_ID } from './ids.ts';
import type { ServicesManagerLike } from './ohif-types.ts';

export { TilesrOhifError } from './errors.ts';

/** The extension's configuration (the second element of its entry in OHIF's extension list). */
export interface TilesrOhifConfiguration {
  /**
   * Directory URL (same origin as the app) serving onnxruntime-web's `ort-wasm-simd-threaded*.wasm`
   * of the version tilesr depends on; default `<origin>/tilesr-ort/` (README: the webpack copy step).
   */
  wasmPaths: string;
  modelId: string;
  variant: Variant;
  backend: BackendPreference;
  tileSize: number;
  prefetch: number;
  /** Start the session (weights check, onnxruntime's worker) in preRegistration, not on first toggle. */
  preload: boolean;
}

/** Configuration used where the app gives none. */
export const DEFAULT_CONFIGURATION: Omit<TilesrOhifConfiguration, 'wasmPaths'> = {
  modelId: 'medical-x2',
  variant: 'fidelity',
  backend: 'auto',
  tileSize: 64,
  prefetch: 1,
  preload: true,
};

/**
 * The wasm directory as an absolute URL, refused unless it is on the app's own origin: the
 * weights and tiles never leave the machine, and onnxruntime's binary is not fetched from a CDN.
 */
export function resolveWasmPaths(value: unknown, origin: string): string {
  const raw = value === undefined ? '/tilesr-ort/' : value;
  if (typeof raw !== 'string' || raw === '')
    throw new TilesrOhifError('BAD_CONFIGURATION', 'wasmPaths must be a URL string');
  const url = new URL(raw, origin);
  if (url.origin !== new URL(origin).origin)
    throw new TilesrOhifError(
      'WASM_PATH_NOT_SELF_HOSTED',
      `wasmPaths ${url.href} is not on this app's origin ${origin}: serve onnxruntime-web's .wasm yourself`,
    );
  return url.href.endsWith('/') ? url.href : `${url.href}/`;
}

/** The app's configuration checked and completed (throws TilesrOhifError on a wrong value). */
export function resolveConfiguration(
  configuration: Record<string, unknown> | undefined,
  origin: string,
): TilesrOhifConfiguration {
  const c = configuration ?? {};
  const pick = <T>(key: string, ok: (v: unknown) => v is T, fallback: T): T => {
    const v = c[key];
    if (v === undefined) return fallback;
    if (!ok(v)) throw new TilesrOhifError('BAD_CONFIGURATION', `${key}: ${JSON.stringify(v)} is not valid`);
    return v;
  };
  const isModel = (v: unknown): v is string => typeof v === 'string' && MODEL_IDS.includes(v as ModelId);
  const isVariant = (v: unknown): v is Variant => v === 'fidelity' || v === 'perceptual';
  const isBackend = (v: unknown): v is BackendPreference => v === 'auto' || v === 'webgpu' || v === 'wasm';
  const isSize = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 8;
  const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;
  const isBool = (v: unknown): v is boolean => typeof v === 'boolean';
  const d = DEFAULT_CONFIGURATION;
  return {
    wasmPaths: resolveWasmPaths(c['wasmPaths'], origin),
    modelId: pick('modelId', isModel, d.modelId),
    variant: pick('variant', isVariant, d.variant),
    backend: pick('backend', isBackend, d.backend),
    tileSize: pick('tileSize', isSize, d.tileSize),
    prefetch: pick('prefetch', isCount, d.prefetch),
    preload: pick('preload', isBool, d.preload),
  };
}

/**
 * The element `<sr-enhance-control for=...>`, `<sr-progress>` and `<sr-provenance>` bind to: it
 * carries the `ViewerLike` members they set or call (enhance, model, variant, backend, cancel) and
 * receives the same events `<sr-stack-viewer>` dispatches, for the active enhanced viewport.
 */
export interface TilesrOhifHost extends HTMLElement {
  enhance: boolean;
  model: string;
  variant: string;
  backend: string;
  readonly effectiveModel: string;
  cancel(): void;
}

/** The last state of each event kind, replayed to a panel mounted later. */
interface Replay {
  progress?: { done: number; total: number; backend: string };
  status?: EnhanceStatus;
  provenance?: ViewerProvenance;
  fallback?: FallbackRecord;
}

/** One app's tilesr state; see the module comment. */
export class TilesrOhifRuntime {
  config: TilesrOhifConfiguration;
  /** Live enhancement per OHIF viewport id. */
  readonly enhancements = new Map<string, Cs3dLiveEnhancement>();
  /** The viewport whose events the panel shows (the last one toggled or set). */
  activeViewportId: string | undefined;
  /** The preloaded session (preRegistration), if any. */
  preloaded: Promise<SharedSession> | undefined;
  private hostElement: TilesrOhifHost | undefined;
  private replay: Replay = {};

  constructor(
    readonly services: ServicesManagerLike['services'],
    configuration: Record<string, unknown> | undefined,
    origin: string = globalThis.location?.origin ?? 'http://localhost',
  ) {
    this.config = resolveConfiguration(configuration, origin);
  }

  /** preRegistration's work: the `tilesr:` loader, and the session started when `preload`. */
  start(): void {
    registerTilesrLoader();
    if (this.config.preload) {
      const { modelId, variant, backend } = this.config;
      this.preloaded = this.session(modelId, variant, backend);
      // a failure is reported now (and retried on the first toggle: failed sessions are forgotten)
      this.preloaded.catch((e: unknown) => this.report(errorOf(e, 'SESSION_FAILED')));
    }
  }

  /**
   * plugin/live's page-wide session for a model, created with this app's self-hosted wasm path
   * (`config.wasmPaths`: onnxruntime's binary is never fetched from its default location).
   */
  session(modelId: string, variant: Variant, backend: BackendPreference): Promise<SharedSession> {
    return sharedSession(modelId, variant, backend, { wasmPaths: this.config.wasmPaths });
  }

  /** The OHIF viewport id to act on: the one given, else the grid's active viewport. */
  viewportIdOf(viewportId: unknown): string {
    const id =
      typeof viewportId === 'string' && viewportId
        ? viewportId
        : this.services.viewportGridService?.getActiveViewportId();
    if (!id) throw new TilesrOhifError('NO_VIEWPORT', 'no active viewport');
    return id;
  }

  /** The Cornerstone3D StackViewport behind an OHIF viewport (throws when there is none). */
  stackViewport(viewportId: string): Types.IStackViewport {
    const vp = this.services.cornerstoneViewportService?.getCornerstoneViewport(viewportId);
    if (!vp)
      throw new TilesrOhifError('NO_VIEWPORT', `viewport ${viewportId} is not a Cornerstone3D viewport`);
    if (vp.type !== Enums.ViewportType.STACK)
      throw new TilesrOhifError(
        'NOT_A_STACK',
        // volume/MPR slices are resampled by Cornerstone3D along any plane: tiles of the
        // acquired images would be drawn misaligned there, so enhancement is not offered yet
        `viewport ${viewportId} is ${vp.type}: AI enhancement works on stack viewports only ` +
          '(not on volume/MPR views yet); switch this viewport to a stack to enhance it',
      );
    return vp as Types.IStackViewport;
  }

  /** Whether enhancement is on in a viewport. */
  isEnabled(viewportId: string): boolean {
    return this.enhancements.get(viewportId)?.engine.config.enabled === true;
  }

  /** The live-engine configuration from the current settings. */
  liveConfig(): Partial<LiveEnhanceConfig> {
    const c = this.config;
    return {
      modelId: c.modelId,
      variant: c.variant,
      backend: c.backend,
      tileSize: c.tileSize,
      prefetchRing: c.prefetch,
    };
  }

  /**
   * Turns enhancement on or off in a viewport. Off disposes its enhancement: the layer with tiles
   * and mark is removed and the viewport is left as OHIF made it.
   */
  setEnabled(viewportIdOption: unknown, enabled: boolean): boolean {
    let viewportId: string;
    try {
      viewportId = this.viewportIdOf(viewportIdOption);
      if (!enabled) {
        this.enhancements.get(viewportId)?.dispose();
        this.enhancements.delete(viewportId);
        if (viewportId === this.activeViewportId) this.forward('status', 'off');
        return false;
      }
      const viewport = this.stackViewport(viewportId);
      this.activeViewportId = viewportId;
      const existing = this.enhancements.get(viewportId);
      if (existing?.viewport === viewport) return true;
      existing?.dispose(); // OHIF replaced the Cornerstone3D viewport: start over on the new one
      const live = new Cs3dLiveEnhancement(
        viewport,
        {
          progress: (p) => this.emitFrom(viewportId, 'progress', p),
          tile: (tile) => this.emitFrom(viewportId, 'tile', tile),
          fallback: (record) => this.emitFrom(viewportId, 'fallback', record),
          provenance: (p) => this.emitFrom(viewportId, 'provenance', p),
          error: (e) => this.engineError(viewportId, e),
          rendered: () => {},
          status: (s) => this.emitFrom(viewportId, 'status', s),
        },
        { ...this.liveConfig(), enabled: true },
        // scheduler and tile cache: the engine's defaults, the page-wide ones
        { deps: { session: (m, v, b) => this.session(m, v, b) } },
      );
      this.enhancements.set(viewportId, live);
      this.syncControls();
      viewport.render();
      return true;
    } catch (e) {
      this.report(errorOf(e, 'TOGGLE_FAILED'));
      return false;
    } finally {
      this.services.toolbarService?.refreshToolbarState?.({});
    }
  }

  /** Toggles a viewport; returns whether it is now on. */
  toggle(viewportId: unknown): boolean {
    let id: string;
    try {
      id = this.viewportIdOf(viewportId);
    } catch (e) {
      this.report(errorOf(e, 'TOGGLE_FAILED'));
      return false;
    }
    return this.setEnabled(id, !this.isEnabled(id));
  }

  /** New settings (from the panel's control or a command), applied to every enhanced viewport. */
  configure(patch: Partial<Pick<TilesrOhifConfiguration, 'modelId' | 'variant' | 'backend'>>): void {
    this.config = { ...this.config, ...patch };
    for (const live of this.enhancements.values()) live.engine.configure(this.liveConfig());
  }

  /** Stops the active viewport's running tiles (tiles shown stay). */
  cancel(): void {
    if (this.activeViewportId) this.enhancements.get(this.activeViewportId)?.engine.cancel();
  }

  /** Disposes every enhancement (OHIF's onModeExit). */
  disposeAll(): void {
    for (const live of this.enhancements.values()) live.dispose();
    this.enhancements.clear();
    this.forward('status', 'off');
  }

  /** The element the panel's controls bind to (created and appended to the page on first use). */
  host(): TilesrOhifHost {
    if (this.hostElement?.isConnected) return this.hostElement;
    const existing = document.getElementById(HOST_ID);
    const el = existing instanceof TilesrHostElementBase ? (existing as TilesrOhifHost) : createHost(this);
    // a host left by an earlier runtime (OHIF re-registered the extension) now speaks for this one
    (el as TilesrOhifHost & { runtime?: TilesrOhifRuntime }).runtime = this;
    el.hidden = true;
    el.id = HOST_ID;
    if (!el.isConnected) document.body.append(el);
    this.hostElement = el;
    return el;
  }

  /** Dispatches the last progress, status, fallback and provenance again (a panel just mounted). */
  replayEvents(): void {
    const r = this.replay;
    if (r.status) this.forward('status', r.status);
    if (r.progress) this.forward('progress', r.progress);
    if (r.fallback) this.forward('fallback', r.fallback);
    if (r.provenance) this.forward('provenance', r.provenance);
  }

  /**
   * An engine error, to the panel; a shown image that cannot be enhanced (the bridge from OHIF's
   * `wadors:`/`wadouri:` image refused it, e.g. no pixel data) also to OHIF's notifications.
   */
  private engineError(viewportId: string, e: { code: string; message: string }): void {
    if (HOST_IMAGE_CODES.has(e.code))
      this.services.uiNotificationService?.show({
        title: 'AI enhancement',
        message: e.message,
        type: 'error',
      });
    this.emitFrom(viewportId, 'error', e);
  }

  private emitFrom<K extends keyof EventDetails>(viewportId: string, kind: K, detail: EventDetails[K]): void {
    // only the viewport the panel shows speaks to it; others keep working silently
    if (viewportId === this.activeViewportId) this.forward(kind, detail);
  }

  private forward<K extends keyof EventDetails>(kind: K, detail: EventDetails[K]): void {
    if (kind === 'progress') this.replay.progress = detail as EventDetails['progress'];
    if (kind === 'status') this.replay.status = detail as EnhanceStatus;
    if (kind === 'provenance') this.replay.provenance = detail as ViewerProvenance;
    if (kind === 'fallback') this.replay.fallback = detail as FallbackRecord;
    if (typeof document === 'undefined') return;
    const [type, payload] = eventOf(kind, detail);
    this.host().dispatchEvent(new CustomEvent(type, { detail: payload, bubbles: false }));
    if (kind === 'status') this.syncControls();
  }

  /**
   * Shows the current settings on the bound `<sr-enhance-control>`s: the control adopts a viewer's
   * settings only when it binds or an image loads, and here enhancement is switched by commands and
   * toolbar buttons as well as by the control.
   */
  private syncControls(): void {
    if (typeof document === 'undefined') return;
    const on = !!this.activeViewportId && this.isEnabled(this.activeViewportId);
    for (const el of document.querySelectorAll(`sr-enhance-control[for="${HOST_ID}"]`)) {
      const c = el as HTMLElement & {
        enabled?: boolean;
        modelId?: string;
        variant?: string;
        backend?: string;
      };
      c.enabled = on;
      c.modelId = this.config.modelId;
      c.variant = this.config.variant;
      c.backend = this.config.backend;
    }
  }

  private report(e: { code: string; message: string }): void {
    this.services.uiNotificationService?.show({ title: 'AI enhancement', message: e.message, type: 'error' });
    this.forward('error', e);
  }
}

/** HostImageError's codes (what Cs3dLiveEnhancement reports for an image it cannot bridge). */
const HOST_IMAGE_CODES: ReadonlySet<string> = new Set<HostImageErrorCode>([
  'UNSUPPORTED_IMAGE',
  'NO_PIXEL_DATA',
  'IMAGE_NOT_LOADED',
]);

/** The payload of each engine callback, as the runtime forwards it. */
interface EventDetails {
  progress: { done: number; total: number; backend: string };
  tile: { backend: string; ms: number };
  fallback: FallbackRecord;
  provenance: ViewerProvenance;
  error: { code: string; message: string };
  status: EnhanceStatus;
}

/** The `<sr-stack-viewer>` event for an engine callback (names from plugin/components). */
function eventOf<K extends keyof EventDetails>(kind: K, detail: EventDetails[K]): [string, unknown] {
  switch (kind) {
    case 'progress':
      return ['sr-enhance-progress', detail];
    case 'tile': {
      const t = detail as EventDetails['tile'];
      return ['sr-tile-enhanced', { tile: t, backend: t.backend, ms: t.ms }];
    }
    case 'fallback':
      return ['sr-fallback', { record: detail }];
    case 'provenance':
      return ['sr-provenance', { provenance: detail }];
    case 'status':
      return ['sr-enhance-status', { status: detail }];
    default:
      return ['sr-error', detail];
  }
}

function errorOf(e: unknown, fallbackCode: string): { code: string; message: string } {
  const err = e as { message?: unknown } | undefined;
  return {
    code: errorCode(e) ?? fallbackCode,
    message: typeof err?.message === 'string' ? err.message : String(e),
  };
}

/**
 * The host element class, defined on first use (Node has no HTMLElement; the extension object is
 * imported there by the Node tests).
 */
let TilesrHostElementBase: { new (): HTMLElement } = class {} as unknown as { new (): HTMLElement };
let defined = false;

function createHost(runtime: TilesrOhifRuntime): TilesrOhifHost {
  if (!defined) {
    class TilesrOhifHostElement extends HTMLElement implements TilesrOhifHost {
      runtime: TilesrOhifRuntime | undefined;
      get enhance(): boolean {
        const r = this.runtime;
        return !!r?.activeViewportId && r.isEnabled(r.activeViewportId);
      }
      set enhance(on: boolean) {
        const r = this.runtime;
        if (!r) return;
        const id = r.activeViewportId ?? r.services.viewportGridService?.getActiveViewportId() ?? undefined;
        if (r.isEnabled(id ?? '') !== on) r.setEnabled(id, on);
      }
      get model(): string {
        return this.runtime?.config.modelId ?? '';
      }
      set model(v: string) {
        if (v && v !== this.model) this.runtime?.configure({ modelId: v });
      }
      get variant(): string {
        return this.runtime?.config.variant ?? 'fidelity';
      }
      set variant(v: string) {
        if ((v === 'fidelity' || v === 'perceptual') && v !== this.variant)
          this.runtime?.configure({ variant: v });
      }
      get backend(): string {
        return this.runtime?.config.backend ?? 'auto';
      }
      set backend(v: string) {
        if ((v === 'auto' || v === 'webgpu' || v === 'wasm') && v !== this.backend)
          this.runtime?.configure({ backend: v });
      }
      get effectiveModel(): string {
        return this.model;
      }
      cancel(): void {
        this.runtime?.cancel();
      }
    }
    if (!customElements.get(HOST_ID)) customElements.define(HOST_ID, TilesrOhifHostElement);
    TilesrHostElementBase = customElements.get(HOST_ID) as unknown as { new (): HTMLElement };
    defined = true;
  }
  const el = document.createElement(HOST_ID) as TilesrOhifHost & { runtime?: TilesrOhifRuntime };
  el.runtime = runtime;
  return el;
}
