/**
 * Toolbar: the button definitions a mode registers, and the toolbar module's evaluator. Two buttons:
 * `TilesrEnhance` toggles the Cornerstone3D tool through OHIF's stock `toggleEnabledDisabledToolbar`
 * (the whole tool group of the active viewport, the way Reference Lines works), and
 * `TilesrEnhanceViewport` toggles only the active viewport through our own command.
 */
import { COMMANDS, EVALUATOR, TOOL_NAME } from './ids.ts';
import type { EvaluateResult, ToolbarButtonDefinition, ToolbarModuleEntry } from './ohif-types.ts';
import type { TilesrOhifRuntime } from './runtime.ts';

const LABEL = 'AI enhance';
const TOOLTIP = 'AI super-resolution of the visible region (marked "AI-enhanced"; originals unchanged)';
// an icon every OHIF 3.x build ships (the magnifier); apps may register their own and change it
const ICON = 'tool-magnify';

/** The tool-group toggle (button id = tool name, as toggleEnabledDisabledToolbar expects). */
export const enhanceToolButton: ToolbarButtonDefinition = {
  id: TOOL_NAME,
  uiType: 'ohif.toolButton',
  props: {
    icon: ICON,
    label: LABEL,
    tooltip: TOOLTIP,
    commands: 'toggleEnabledDisabledToolbar',
    evaluate: [
      'evaluate.cornerstoneTool.toggle',
      { name: 'evaluate.viewport.supported', unsupportedViewportTypes: ['volume', 'volume3d', 'video'] },
    ],
  },
};

/** The per-viewport toggle (our command and evaluator). */
export const enhanceViewportButton: ToolbarButtonDefinition = {
  id: 'TilesrEnhanceViewport',
  uiType: 'ohif.toolButton',
  props: {
    icon: ICON,
    label: `${LABEL} (this viewport)`,
    tooltip: TOOLTIP,
    commands: { commandName: COMMANDS.toggle, context: 'CORNERSTONE' },
    evaluate: EVALUATOR,
  },
};

/** Both buttons, for `toolbarService.register(...)`. */
export const toolbarButtons: ToolbarButtonDefinition[] = [enhanceToolButton, enhanceViewportButton];

/** The toolbar module: our evaluator (active when the viewport is enhanced). */
export function toolbarModule(runtime: () => TilesrOhifRuntime | undefined): ToolbarModuleEntry[] {
  return [
    {
      name: EVALUATOR,
      evaluate: ({ viewportId }): EvaluateResult => {
        const r = runtime();
        if (!r || !viewportId) return { disabled: true, disabledText: 'No viewport' };
        try {
          r.stackViewport(viewportId);
        } catch (e) {
          // the typed reason (NOT_A_STACK on volume/MPR, NO_VIEWPORT) as the button's tooltip
          const err = e as { code?: string; message?: string };
          return { disabled: true, isActive: false, disabledText: `${err.code}: ${err.message}` };
        }
        return { disabled: false, isActive: r.isEnabled(viewportId) };
      },
    },
  ];
}
