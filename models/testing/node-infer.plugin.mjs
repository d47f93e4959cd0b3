// A @web/test-runner plugin giving browser tests onnxruntime-node's output for the same tile, so
// "browser backends agree with Node" is checked live, not against stored numbers.
// Browser side: executeServerCommand('node-infer', { model, variant?, data: number[], width, height })
//   -> { data: number[], width, height, backend } (the SR tile from models/backend/ort-node.ts).
// Register in web-test-runner.config.mjs: plugins: [nodeInferPlugin(), ...].
import { resolve } from 'node:path';
import { register } from 'tsx/esm/api';

const sessions = new Map();
let modules;

async function load() {
  if (!modules) {
    register();
    modules = {
      registry: await import(resolve('models/registry.ts')),
      node: await import(resolve('models/backend/ort-node.ts')),
    };
  }
  return modules;
}

/** The plugin object for web-test-runner.config.mjs. */
export function nodeInferPlugin() {
  return {
    name: 'node-infer',
    async executeCommand({ command, payload }) {
      if (command !== 'node-infer') return undefined;
      const { registry, node } = await load();
      const entry = registry.getModel(payload.model, payload.variant ?? 'fidelity');
      if (!sessions.has(entry.key))
        sessions.set(entry.key, node.createNodeCpuBackend().createSession(await registry.loadModel(entry)));
      const session = await sessions.get(entry.key);
      const out = await session.run({
        data: Float32Array.from(payload.data),
        width: payload.width,
        height: payload.height,
      });
      return { data: Array.from(out.data), width: out.width, height: out.height, backend: out.backend };
    },
    async serverStop() {
      for (const s of sessions.values()) await (await s).dispose();
      sessions.clear();
    },
  };
}
