/**
 * The Cornerstone3D tool that makes enhancement a tool-group state, so OHIF's stock toggle works:
 * a `ohif.toolButton` with `commands: 'toggleEnabledDisabledToolbar'` and `evaluate:
 * 'evaluate.cornerstoneTool.toggle'` switches the tool between Enabled and Disabled in the active
 * viewport's tool group, and this tool turns enhancement on or off in that group's viewports. It
 * handles no input (no bindings, no annotations): it only relays its mode.
 */
import type * as CsTools from '@cornerstonejs/tools';
import { TOOL_NAME } from './ids.ts';
import type { TilesrOhifRuntime } from './runtime.ts';

/** What the tool needs of `@cornerstonejs/tools` (the host's copy, a peer dependency). */
export interface ToolsApi {
  BaseTool: typeof CsTools.BaseTool;
  ToolGroupManager: {
    getToolGroup(id: string): Pick<CsTools.Types.IToolGroup, 'getViewportIds'> | undefined;
  };
}

/** The class OHIF's `addTool` registers (its static `toolName` is TOOL_NAME). */
export type TilesrEnhanceToolClass = ReturnType<typeof createTilesrEnhanceTool>;

/** Builds the tool class on the host's BaseTool; `runtime()` is the extension's current runtime. */
export function createTilesrEnhanceTool(tools: ToolsApi, runtime: () => TilesrOhifRuntime | undefined) {
  return class TilesrEnhanceTool extends tools.BaseTool {
    static override toolName = TOOL_NAME;

    constructor(toolProps: CsTools.Types.PublicToolProps = {}) {
      super(toolProps, { supportedInteractionTypes: [], configuration: {} });
    }

    /** The OHIF (= Cornerstone3D) viewport ids of this tool's group. */
    private viewportIds(): string[] {
      return tools.ToolGroupManager.getToolGroup(this.toolGroupId)?.getViewportIds() ?? [];
    }

    onSetToolEnabled(): void {
      const r = runtime();
      for (const id of this.viewportIds()) r?.setEnabled(id, true);
    }

    onSetToolDisabled(): void {
      const r = runtime();
      for (const id of this.viewportIds()) r?.setEnabled(id, false);
    }
  };
}
