/**
 * The package entry OHIF registers (`pluginConfig.json` / `extensions: [...]`): the extension
 * object on the app's own React and `@cornerstonejs/tools` (peer dependencies, so the viewer and the
 * panel share OHIF's copies).
 */
import React from 'react';
import { createTilesrExtension, type ToolsModule } from './extension.ts';

export { createTilesrExtension } from './extension.ts';
export * from './ids.ts';
export { toolbarButtons, enhanceToolButton, enhanceViewportButton } from './toolbar.ts';
export * from './mode-snippet.ts';

const extension = createTilesrExtension({
  React,
  loadTools: async () => (await import('@cornerstonejs/tools')) as unknown as ToolsModule,
});

export default extension;
