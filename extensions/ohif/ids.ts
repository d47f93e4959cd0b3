/** The names OHIF knows this extension by: extension id, tool, commands, panel, evaluator. */

/** The extension id (also the prefix of its module entries, e.g. `${EXTENSION_ID}.panelModule.tilesr`). */
export const EXTENSION_ID = '@tilesr/extension-ohif';

/**
 * The Cornerstone3D tool that stands for "enhancement on" in a tool group; the toolbar button has
 * the same id, because OHIF's `toggleEnabledDisabledToolbar` toggles the tool named by the button id.
 */
export const TOOL_NAME = 'TilesrEnhance';

/** Commands of the commands module. */
export const COMMANDS = {
  /** Toggles enhancement on one viewport (default: the active one). */
  toggle: 'tilesrToggleEnhancement',
  /** Sets enhancement on or off on one viewport (default: the active one). */
  set: 'tilesrSetEnhancement',
  /** Stops the running tiles of the active viewport (tiles shown stay). */
  cancel: 'tilesrCancelEnhancement',
} as const;

/** The panel's name in the panel module; a mode lists `PANEL_ID` in `rightPanels`. */
export const PANEL_NAME = 'tilesr';
/** The panel's module entry id. */
export const PANEL_ID = `${EXTENSION_ID}.panelModule.${PANEL_NAME}`;

/** The toolbar evaluator of the per-viewport button (active when that viewport is enhanced). */
export const EVALUATOR = 'evaluate.tilesr.enhancement';

/** Id of the element the panel's Lit controls bind to (`for=...`), one per page. */
export const HOST_ID = 'tilesr-ohif-viewer';
