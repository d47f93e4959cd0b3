/**
 * The runtime-loadable entry (`npm run build` -> dist/ohif/index.js): what a deployed OHIF app
 * imports by URL through `window.browserImportFunction`, without being rebuilt. It bundles no React
 * and no Cornerstone3D: it uses the host's. OHIF 3.x sets `window.cornerstone` and
 * `window.cornerstoneTools` when its cornerstone extension loads, which is before any extension's
 * preRegistration runs; OHIF 3.13 exposes React on no global, so it is found in the app's own
 * webpack/rspack module registry (hostReact below). Only after that check does preRegistration load
 * the rest of the extension (a separate chunk whose `@cornerstonejs/*` imports read those globals).
 * A host that lacks something is reported, never crashed on: TilesrOhifError `HOST_INCOMPATIBLE`
 * in the console, as an OHIF notification and as the text of the panel.
 */
import { errorCode } from '../../core/errors.ts';
import { TilesrOhifError } from './errors.ts';
import type * as ExtensionModule from './extension.ts';
import type { TilesrOhifExtension, ToolsModule } from './extension.ts';
import { EVALUATOR, EXTENSION_ID, PANEL_NAME } from './ids.ts';
import type {
  CommandsModuleLike,
  ExtensionParamsLike,
  OhifExtensionLike,
  PanelModuleEntry,
  ToolbarModuleEntry,
} from './ohif-types.ts';
import type { ReactLike } from './react-types.ts';

/** What the extension takes from the host app. */
export interface HostLibraries {
  React: ReactLike;
  tools: ToolsModule;
}

type Probe = Record<string, unknown> | undefined;
const has = (o: Probe, ...keys: string[]) => !!o && keys.every((k) => o[k] !== undefined && o[k] !== null);

/** A module registry's require function, as webpack and rspack runtimes hand it to a chunk. */
interface BundlerRequire {
  (id: string | number): unknown;
  m?: Record<string, () => unknown>;
}

/**
 * The host's React: `globalThis.React` when the app exposes it, else the React module of the app's
 * webpack/rspack bundle. A chunk pushed onto the bundle's chunk-loading array may carry a runtime
 * callback, which the bundle calls with its `require`; the React module is the factory that
 * defines React's public API (already evaluated: require returns the app's very instance).
 */
export function hostReact(
  g: Record<string, unknown> = globalThis as Record<string, unknown>,
): ReactLike | undefined {
  const isReact = (r: Probe) => has(r, 'createElement', 'useEffect', 'useRef', 'useState');
  if (isReact(g['React'] as Probe)) return g['React'] as ReactLike;
  for (const key of Object.keys(g).filter((k) => /^(webpack|rspack)Chunk/.test(k))) {
    const chunks = g[key] as { push?: (chunk: unknown) => unknown } | undefined;
    if (typeof chunks?.push !== 'function') continue;
    let req: BundlerRequire | undefined;
    chunks.push([[`tilesr-host-probe-${Date.now()}`], {}, (r: BundlerRequire) => void (req = r)]);
    for (const [id, factory] of Object.entries(req?.m ?? {})) {
      const src = Function.prototype.toString.call(factory);
      // React's own module (production or development build), not one that merely uses it
      if (!/exports\.useState\s*=/.test(src) || !/exports\.createElement\s*=/.test(src)) continue;
      const r = req?.(id) as Probe;
      if (isReact(r)) return r as unknown as ReactLike;
    }
  }
  return undefined;
}

/** The host's libraries, or TilesrOhifError `HOST_INCOMPATIBLE` naming what is missing. */
export function checkHost(g: Record<string, unknown> = globalThis as Record<string, unknown>): HostLibraries {
  const core = g['cornerstone'] as Probe;
  const tools = g['cornerstoneTools'] as Probe;
  const missing: string[] = [];
  if (!has(core, 'Enums', 'imageLoader', 'metaData', 'cache', 'utilities', 'getShouldUseCPURendering'))
    missing.push(
      'window.cornerstone (@cornerstonejs/core with Enums, imageLoader, metaData, cache, utilities)',
    );
  if (!has(tools, 'BaseTool', 'addTool', 'ToolGroupManager'))
    missing.push('window.cornerstoneTools (@cornerstonejs/tools with BaseTool, addTool, ToolGroupManager)');
  const React = hostReact(g);
  if (!React) missing.push("React (window.React or the app bundle's React module)");
  if (missing.length > 0 || !React)
    throw new TilesrOhifError(
      'HOST_INCOMPATIBLE',
      `this OHIF app does not provide what tilesr needs: ${missing.join('; ')}. ` +
        'tilesr runs on OHIF 3.x builds with the cornerstone extension (tested with @ohif/app 3.13.2).',
    );
  return { React, tools: tools as unknown as ToolsModule };
}

/** The error as the panel and the toolbar show it. */
function describe(e: unknown): string {
  const message = (e as { message?: unknown })?.message;
  return `tilesr ${errorCode(e) ?? 'ERROR'}: ${typeof message === 'string' ? message : String(e)}`;
}

/**
 * The extension object OHIF registers. Before preRegistration (or after it failed) its modules are
 * placeholders that show the failure: commands do nothing, the button is disabled with the reason,
 * the panel is the error text (a plain string: no React needed to show that React is missing).
 */
export function createHostExtension(
  check: () => HostLibraries = () => checkHost(),
  load: () => Promise<typeof ExtensionModule> = () => import('./extension.ts'),
): OhifExtensionLike & { readonly inner: TilesrOhifExtension | undefined; readonly error: unknown } {
  let inner: TilesrOhifExtension | undefined;
  let error: unknown;
  const failedPanel: PanelModuleEntry = {
    name: PANEL_NAME,
    iconName: 'tab-linear',
    iconLabel: 'AI enhance',
    label: 'AI enhancement',
    component: () => (error ? describe(error) : 'tilesr: the extension is not registered'),
  };
  return {
    id: EXTENSION_ID,
    get inner() {
      return inner;
    },
    get error() {
      return error;
    },
    async preRegistration(params: ExtensionParamsLike & { appConfig?: Record<string, unknown> }) {
      try {
        const host = check();
        const { createTilesrExtension } = await load();
        const ext = createTilesrExtension({ React: host.React, loadTools: async () => host.tools });
        // configuration: the extension entry's ([url, config] is not importable by URL in OHIF
        // 3.13, so a deployment may also put it under `tilesr` in app-config.js)
        const fromApp = params.appConfig?.['tilesr'] as Record<string, unknown> | undefined;
        const configuration =
          params.configuration && Object.keys(params.configuration).length > 0
            ? params.configuration
            : fromApp;
        await ext.preRegistration({ ...params, configuration });
        inner = ext;
        error = undefined;
      } catch (e) {
        error = e;
        console.error(describe(e), e);
        params.servicesManager.services.uiNotificationService?.show({
          title: 'AI enhancement unavailable',
          message: describe(e),
          type: 'error',
        });
      }
    },
    getCommandsModule: (p): CommandsModuleLike =>
      inner?.getCommandsModule(p) ?? { actions: {}, definitions: {}, defaultContext: 'CORNERSTONE' },
    getToolbarModule: (p): ToolbarModuleEntry[] =>
      inner?.getToolbarModule(p) ?? [
        { name: EVALUATOR, evaluate: () => ({ disabled: true, disabledText: describe(error) }) },
      ],
    getPanelModule: (p): PanelModuleEntry[] => inner?.getPanelModule(p) ?? [failedPanel],
    onModeExit: () => inner?.onModeExit?.(),
  };
}

export default createHostExtension();
