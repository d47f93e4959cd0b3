/**
 * The one place that knows which runtime we are in and how CommonJS/UMD packages are loaded
 * (dicom-parser, the @cornerstonejs emscripten codecs, lerc, xz-decompress; cornerstone-core for
 * plugin/viewer). Everything is loaded with `import()` of a literal specifier — never by evaluating
 * fetched text — so pages with a strict Content-Security-Policy (no 'unsafe-eval') work, and
 * bundlers see every package and apply their own CommonJS interop.
 */

/**
 * True in Node (tsx or plain; Deno and Bun expose process.versions.node too) outside a DOM; false
 * in browsers, workers and DOM-bearing hosts such as an Electron renderer.
 */
export function isNodeRuntime(): boolean {
  const g = globalThis as { process?: { versions?: { node?: unknown } }; document?: unknown };
  return typeof g.process?.versions?.node === 'string' && typeof g.document === 'undefined';
}

// formats/ -> repository root -> node_modules/ (the dev server serves the repository root)
let packageBaseUrl = new URL('../node_modules/', import.meta.url).href;

/**
 * Where a browser fetches package assets that code cannot import (the codecs' .wasm files): a URL
 * ending in '/' under which `<package>/<path>` is served. Apps that copy those files elsewhere
 * (a bundler's asset folder) call this before the first decode.
 */
export function setPackageBaseUrl(url: string): void {
  packageBaseUrl = url.endsWith('/') ? url : `${url}/`;
}

/** URL of a file inside an installed package (`<package>/<path>`), for browsers. */
export function packageFileUrl(pkgPath: string): string {
  return new URL(pkgPath, packageBaseUrl).href;
}

interface CjsGlobals {
  module?: unknown;
  exports?: unknown;
  require?: unknown;
}

const loaded = new Map<string, Promise<unknown>>();
/** Loads that lend globals run one at a time: two at once would write into each other's shim. */
let lending: Promise<unknown> = Promise.resolve();

/**
 * The `module.exports` of a CommonJS/UMD package, loaded once per realm (thread) and shared.
 * `importer` must be `() => import('<literal specifier>')` so bundlers and dev servers resolve it.
 *
 * - Node, and bundlers (their CommonJS interop): the module's `default` export.
 * - A dev server that serves the file untransformed (as an ES module): its UMD wrapper finds no
 *   `module`/`exports` and would write nowhere (or throw on `this`), so CommonJS globals are lent
 *   for the first evaluation and what it assigned to `module.exports` is returned. A stub
 *   `require` answers `{}`: those packages require Node built-ins only on Node code paths.
 *
 * `key` identifies the package in the cache (default: the importer's source, which names it).
 */
export function loadUmd<T>(importer: () => Promise<unknown>, key = importer.toString()): Promise<T> {
  let p = loaded.get(key);
  if (!p) {
    p = isNodeRuntime() ? importer().then(defaultOf) : lendGlobals(importer);
    p.catch(() => loaded.delete(key)); // a failed load (network) may succeed later
    loaded.set(key, p);
  }
  return p as Promise<T>;
}

function defaultOf(m: unknown): unknown {
  return (m as { default?: unknown }).default ?? m;
}

function lendGlobals(importer: () => Promise<unknown>): Promise<unknown> {
  const run = async (): Promise<unknown> => {
    const g = globalThis as CjsGlobals;
    const saved = { module: g.module, exports: g.exports, require: g.require };
    const initial: Record<string, unknown> = {};
    const shim = { exports: initial as unknown };
    g.module = shim;
    g.exports = initial;
    g.require = () => ({});
    try {
      const m = await importer();
      // the UMD wrapper either replaced module.exports or filled the exports object
      if (shim.exports !== initial || Object.keys(initial).length > 0) return shim.exports;
      return defaultOf(m); // an ES module, or transformed by a bundler: it never saw the globals
    } finally {
      g.module = saved.module;
      g.exports = saved.exports;
      g.require = saved.require;
    }
  };
  const p = lending.then(run, run);
  lending = p.catch(() => undefined);
  return p;
}
