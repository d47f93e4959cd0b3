/**
 * The runtime entry's host check (host-entry.ts), on stand-in globals: what is found where, and
 * the typed failure naming what is missing. The real OHIF app is ohif-app.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { errorCode } from '../../core/errors.ts';
import { checkHost, createHostExtension, hostReact } from './host-entry.ts';

const react = {
  createElement: () => ({}),
  useEffect: () => {},
  useRef: () => ({ current: null }),
  useState: () => [0, () => {}],
};
const core = {
  Enums: {},
  imageLoader: {},
  metaData: {},
  cache: {},
  utilities: {},
  getShouldUseCPURendering: () => false,
};
const tools = { BaseTool: class {}, addTool: () => {}, ToolGroupManager: {} };

/** A bundle's chunk array whose runtime callback gets a require over these factories. */
function chunkArray(factories: Record<string, () => unknown>, exportsOf: Record<string, unknown>) {
  const req = Object.assign((id: string) => exportsOf[id], { m: factories });
  return { push: (chunk: [unknown, unknown, (r: typeof req) => void]) => chunk[2](req) };
}

describe('host-entry', () => {
  it('finds React on window, else in an rspack registry by its own module', () => {
    assert.equal(hostReact({ React: react }), react);
    const factories = {
      1: function uses() {
        return 'exports.createElement = React.createElement';
      },
      2: function reactModule() {
        return 'exports.useState=function(){};exports.createElement=function(){}';
      },
    };
    assert.equal(hostReact({ rspackChunk: chunkArray(factories, { 1: {}, 2: react }) }), react);
    assert.equal(hostReact({}), undefined);
  });

  it('HOST_INCOMPATIBLE names each missing library', () => {
    assert.equal(checkHost({ React: react, cornerstone: core, cornerstoneTools: tools }).tools, tools);
    try {
      checkHost({ React: react, cornerstone: core });
      assert.fail('accepted a host without cornerstoneTools');
    } catch (e) {
      assert.equal(errorCode(e), 'HOST_INCOMPATIBLE');
      assert.match((e as Error).message, /window\.cornerstoneTools/);
      assert.doesNotMatch((e as Error).message, /window\.cornerstone \(/);
    }
  });

  it('a failed host check is reported, and the placeholders show it', async () => {
    const shown: string[] = [];
    const ext = createHostExtension(() => checkHost({}));
    const errors: unknown[] = [];
    const log = console.error;
    console.error = (...a: unknown[]) => void errors.push(a[0]);
    try {
      await ext.preRegistration({
        servicesManager: { services: { uiNotificationService: { show: (o) => void shown.push(o.message) } } },
        commandsManager: { runCommand: () => undefined },
      });
    } finally {
      console.error = log;
    }
    assert.equal(errorCode(ext.error), 'HOST_INCOMPATIBLE');
    assert.match(String(errors[0]), /^tilesr HOST_INCOMPATIBLE: /);
    assert.match(shown[0] ?? '', /^tilesr HOST_INCOMPATIBLE: /);
    const params = { servicesManager: { services: {} }, commandsManager: { runCommand: () => undefined } };
    const panel = ext.getPanelModule(params)[0];
    assert.match(String(panel?.component({})), /HOST_INCOMPATIBLE/);
    const evaluator = ext.getToolbarModule(params)[0];
    assert.deepEqual(evaluator?.evaluate({ viewportId: 'v' }).disabled, true);
    assert.deepEqual(ext.getCommandsModule(params).actions, {});
  });
});
