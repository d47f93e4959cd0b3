/**
 * CommonJS-only packages that browser code reaches through ESM imports, served as ES modules by the
 * dev server (bundlers do this interop themselves; @web/dev-server serves files as they are):
 * crc-32 (UMD; @trustnxt/c2pa-ts imports it for PNG C2PA) and jpeg-js (plugin/export/picture.ts).
 * Without them the picture writers cannot load in the demo page or the browser tests.
 */
import type { Plugin } from '@web/dev-server-core';
import { readFile } from 'node:fs/promises';

const CJS_FILES = [
  /\/node_modules\/crc-32\/crc32\.js$/,
  /\/node_modules\/jpeg-js\/(index|lib\/\w+)\.js$/,
  // Cornerstone3D (plugin/viewer/cornerstone3d): vtk.js and core import these CommonJS/UMD packages
  /\/node_modules\/fast-deep-equal\/index\.js$/,
  /\/node_modules\/seedrandom\/(index|seedrandom|lib\/\w+)\.js$/,
  /\/node_modules\/spark-md5\/spark-md5\.js$/,
  /\/node_modules\/loglevel\/lib\/loglevel\.js$/,
  /\/node_modules\/xmlbuilder2\/lib\/xmlbuilder2\.min\.js$/,
];

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

/**
 * Bare imports of CommonJS packages whose importers use NAMED exports (`import { create } from
 * 'xmlbuilder2'` in vtk.js, reached by @cornerstonejs/core): served as a module re-exporting those
 * names from the package's (shimmed) browser build.
 */
const CJS_NAMED: Record<string, { file: string; names: string[] }> = {
  xmlbuilder2: {
    file: '/node_modules/xmlbuilder2/lib/xmlbuilder2.min.js',
    names: ['create', 'fragment', 'convert', 'builder'],
  },
};
const NAMED_PREFIX = '/__cjs-named/';

/**
 * UMD packages that @cornerstonejs/dicom-image-loader (a test-only host loader) imports as ES
 * modules (`import * as dicomParser`, codec factories as default exports). formats/ loads the very
 * same files as UMD scripts through formats/load.ts (codec-libjxl is an ES module already), so they are not transformed in place: only
 * imports FROM the loader are redirected to a module wrapping its own copy of the file.
 */
const LOADER_IMPORTER = /\/node_modules\/@cornerstonejs\/dicom-image-loader\//;
const LOADER_UMD: Record<string, { file: string; names: string[] }> = {
  'dicom-parser': {
    file: 'node_modules/dicom-parser/dist/dicomParser.min.js',
    names: [
      'parseDicom',
      'readPart10Header',
      'explicitDataSetToJS',
      'explicitElementToString',
      'createJPEGBasicOffsetTable',
      'readEncapsulatedPixelDataFromFragments',
      'readEncapsulatedImageFrame',
      'readEncapsulatedPixelData',
      'isStringVr',
      'isPrivateTag',
      'parsePN',
      'parseTM',
      'parseDA',
      'DataSet',
      'ByteStream',
      'sharedCopy',
      'littleEndianByteArrayParser',
      'bigEndianByteArrayParser',
      'version',
    ],
  },
  '@cornerstonejs/codec-charls/decodewasmjs': {
    file: 'node_modules/@cornerstonejs/codec-charls/dist/charlswasm_decode.js',
    names: [],
  },
  '@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs': {
    file: 'node_modules/@cornerstonejs/codec-libjpeg-turbo-8bit/dist/libjpegturbowasm_decode.js',
    names: [],
  },
  '@cornerstonejs/codec-openjpeg/decodewasmjs': {
    file: 'node_modules/@cornerstonejs/codec-openjpeg/dist/openjpegwasm_decode.js',
    names: [],
  },
  '@cornerstonejs/codec-openjph/wasmjs': {
    file: 'node_modules/@cornerstonejs/codec-openjph/dist/openjphjs.js',
    names: [],
  },
};
const LOADER_PREFIX = '/__cjs-loader/';

/** The dev-server plugin serving CJS_FILES through cjsToEsm (and CJS_NAMED's re-export modules). */
export function cjsShims(): Plugin {
  return {
    name: 'cjs-shims',
    resolveImport({ source, context }) {
      if (source in LOADER_UMD && LOADER_IMPORTER.test(context.path))
        return `${LOADER_PREFIX}${encodeURIComponent(source)}.js`;
      return source in CJS_NAMED ? `${NAMED_PREFIX}${source}.js` : undefined;
    },
    async serve(ctx) {
      if (ctx.path.startsWith(LOADER_PREFIX)) {
        const umd = LOADER_UMD[decodeURIComponent(ctx.path.slice(LOADER_PREFIX.length, -'.js'.length))];
        if (!umd) return undefined;
        // `require('zlib')` in dicom-parser's UMD head: deflate is decoded by pako in the loader
        const source = `const require = () => ({});\n${await readFile(umd.file, 'utf8')}`;
        const body = cjsToEsm(source).replace(
          'export default module.exports;',
          [
            'const __m = module.exports;',
            'export default __m;',
            ...umd.names.map((n) => `export const ${n} = __m.${n};`),
          ].join('\n'),
        );
        return { body, type: 'js' };
      }
      if (!ctx.path.startsWith(NAMED_PREFIX)) return undefined;
      const entry = CJS_NAMED[ctx.path.slice(NAMED_PREFIX.length, -'.js'.length)];
      if (!entry) return undefined;
      const body = [
        `import m from '${entry.file}';`,
        ...entry.names.map((n) => `export const ${n} = m.${n};`),
        'export default m;',
        '',
      ].join('\n');
      return { body, type: 'js' };
    },
    transform(context) {
      if (!CJS_FILES.some((re) => re.test(context.path))) return undefined;
      return { body: cjsToEsm(typeof context.body === 'string' ? context.body : String(context.body)) };
    },
  };
}
