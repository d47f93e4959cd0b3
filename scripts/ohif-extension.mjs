#!/usr/bin/env node
// The runtime-loadable OHIF extension + mode (extensions/ohif/README.md "Add to a deployed OHIF"):
// an esbuild ES-module bundle that a deployed OHIF 3.x app imports by URL (app-config.js
// `extensions: ['/tilesr-ohif/index.js']`, `modes: ['/tilesr-ohif/mode.js']`) without being rebuilt.
// It carries none of the host's libraries: `@cornerstonejs/core` and `/tools` are mapped to the
// instances OHIF puts on `window.cornerstone` / `window.cornerstoneTools`; React is found at run time
// (extensions/ohif/host-entry.ts); importing react, react-dom or any other @cornerstonejs package
// fails the build. onnxruntime-web stays its own file (chunks/ort/), because its proxy worker re-imports
// the module it was loaded from; its .wasm sits beside it for the `wasmPaths` configuration.
// `npm run build` writes dist/ohif/; the real-OHIF test writes build/ohif-extension/.
import { build } from 'esbuild';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const GLOBALS = { '@cornerstonejs/core': 'cornerstone', '@cornerstonejs/tools': 'cornerstoneTools' };
// module workers the code starts with `new Worker(new URL('./x.ts', import.meta.url))`: each is its
// own entry, and the URL in the file that starts it is pointed at the emitted name
const WORKERS = {
  'formats/dicom/worker-client.ts': ['./worker.ts', 'dicom-worker'],
  'formats/geotiff/pool.ts': ['./worker.ts', 'geotiff-worker'],
  'models/backend/webgpu.ts': ['./webgpu.worker.ts', 'webgpu-worker'],
};
const WORKER_SOURCES = {
  'dicom-worker': 'formats/dicom/worker.ts',
  'geotiff-worker': 'formats/geotiff/worker.ts',
  'webgpu-worker': 'models/backend/webgpu.worker.ts',
};

/** The names our sources import from a package (value imports only; `type` ones are erased). */
function importedNames(pkg) {
  const names = new Set();
  const re = new RegExp(`import\\s*\\{([^}]*)\\}\\s*from\\s*'${pkg.replace('/', '\\/')}'`, 'g');
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'node_modules' && e.name !== 'testing') walk(p);
      } else if (p.endsWith('.ts') && !p.endsWith('.test.ts')) {
        for (const m of readFileSync(p, 'utf8').matchAll(re))
          for (const part of m[1].split(',')) {
            const name = part
              .trim()
              .split(/\s+as\s+/)[0]
              ?.trim();
            if (name && !name.startsWith('type ')) names.add(name);
          }
      }
    }
  };
  for (const dir of ['core', 'formats', 'models', 'plugin', 'extensions/ohif']) walk(join(root, dir));
  return [...names].sort();
}

/** esbuild plugin: host globals for Cornerstone3D, refusals for what must stay the host's. */
function hostLibraries() {
  return {
    name: 'ohif-host-libraries',
    setup(b) {
      b.onResolve({ filter: /^@cornerstonejs\/(core|tools)$/ }, (a) => ({ path: a.path, namespace: 'host' }));
      b.onLoad({ filter: /.*/, namespace: 'host' }, (a) => {
        const g = GLOBALS[a.path];
        const names = importedNames(a.path);
        // read when the chunk is evaluated: host-entry.ts checked the globals before importing it
        const lines = [`const m = globalThis.${g} ?? {};`, 'export default m;'];
        for (const n of names) lines.push(`export const ${n} = m.${n};`);
        return { contents: lines.join('\n'), loader: 'js' };
      });
      b.onResolve(
        {
          filter:
            /^(react|react-dom)(\/.*)?$|^@cornerstonejs\/(core|tools)\/|^@cornerstonejs\/dicom-image-loader/,
        },
        (a) => ({
          errors: [
            {
              text: `${a.path} is the host's: the OHIF bundle must not include it (imported by ${relative(root, a.importer)})`,
            },
          ],
        }),
      );
      b.onResolve({ filter: /^onnxruntime-web\/wasm$/ }, () => ({
        path: './ort/ort.wasm.bundle.min.mjs',
        external: true,
      }));
      // Node-only branches (emscripten codecs' `require('fs')`, the Node backend): never run here
      b.onResolve(
        {
          filter:
            /^(onnxruntime-node|node:.*|fs|path|crypto|url|module|os|util|worker_threads|child_process|perf_hooks|zlib|stream)(\/.*)?$/,
        },
        (a) => ({ path: a.path, external: true }),
      );
      b.onLoad({ filter: /\.ts$/ }, (a) => {
        const rel = relative(root, a.path);
        const w = WORKERS[rel];
        if (!w) return undefined;
        const text = readFileSync(a.path, 'utf8');
        const from = `new URL('${w[0]}', import.meta.url)`;
        if (!text.includes(from)) throw new Error(`${rel}: ${from} not found (worker pattern changed?)`);
        return { contents: text.replace(from, `new URL('./${w[1]}.js', import.meta.url)`), loader: 'ts' };
      });
    },
  };
}

/** Builds the extension, the mode, the workers, and copies weights and onnxruntime-web into outDir. */
export async function buildOhifExtension(outDir) {
  rmSync(outDir, { recursive: true, force: true });
  const common = {
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    conditions: ['browser', 'production'],
    outdir: outDir,
    sourcemap: true,
    minify: true,
    legalComments: 'linked',
    logLevel: 'warning',
    plugins: [hostLibraries()],
    loader: { '.wasm': 'file' },
  };
  await build({
    ...common,
    splitting: true,
    entryPoints: {
      index: join(root, 'extensions/ohif/host-entry.ts'),
      mode: join(root, 'extensions/ohif/mode.ts'),
    },
    chunkNames: 'chunks/[name]-[hash]',
  });
  // workers: self-contained (a worker has no access to the page's globals)
  await build({
    ...common,
    entryPoints: Object.fromEntries(Object.entries(WORKER_SOURCES).map(([k, v]) => [k, join(root, v)])),
  });
  // next to the chunks: the external './ort/…' import above is relative to the chunk holding it
  for (const entry of ['index.js', 'mode.js'])
    if (readFileSync(join(outDir, entry), 'utf8').includes('./ort/'))
      throw new Error(`${entry} imports onnxruntime-web directly: it must stay in a chunk`);
  const ortDist = join(root, 'node_modules/onnxruntime-web/dist');
  mkdirSync(join(outDir, 'chunks/ort'), { recursive: true });
  for (const name of readdirSync(ortDist).filter((n) =>
    /^ort\.wasm\.bundle\.min\.mjs$|^ort-wasm-simd-threaded(\.asyncify)?\.wasm$/.test(n),
  ))
    cpSync(join(ortDist, name), join(outDir, 'chunks/ort', name));
  // models/registry.ts resolves './weights/' next to the chunk that holds it (outDir/chunks/)
  const weights = join(root, 'models/weights');
  mkdirSync(join(outDir, 'chunks/weights'), { recursive: true });
  for (const name of readdirSync(weights).filter((n) => /\.(onnx|json)$/.test(n)))
    cpSync(join(weights, name), join(outDir, 'chunks/weights', name));
  writeFileSync(
    join(outDir, 'README.txt'),
    'tilesr OHIF extension (index.js) and mode (mode.js): see extensions/ohif/README.md, "Add to a deployed OHIF".\n',
  );
  return outDir;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1])
  await buildOhifExtension(process.argv[2] ?? join(root, 'build/ohif-extension'));
