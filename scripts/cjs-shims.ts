/**
 * CommonJS-only packages that browser code reaches through ESM imports, served as ES modules by the
 * dev server (bundlers do this interop themselves; @web/dev-server serves files as they are):
 * crc-32 (UMD; @trustnxt/c2pa-ts imports it for PNG C2PA) and jpeg-js (plugin/export/picture.ts).
 * Without them the picture writers cannot load in the demo page or the browser tests.
 */
import type { Plugin } from '@web/dev-server-core';

const CJS_FILES = [/\/node_modules\/crc-32\/crc32\.js$/, /\/node_modules\/jpeg-js\/(index|lib\/\w+)\.js$/];

/**
 * An ES module running a CommonJS file: relative `require('./x')` calls become imports of those
 * (also shimmed) files, `module`/`exports` are module-local, and `module.exports` is the default export.
 */
export function cjsToEsm(source: string): string {
  const imports: string[] = [];
  const body = source.replace(/\brequire\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g, (_, spec: string) => {
    const name = `__cjs${imports.length}`;
    imports.push(`import ${name} from '${/\.[cm]?js$/.test(spec) ? spec : `${spec}.js`}';`);
    return name;
  });
  return [
    ...imports,
    'const module = { exports: {} };',
    'const exports = module.exports;',
    body,
    'export default module.exports;',
    '',
  ].join('\n');
}

/** The dev-server plugin serving CJS_FILES through cjsToEsm. */
export function cjsShims(): Plugin {
  return {
    name: 'cjs-shims',
    transform(context) {
      if (!CJS_FILES.some((re) => re.test(context.path))) return undefined;
      return { body: cjsToEsm(typeof context.body === 'string' ? context.body : String(context.body)) };
    },
  };
}
