/**
 * How an OHIF 3.x mode adds tilesr: the extension dependency, the toolbar buttons and where they go,
 * the tool in each stack tool group (so the stock toggle finds it), and the right panel. Pure data
 * and functions over the mode's own lists, so a mode file stays short:
 *
 * ```js
 * // tilesrMode: exported by the package entry (index.ts)
 * const extensionDependencies = { ...base, ...tilesrMode.extensionDependencies };
 * // onModeEnter:
 * toolbarService.register([...toolbarButtons, ...tilesrMode.toolbarButtons]);
 * toolbarService.updateSection(toolbarService.sections.primary, tilesrMode.withButton(primary));
 * toolGroupService.createToolGroupAndAddTools('default', tilesrMode.withTool(tools));
 * // route layout props:
 * rightPanels: tilesrMode.withPanel(rightPanels),
 * ```
 */
import { EXTENSION_ID, PANEL_ID, TOOL_NAME } from './ids.ts';
import type { ToolbarButtonDefinition } from './ohif-types.ts';
import { toolbarButtons } from './toolbar.ts';

/** A tool group's tool lists as OHIF modes write them (initToolGroups). */
export interface ModeTools {
  active?: Array<{ toolName: string; [key: string]: unknown }>;
  passive?: Array<{ toolName: string; [key: string]: unknown }>;
  enabled?: Array<{ toolName: string; [key: string]: unknown }>;
  disabled?: Array<{ toolName: string; [key: string]: unknown }>;
}

/** The mode configuration snippet (see the module comment). */
export interface TilesrModeSnippet {
  /** For the mode's `extensions` (extensionDependencies). */
  extensionDependencies: Record<string, string>;
  /** For `toolbarService.register`. */
  toolbarButtons: ToolbarButtonDefinition[];
  /** The panel id for the layout's `rightPanels`. */
  rightPanel: string;
  /** A toolbar section's button ids with the tilesr toggle appended (once). */
  withButton(section: string[], buttonId?: string): string[];
  /** A tool group's tools with the tilesr tool added as disabled (enhancement off until toggled). */
  withTool(tools: ModeTools): ModeTools;
  /** The layout's right panels with the tilesr panel appended (once). */
  withPanel(rightPanels: string[]): string[];
}

/** The snippet; version range of this extension as a mode should depend on it. */
export const tilesrMode: TilesrModeSnippet = {
  extensionDependencies: { [EXTENSION_ID]: '^0.1.0' },
  toolbarButtons,
  rightPanel: PANEL_ID,
  withButton: (section, buttonId = TOOL_NAME) =>
    section.includes(buttonId) ? [...section] : [...section, buttonId],
  withTool: (tools) => {
    const listed = Object.values(tools).some(
      (list: ModeTools['active']) => list?.some((t) => t.toolName === TOOL_NAME) ?? false,
    );
    return listed
      ? { ...tools }
      : { ...tools, disabled: [...(tools.disabled ?? []), { toolName: TOOL_NAME }] };
  },
  withPanel: (rightPanels) =>
    rightPanels.includes(PANEL_ID) ? [...rightPanels] : [...rightPanels, PANEL_ID],
};
