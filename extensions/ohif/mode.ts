/**
 * A ready OHIF 3.x mode (`npm run build` -> dist/ohif/mode.js, loaded by URL like the extension):
 * one stack viewport per display set, the series list on the left, tilesr's panel on the right,
 * window/level, pan, zoom and scroll on the mouse, and the tilesr toggles in the toolbar. It is
 * data plus OHIF's own module ids: nothing here imports OHIF, React or Cornerstone3D. Sites with
 * their own modes add tilesr with mode-snippet.ts instead.
 */
import { EXTENSION_ID, TOOL_NAME } from './ids.ts';
import { tilesrMode, type ModeTools } from './mode-snippet.ts';

/** The mode's id and route (`/<routeName>/<dataSource>?StudyInstanceUIDs=…`). */
export const MODE_ID = '@tilesr/mode-ohif';
export const MODE_ROUTE = 'tilesr';

const ohif = {
  layout: '@ohif/extension-default.layoutTemplateModule.viewerLayout',
  sopClassHandler: '@ohif/extension-default.sopClassHandlerModule.stack',
  seriesList: '@ohif/extension-default.panelModule.seriesList',
  viewport: '@ohif/extension-cornerstone.viewportModule.cornerstone',
  tools: '@ohif/extension-cornerstone.utilityModule.tools',
};

/** Extensions the mode needs (OHIF's two bundled ones and tilesr). */
export const extensionDependencies: Record<string, string> = {
  '@ohif/extension-default': '^3.0.0',
  '@ohif/extension-cornerstone': '^3.0.0',
  ...tilesrMode.extensionDependencies,
};

interface ModeEnterArgs {
  servicesManager: {
    services: {
      toolbarService: { register(b: unknown[]): void; updateSection(s: string, ids: string[]): void };
      toolGroupService: { createToolGroupAndAddTools(id: string, tools: ModeTools): void; destroy(): void };
    };
  };
  extensionManager: {
    getModuleEntry(
      id: string,
    ):
      | { exports: { toolNames: Record<string, string>; Enums: { MouseBindings: Record<string, number> } } }
      | undefined;
  };
}

function onModeEnter({ servicesManager, extensionManager }: ModeEnterArgs): void {
  const { toolbarService, toolGroupService } = servicesManager.services;
  const utility = extensionManager.getModuleEntry(ohif.tools);
  const names = utility?.exports.toolNames ?? {};
  const mouse = utility?.exports.Enums.MouseBindings ?? {};
  const tool = (name: string, binding: Record<string, unknown>) => ({
    toolName: names[name] ?? name,
    bindings: [binding],
  });
  toolGroupService.createToolGroupAndAddTools(
    'default',
    tilesrMode.withTool({
      active: [
        tool('WindowLevel', { mouseButton: mouse['Primary'] }),
        tool('Pan', { mouseButton: mouse['Auxiliary'] }),
        tool('Zoom', { mouseButton: mouse['Secondary'] }),
        tool('StackScroll', { mouseButton: mouse['Wheel'] }),
      ],
    }),
  );
  toolbarService.register(tilesrMode.toolbarButtons);
  toolbarService.updateSection('primary', tilesrMode.withButton([TOOL_NAME], 'TilesrEnhanceViewport'));
}

function modeFactory() {
  return {
    id: MODE_ID,
    routeName: MODE_ROUTE,
    displayName: 'AI enhancement (tilesr)',
    onModeEnter,
    onModeExit: ({ servicesManager }: ModeEnterArgs) => {
      servicesManager.services.toolGroupService.destroy();
    },
    validationTags: { study: [], series: [] },
    isValidMode: ({ modalities }: { modalities: string }) => ({
      valid: !modalities.split('\\').includes('SM'),
      description: 'slide microscopy is not a stack of images',
    }),
    routes: [
      {
        path: MODE_ROUTE,
        layoutTemplate: () => ({
          id: ohif.layout,
          props: {
            leftPanels: [ohif.seriesList],
            leftPanelResizable: true,
            rightPanels: tilesrMode.withPanel([]),
            rightPanelResizable: true,
            viewports: [{ namespace: ohif.viewport, displaySetsToDisplay: [ohif.sopClassHandler] }],
          },
        }),
      },
    ],
    extensions: extensionDependencies,
    hangingProtocol: 'default',
    sopClassHandlers: [ohif.sopClassHandler],
  };
}

/** The mode module OHIF's loader expects (`default`). */
const mode = { id: MODE_ID, modeFactory, extensionDependencies, extension: EXTENSION_ID };
export default mode;
