/**
 * The OHIF v3 extension object, built around the host's React and `@cornerstonejs/tools` (both peer
 * dependencies; index.ts passes the real ones, tests may pass their own loader).
 * `preRegistration` checks the configuration, registers the `tilesr:` loader, adds the
 * Cornerstone3D tool (tool.ts) and starts the inference session with the app's own wasm path.
 */
import { commandsModule } from './commands.ts';
import { EXTENSION_ID } from './ids.ts';
import type { ExtensionParamsLike, OhifExtensionLike } from './ohif-types.ts';
import { panelModule } from './panel.ts';
import type { ReactLike } from './react-types.ts';
import { TilesrOhifRuntime } from './runtime.ts';
import { createTilesrEnhanceTool, type ToolsApi } from './tool.ts';
import { toolbarModule } from './toolbar.ts';

/** What `@cornerstonejs/tools` must offer for the tool to be added. */
export interface ToolsModule extends ToolsApi {
  addTool(tool: ReturnType<typeof createTilesrEnhanceTool>): void;
}

/** What the extension is built with. */
export interface TilesrExtensionDeps {
  React: ReactLike;
  /** The host's `@cornerstonejs/tools`; undefined: no tool (the per-viewport command still works). */
  loadTools?: () => Promise<ToolsModule>;
}

/** The extension object plus its runtime (for tests and hosts that drive it directly). */
export interface TilesrOhifExtension extends OhifExtensionLike {
  /** The runtime made by the last preRegistration. */
  readonly runtime: TilesrOhifRuntime | undefined;
}

/** Builds the extension; index.ts default-exports it with the real React. */
export function createTilesrExtension(deps: TilesrExtensionDeps): TilesrOhifExtension {
  let runtime: TilesrOhifRuntime | undefined;
  const current = () => runtime;
  let toolAdded = false;
  return {
    id: EXTENSION_ID,
    get runtime() {
      return runtime;
    },
    async preRegistration({ servicesManager, configuration }: ExtensionParamsLike): Promise<void> {
      runtime?.disposeAll();
      runtime = new TilesrOhifRuntime(servicesManager.services, configuration);
      runtime.start();
      if (deps.loadTools && !toolAdded) {
        const tools = await deps.loadTools();
        tools.addTool(createTilesrEnhanceTool(tools, current));
        toolAdded = true;
      }
    },
    getCommandsModule: () => commandsModule(current),
    getToolbarModule: () => toolbarModule(current),
    getPanelModule: () => panelModule(deps.React, current),
    onModeExit: () => runtime?.disposeAll(),
  };
}
