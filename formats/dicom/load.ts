/**
 * Loads the CommonJS/UMD packages DICOM decoding needs (dicom-parser, the emscripten codecs) in
 * Node and in browsers/workers. Node imports them from node_modules; a browser fetches the script
 * from `packageBaseUrl` and evaluates it with a CommonJS shim, because those packages ship no ES
 * module build the browser could import directly (bundlers handle CommonJS themselves and may
 * call `setPackageBaseUrl` to point at their copied assets).
 */
import { FormatError } from '../errors.ts';

/** True in Node (tsx or plain), false in browsers and workers. */
export const isNode: boolean =
  typeof process !== 'undefined' && typeof process.versions === 'object' && !!process.versions.node;

// formats/dicom/ -> repository root -> node_modules/ (the dev server serves the repo root)
let packageBaseUrl = new URL('../../node_modules/', import.meta.url).href;

/** Where a browser fetches package files from (a URL ending in '/'). */
export function setPackageBaseUrl(url: string): void {
  packageBaseUrl = url.endsWith('/') ? url : `${url}/`;
}

/** URL of a file inside an installed package, for browsers. */
export function packageFileUrl(pkgPath: string): string {
  return new URL(pkgPath, packageBaseUrl).href;
}

const cache = new Map<string, Promise<unknown>>();

/**
 * The `module.exports` of a package file: `nodeSpecifier` (an exports subpath) in Node,
 * `pkgPath` (a path below node_modules) in browsers. Loaded once, then shared.
 */
export function loadPackage(nodeSpecifier: string, pkgPath: string): Promise<unknown> {
  const key = isNode ? nodeSpecifier : pkgPath;
  let p = cache.get(key);
  if (!p) {
    p = (isNode ? importNode(nodeSpecifier) : evaluateCommonJs(packageFileUrl(pkgPath))).catch(
      (err: unknown) => {
        cache.delete(key); // a failed load may succeed later (e.g. network back)
        throw new FormatError('IO_ERROR', `cannot load ${key}: ${(err as Error).message}`, { cause: err });
      },
    );
    cache.set(key, p);
  }
  return p;
}

async function importNode(specifier: string): Promise<unknown> {
  const mod = (await import(/* @vite-ignore */ specifier)) as { default?: unknown };
  return mod.default ?? mod;
}

/** Fetches a CommonJS/UMD script and runs it with `module`, `exports` and a stub `require`. */
async function evaluateCommonJs(url: string): Promise<unknown> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${url} answered ${res.status}`);
  const text = await res.text();
  const module: { exports: unknown } = { exports: {} };
  // Node built-ins (zlib, fs, path) are only required on Node code paths: an empty object will do.
  const requireStub = (): unknown => ({});
  const run = new Function('module', 'exports', 'require', `${text}\n//# sourceURL=${url}`) as (
    m: unknown,
    e: unknown,
    r: unknown,
  ) => void;
  run.call(globalThis, module, module.exports, requireStub);
  return module.exports;
}
