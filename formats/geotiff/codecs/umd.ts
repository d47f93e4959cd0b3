/**
 * Imports a UMD/CommonJS package from ESM in any realm. Node's loader gives CJS modules a
 * `default` export; a browser dev server serving the UMD file as an ES module runs its wrapper with
 * `this === undefined`, which throws, so we lend it CommonJS globals for the first evaluation.
 */

interface CjsGlobals {
  module?: unknown;
  exports?: unknown;
  require?: unknown;
}

/** Evaluates the package once and returns its exports. */
export async function loadUmd<T>(importer: () => Promise<unknown>): Promise<T> {
  const g = globalThis as CjsGlobals;
  const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';
  if (isNode) {
    const m = (await importer()) as { default?: T } & T;
    return m.default ?? m;
  }
  const saved = { module: g.module, exports: g.exports, require: g.require };
  const shim = { exports: {} as Record<string, unknown> };
  g.module = shim;
  g.exports = shim.exports;
  g.require = () => ({});
  try {
    const m = (await importer()) as { default?: T } & T;
    const fromShim = shim.exports as T & Record<string, unknown>;
    return Object.keys(fromShim).length > 0 ? fromShim : (m.default ?? m);
  } finally {
    g.module = saved.module;
    g.exports = saved.exports;
    g.require = saved.require;
  }
}
