// The pure parts of the OHIF extension in Node: the extension object's shape and modules, the
// configuration check (self-hosted wasm path only), the toolbar definitions and the mode snippet.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Types } from '@cornerstonejs/core';
import { createTilesrExtension } from './extension.ts';
import { COMMANDS, EVALUATOR, EXTENSION_ID, PANEL_ID, TOOL_NAME } from './ids.ts';
import type { ExtensionParamsLike } from './ohif-types.ts';
import type { ReactLike } from './react-types.ts';
import { tilesrMode } from './mode-snippet.ts';
import { resolveConfiguration, resolveWasmPaths, TilesrOhifError } from './runtime.ts';
import { enhanceToolButton, enhanceViewportButton, toolbarButtons } from './toolbar.ts';

const React: ReactLike = {
  createElement: (type, props, ...children) => ({ type, props, children }),
  useEffect: () => {},
  useRef: <T>(current: T) => ({ current }),
  useState: <T>(v: T): [T, (n: T) => void] => [v, () => {}],
};
const params: ExtensionParamsLike = {
  servicesManager: { services: {} },
  commandsManager: { runCommand: () => undefined },
};

test('the extension object: id, preRegistration, commands, toolbar and panel modules', () => {
  const ext = createTilesrExtension({ React });
  assert.equal(ext.id, '@tilesr/extension-ohif');
  assert.equal(ext.id, EXTENSION_ID);
  assert.equal(typeof ext.preRegistration, 'function');
  assert.equal(ext.runtime, undefined);
  const commands = ext.getCommandsModule(params);
  assert.deepEqual(Object.keys(commands.definitions).sort(), Object.values(COMMANDS).sort());
  assert.equal(commands.defaultContext, 'CORNERSTONE');
  for (const d of Object.values(commands.definitions)) assert.equal(typeof d.commandFn, 'function');
  // before preRegistration the commands do nothing (no runtime), they do not throw
  assert.equal(commands.definitions[COMMANDS.toggle]?.commandFn({}), false);
  const toolbar = ext.getToolbarModule(params);
  assert.deepEqual(
    toolbar.map((t) => t.name),
    [EVALUATOR],
  );
  assert.deepEqual(toolbar[0]?.evaluate({ viewportId: 'v' }), {
    disabled: true,
    disabledText: 'No viewport',
  });
  const panels = ext.getPanelModule(params);
  assert.equal(panels.length, 1);
  assert.equal(`${EXTENSION_ID}.panelModule.${panels[0]?.name}`, PANEL_ID);
  assert.equal(typeof panels[0]?.component, 'function');
  // without a runtime the panel says so instead of binding to nothing
  const node = panels[0]?.component({}) as { props: unknown } | null;
  assert.ok(node && JSON.stringify(node).includes('not registered'));
});

test('configuration: defaults, checked values, and a wasm path on the app origin only', () => {
  const c = resolveConfiguration(undefined, 'https://pacs.example');
  assert.equal(c.wasmPaths, 'https://pacs.example/tilesr-ort/');
  assert.equal(c.modelId, 'medical-x2');
  assert.equal(c.variant, 'fidelity');
  assert.equal(c.preload, true);
  assert.equal(resolveWasmPaths('/assets/ort', 'https://pacs.example'), 'https://pacs.example/assets/ort/');
  assert.throws(
    () => resolveWasmPaths('https://cdn.jsdelivr.net/npm/onnxruntime-web/dist/', 'https://pacs.example'),
    (e: unknown) => e instanceof TilesrOhifError && e.code === 'WASM_PATH_NOT_SELF_HOSTED',
  );
  assert.throws(
    () => resolveConfiguration({ modelId: 'nope' }, 'https://pacs.example'),
    (e: unknown) => e instanceof TilesrOhifError && e.code === 'BAD_CONFIGURATION',
  );
  assert.throws(() => resolveConfiguration({ tileSize: 3 }, 'https://pacs.example'), TilesrOhifError);
  const d = resolveConfiguration(
    { backend: 'wasm', variant: 'perceptual', preload: false },
    'http://localhost:3000',
  );
  assert.deepEqual([d.backend, d.variant, d.preload], ['wasm', 'perceptual', false]);
});

test('toolbar: the stock tool-group toggle and the per-viewport button', () => {
  assert.deepEqual(toolbarButtons, [enhanceToolButton, enhanceViewportButton]);
  // OHIF's toggleEnabledDisabledToolbar toggles the tool named by the button id
  assert.equal(enhanceToolButton.id, TOOL_NAME);
  assert.equal(enhanceToolButton.uiType, 'ohif.toolButton');
  assert.equal(enhanceToolButton.props.commands, 'toggleEnabledDisabledToolbar');
  assert.equal((enhanceToolButton.props.evaluate as unknown[])[0], 'evaluate.cornerstoneTool.toggle');
  assert.deepEqual(enhanceViewportButton.props.commands, {
    commandName: COMMANDS.toggle,
    context: 'CORNERSTONE',
  });
  assert.equal(enhanceViewportButton.props.evaluate, EVALUATOR);
  for (const b of toolbarButtons) assert.match(b.props.tooltip, /AI-enhanced/);
});

test('mode snippet: dependency, button, tool (disabled until toggled) and right panel, each added once', () => {
  assert.deepEqual(tilesrMode.extensionDependencies, { [EXTENSION_ID]: '^0.1.0' });
  assert.equal(tilesrMode.rightPanel, PANEL_ID);
  assert.deepEqual(tilesrMode.withButton(['Zoom', 'WindowLevel']), ['Zoom', 'WindowLevel', TOOL_NAME]);
  assert.deepEqual(tilesrMode.withButton(['Zoom', TOOL_NAME]), ['Zoom', TOOL_NAME]);
  const tools = { active: [{ toolName: 'WindowLevel' }], disabled: [{ toolName: 'ReferenceLines' }] };
  const withTool = tilesrMode.withTool(tools);
  assert.deepEqual(withTool.disabled, [{ toolName: 'ReferenceLines' }, { toolName: TOOL_NAME }]);
  assert.deepEqual(tilesrMode.withTool(withTool), withTool);
  assert.deepEqual(tools.disabled, [{ toolName: 'ReferenceLines' }], "the mode's list is not modified");
  assert.deepEqual(tilesrMode.withPanel(['seriesList']), ['seriesList', PANEL_ID]);
  assert.deepEqual(tilesrMode.withPanel([PANEL_ID]), [PANEL_ID]);
  assert.deepEqual(tilesrMode.toolbarButtons, toolbarButtons);
});

test('commands report, not throw: no active viewport, a volume viewport', async () => {
  const shown: string[] = [];
  let refreshed = 0;
  const volume = { type: 'orthographic' } as unknown as Types.IViewport;
  const grid: { active?: string } = {};
  const ext = createTilesrExtension({ React });
  await ext.preRegistration({
    servicesManager: {
      services: {
        viewportGridService: { getActiveViewportId: () => grid.active },
        cornerstoneViewportService: { getCornerstoneViewport: (id) => (id === 'mpr' ? volume : undefined) },
        uiNotificationService: { show: ({ message }) => shown.push(message) },
        toolbarService: { refreshToolbarState: () => void refreshed++ },
      },
    },
    commandsManager: params.commandsManager,
    configuration: { preload: false },
  });
  assert.equal(ext.runtime?.config.wasmPaths, 'http://localhost/tilesr-ort/');
  assert.equal(ext.runtime?.preloaded, undefined, 'preload: false starts no session');
  const run = (name: string, o: Record<string, unknown> = {}) =>
    ext.getCommandsModule(params).definitions[name]?.commandFn(o);
  assert.equal(run(COMMANDS.toggle), false);
  assert.match(shown.at(-1) ?? '', /no active viewport/);
  grid.active = 'mpr';
  assert.equal(run(COMMANDS.set, { enabled: true }), false);
  assert.match(
    shown.at(-1) ?? '',
    /viewport mpr is orthographic: AI enhancement works on stack viewports only/,
  );
  // the per-viewport button says why instead of drawing misaligned tiles
  const evaluator = ext.getToolbarModule(params).find((e) => e.name === EVALUATOR);
  const state = evaluator?.evaluate({ viewportId: 'mpr' });
  assert.equal(state?.disabled, true);
  assert.match(state?.disabledText ?? '', /^NOT_A_STACK: .*not on volume\/MPR views yet/);
  assert.equal(run(COMMANDS.toggle, { viewportId: 'gone' }), false);
  assert.match(shown.at(-1) ?? '', /gone is not a Cornerstone3D viewport/);
  assert.equal(ext.runtime?.enhancements.size, 0);
  assert.ok(refreshed > 0, 'the toolbar is re-evaluated after each attempt');
});
