/**
 * The extension in a real browser on a real Cornerstone3D 5.14 StackViewport (the bundled CT
 * series, WebGL on SwiftShader, WASM inference), with the real BaseTool of @cornerstonejs/tools and
 * React 18 (UMD builds). OHIF itself is not installed: only the services the extension calls
 * (cornerstoneViewportService, viewportGridService, toolbarService, uiNotificationService) and the
 * tool group lookup are faked, each in a few lines.
 */
import { expect } from '@esm-bundle/chai';
import * as ort from 'onnxruntime-web/wasm';
import type { Types } from '@cornerstonejs/core';
import { countColor } from '../../plugin/live/testing/canvas.ts';
import { WATERMARK_COLORS } from '../../plugin/watermark/viewport.ts';
import { cache, imageLoader, metaData } from '@cornerstonejs/core';
import { imageIdForUrl, loadStackImage, toCs3dImage } from '../../plugin/viewer/cornerstone3d/loader.ts';
import {
  createStackViewport,
  initCornerstone3D,
  type StackHandle,
} from '../../plugin/viewer/cornerstone3d/stack.ts';
import { until } from '../../plugin/live/testing/wait.ts';
import { CT_SERIES } from '../../plugin/viewer/cornerstone3d/testing/stack.ts';
import { click, part } from '../../plugin/components/testing/dom.ts';
import { createTilesrExtension, type ToolsModule } from './extension.ts';
import { COMMANDS, EVALUATOR, HOST_ID, PANEL_NAME, TOOL_NAME } from './ids.ts';
import type { CommandsManagerLike, ServicesManagerLike } from './ohif-types.ts';
import type { ReactLike, ReactNodeLike } from './react-types.ts';

function script(src: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = document.createElement('script');
    s.src = src;
    s.onload = () => resolve();
    s.onerror = () => reject(new Error(`could not load ${src}`));
    document.head.append(s);
  });
}

interface ReactDomLike {
  createRoot(el: Element): { render(node: ReactNodeLike): void; unmount(): void };
}

describe('the OHIF extension on a real Cornerstone3D stack', function () {
  this.timeout(240_000);
  const VIEWPORT = 'default';
  const HOST_VIEWPORT = 'host-loader';
  let hostViewport: Types.IStackViewport | undefined;
  let element: HTMLDivElement;
  let handle: StackHandle;
  let viewport: Types.IStackViewport;
  let React: ReactLike;
  let ReactDOM: ReactDomLike;
  let ToolClass: (new () => { toolGroupId: string; onSetToolEnabled(): void; onSetToolDisabled(): void }) & {
    toolName: string;
  };
  const notifications: string[] = [];
  let toolbarRefreshes = 0;
  const ext = createTilesrExtension({
    get React() {
      return React;
    },
    loadTools: async () => {
      // the real BaseTool; the package entry cannot load in this dev server (its CommonJS lodash.get)
      const url = '/node_modules/@cornerstonejs/tools/dist/esm/tools/base/BaseTool.js';
      const { default: BaseTool } = (await import(/* @vite-ignore */ url)) as {
        default: ToolsModule['BaseTool'];
      };
      return {
        BaseTool,
        ToolGroupManager: {
          getToolGroup: (id) => (id === 'default' ? { getViewportIds: () => [VIEWPORT] } : undefined),
        },
        addTool: (tool) => {
          ToolClass = tool as unknown as typeof ToolClass;
        },
      };
    },
  });
  const servicesManager: ServicesManagerLike = {
    services: {
      cornerstoneViewportService: {
        getCornerstoneViewport: (id) =>
          id === VIEWPORT ? viewport : id === HOST_VIEWPORT ? hostViewport : undefined,
      },
      viewportGridService: { getActiveViewportId: () => VIEWPORT },
      uiNotificationService: { show: ({ message }) => notifications.push(message) },
      toolbarService: { refreshToolbarState: () => void toolbarRefreshes++ },
    },
  };
  // OHIF's CommandsManager reduced to a lookup in the registered commands module
  const commandsManager: CommandsManagerLike = {
    runCommand: (name, options = {}) => {
      const def = ext.getCommandsModule({ servicesManager, commandsManager }).definitions[name];
      if (!def) throw new Error(`no command ${name}`);
      return def.commandFn(options);
    },
  };
  const ids = CT_SERIES.map((u) => imageIdForUrl(u));
  const live = () => ext.runtime?.enhancements.get(VIEWPORT);
  const layer = () => viewport.element.querySelector<HTMLCanvasElement>('.tilesr-enhanced-layer');
  const marked = () => {
    const l = live();
    const box = l?.adapter.lastDrawn.watermark;
    return !!l && !!box && countColor(l.adapter.overlay, box, WATERMARK_COLORS.text, 60) > 20;
  };
  const evaluate = () =>
    ext
      .getToolbarModule({ servicesManager, commandsManager })
      .find((e) => e.name === EVALUATOR)
      ?.evaluate({ viewportId: VIEWPORT });

  before(async () => {
    await script('/node_modules/react/umd/react.development.js');
    await script('/node_modules/react-dom/umd/react-dom.development.js');
    const w = window as unknown as { React: ReactLike; ReactDOM: ReactDomLike };
    React = w.React;
    ReactDOM = w.ReactDOM;
    initCornerstone3D({ cpu: false });
    element = document.createElement('div');
    element.style.width = '256px';
    element.style.height = '256px';
    document.body.append(element);
    handle = await createStackViewport(element, ids, { viewportId: VIEWPORT });
    viewport = handle.viewport;
  });

  after(() => {
    ext.runtime?.disposeAll();
    handle?.dispose();
    element?.remove();
  });

  it('preRegistration: adds the tool and starts the session on the configured self-hosted wasm path', async () => {
    await ext.preRegistration({
      servicesManager,
      commandsManager,
      configuration: {
        wasmPaths: '/node_modules/onnxruntime-web/dist',
        backend: 'wasm',
        tileSize: 32,
        prefetch: 0,
      },
    });
    expect(ToolClass.toolName).to.equal(TOOL_NAME);
    const shared = await ext.runtime?.preloaded;
    expect(shared?.fallbackSession.backend).to.equal('wasm');
    // tilesr's onnxruntime-web copy got the app's path (not a CDN, not OHIF's copy's setting)
    expect(ort.env.wasm.wasmPaths).to.deep.equal({
      wasm: `${location.origin}/node_modules/onnxruntime-web/dist/ort-wasm-simd-threaded.wasm`,
    });
    expect(notifications).to.deep.equal([]);
  });

  let root: ReturnType<ReactDomLike['createRoot']>;
  let panel: HTMLDivElement;
  it('the panel (React 18 createRoot) renders the Lit controls bound to the runtime host', async () => {
    const entry = ext.getPanelModule({ servicesManager, commandsManager }).find((p) => p.name === PANEL_NAME);
    if (!entry) throw new Error('no panel');
    panel = document.createElement('div');
    panel.style.width = '400px';
    document.body.append(panel);
    root = ReactDOM.createRoot(panel);
    root.render(React.createElement(entry.component));
    await until(
      () => !!customElements.get('sr-provenance') && !!panel.querySelector('sr-provenance'),
      'the panel',
    );
    for (const tag of ['sr-enhance-control', 'sr-progress', 'sr-provenance'])
      expect(panel.querySelector(tag)?.getAttribute('for'), tag).to.equal(HOST_ID);
    expect(document.getElementById(HOST_ID)).to.not.equal(null);
    const control = panel.querySelector('sr-enhance-control');
    await control?.updateComplete;
    expect(part(control as HTMLElement, 'button.switch').getAttribute('aria-checked')).to.equal('false');
  });

  it('the toggle command enhances the zoomed-in viewport: tiles and the mark drawn, panel follows', async () => {
    expect(commandsManager.runCommand(COMMANDS.toggle)).to.equal(true);
    expect(evaluate()).to.deep.equal({ disabled: false, isActive: true });
    expect(toolbarRefreshes).to.be.greaterThan(0);
    viewport.setZoom(16); // 8 canvas px per image px: 32x32 image px, 1-4 cells of 32
    viewport.render();
    await until(() => live()?.engine.status === 'done', 'the visible cells');
    const l = live();
    expect(l?.engine.lastDrawn.length).to.be.within(1, 4);
    expect(layer()).to.equal(l?.adapter.overlay);
    viewport.render();
    await until(() => marked(), 'the mark on the layer', 10_000);
    // the panel: provenance shows the model after tiles arrived, progress the backend
    const provenance = panel.querySelector('sr-provenance') as HTMLElement & {
      updateComplete: Promise<unknown>;
    };
    await until(
      () => provenance.shadowRoot?.querySelector('.model')?.textContent === 'medical-x2',
      'provenance',
    );
    const progress = panel.querySelector('sr-progress') as HTMLElement & { updateComplete: Promise<unknown> };
    await progress.updateComplete;
    expect(part(progress, '.backend').textContent).to.equal('WASM');
    const control = panel.querySelector('sr-enhance-control') as HTMLElement & {
      updateComplete: Promise<unknown>;
    };
    await until(
      () => control.shadowRoot?.querySelector('button.switch')?.getAttribute('aria-checked') === 'true',
      'the switch on',
      5_000,
    );
    expect(notifications).to.deep.equal([]);
  });

  it('perceptual weights need the control warning acknowledged before the runtime changes', async () => {
    const control = panel.querySelector('sr-enhance-control') as HTMLElement & {
      updateComplete: Promise<unknown>;
    };
    await click(part(control, 'input[value="perceptual"]'), control as never);
    await control.updateComplete;
    expect(part<HTMLDialogElement>(control, 'dialog').open).to.equal(true);
    expect(ext.runtime?.config.variant).to.equal('fidelity');
    await click(part(control, 'button.reject'), control as never);
    expect(ext.runtime?.config.variant).to.equal('fidelity');
  });

  it('toggling off removes the tiles, the mark and the layer; the viewport stays as it was', async () => {
    expect(commandsManager.runCommand(COMMANDS.toggle)).to.equal(false);
    expect(live()).to.equal(undefined);
    expect(layer()).to.equal(null);
    expect(evaluate()).to.deep.equal({ disabled: false, isActive: false });
    expect(viewport.getCurrentImageId()).to.equal(ids[0]);
  });

  it("the tool: OHIF's toggleEnabledDisabledToolbar (Enabled/Disabled mode) turns the tool group's viewports on and off", async () => {
    const tool = new ToolClass();
    tool.toolGroupId = 'default';
    tool.onSetToolEnabled();
    expect(ext.runtime?.isEnabled(VIEWPORT)).to.equal(true);
    viewport.render();
    await until(() => (live()?.engine.lastDrawn.length ?? 0) > 0 && marked(), 'tiles again (from the cache)');
    tool.onSetToolDisabled();
    expect(layer()).to.equal(null);
    const control = panel.querySelector('sr-enhance-control') as HTMLElement;
    await until(
      () => control.shadowRoot?.querySelector('button.switch')?.getAttribute('aria-checked') === 'false',
      'the switch off',
      5_000,
    );
  });

  /** A viewport on a stack from a stand-in host loader (`scheme:` + the tilesr id of a CT slice). */
  async function hostStack(scheme: string): Promise<{ id: string; el: HTMLDivElement; h: StackHandle }> {
    // a stand-in for @cornerstonejs/dicom-image-loader (run for real in
    // plugin/viewer/cornerstone3d/host-images.browser.test.ts): the same CT slice under another scheme
    const id = `${scheme}:${ids[0]}`;
    imageLoader.registerImageLoader(scheme, (hostId: string) => ({
      promise: loadStackImage(hostId.slice(scheme.length + 1)).then((img) => ({
        ...toCs3dImage(img),
        imageId: hostId,
      })),
    }));
    metaData.addProvider(
      (type: string, hostId: string) =>
        hostId.startsWith(`${scheme}:`) ? metaData.get(type, hostId.slice(scheme.length + 1)) : undefined,
      20000,
    );
    const el = document.createElement('div');
    el.style.width = '256px';
    el.style.height = '256px';
    document.body.append(el);
    const h = await createStackViewport(el, [id], { viewportId: HOST_VIEWPORT });
    hostViewport = h.viewport;
    return { id, el, h };
  }

  it("a stack from another loader (OHIF's wadors:/wadouri:) is enhanced through the bridge", async () => {
    const { id, el, h } = await hostStack('hostsim');
    try {
      const on = commandsManager.runCommand(COMMANDS.set, { viewportId: HOST_VIEWPORT, enabled: true });
      expect(on, notifications.join(' | ')).to.equal(true);
      const l = ext.runtime?.enhancements.get(HOST_VIEWPORT);
      expect(l?.engine.current?.imageId, 'the host frame bridged').to.equal(id);
      hostViewport?.setZoom(16);
      hostViewport?.render();
      await until(() => l?.engine.status === 'done', 'the visible cells of the host image');
      expect(l?.engine.lastDrawn.length).to.be.within(1, 4);
      hostViewport?.render();
      await until(() => {
        const box = l?.adapter.lastDrawn.watermark;
        return !!l && !!box && countColor(l.adapter.overlay, box, WATERMARK_COLORS.text, 60) > 20;
      }, 'the mark on the host viewport');
      expect(notifications).to.deep.equal([]);
      expect(
        commandsManager.runCommand(COMMANDS.set, { viewportId: HOST_VIEWPORT, enabled: false }),
      ).to.equal(false);
      expect(el.querySelector('.tilesr-enhanced-layer')).to.equal(null);
    } finally {
      h.dispose();
      el.remove();
    }
  });

  it('a host image that cannot be bridged (no pixel data) is shown, not enhanced, and reported', async () => {
    const { id, el, h } = await hostStack('hostnopx');
    // the host lets go of the shown image's pixels (a StackViewport could not show an image that
    // never had any): both of Cornerstone3D's pixel accessors now come back empty
    const shown = cache.getImage(id) as Types.IImage;
    shown.getPixelData = () => new Float32Array(0);
    (shown as { voxelManager?: unknown }).voxelManager = undefined;
    const errors: string[] = [];
    const host = document.getElementById(HOST_ID);
    const onError = (e: Event) => errors.push((e as CustomEvent<{ code: string }>).detail.code);
    host?.addEventListener('sr-error', onError);
    try {
      const on = commandsManager.runCommand(COMMANDS.set, { viewportId: HOST_VIEWPORT, enabled: true });
      expect(on, notifications.join(' | ')).to.equal(true);
      expect(notifications.at(-1)).to.match(/^hostnopx:.*no pixel data; shown, not enhanced$/);
      expect(errors).to.deep.equal(['NO_PIXEL_DATA']);
      const l = ext.runtime?.enhancements.get(HOST_VIEWPORT);
      expect(l?.refused.get(id)?.code).to.equal('NO_PIXEL_DATA');
      hostViewport?.setZoom(16);
      hostViewport?.render();
      await new Promise((r) => setTimeout(r, 1000));
      expect(l?.engine.lastDrawn.length).to.equal(0);
      expect(l?.adapter.lastDrawn.watermark).to.equal(undefined);
      expect(notifications.filter((n) => n.startsWith('hostnopx:')).length, 'reported once').to.equal(1);
      expect(
        commandsManager.runCommand(COMMANDS.set, { viewportId: HOST_VIEWPORT, enabled: false }),
      ).to.equal(false);
      expect(el.querySelector('.tilesr-enhanced-layer')).to.equal(null);
    } finally {
      host?.removeEventListener('sr-error', onError);
      h.dispose();
      el.remove();
      root.unmount();
      panel.remove();
    }
  });
});
