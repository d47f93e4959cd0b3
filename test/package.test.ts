// The package as a new user gets it: `npm pack` (prepack builds dist/), the tarball installed into a
// fresh project in os.tmpdir(), then used without anything from this checkout on the resolution path
// of tilesr itself: plain Node imports and runs it (no tsx), tsc type-checks a consumer under both
// `nodenext` and `bundler` resolution, esbuild bundles a page with <sr-viewer> that Chromium opens
// from a plain static server, and `npx tilesr` runs the compiled CLI.
//
// Offline on purpose: the consumer's dependencies are `file:` links to the packages already installed
// here (npm --offline --ignore-scripts), so no registry is needed and this checkout's node_modules is
// never written to; tilesr itself is the real tarball, so its `dependencies`, `exports` and `files`
// are what is tested (a dependency it forgot to declare, such as tsx, would not resolve).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'esbuild';
import { decodeNpy } from '../formats/npy.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DCM = join(ROOT, 'fixtures/dicom/ct128_signed16_explicit_le.dcm');
const TIF = join(ROOT, 'fixtures/geotiff/u8_gray_zstd.tif');
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');

const tmp = mkdtempSync(join(tmpdir(), 'tilesr-package-'));
const app = join(tmp, 'app');
let tarball = '';

/** The environment without npm's per-script variables (an outer `npm test` sets npm_config_*). */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env))
    if (!/^npm_/i.test(k) && k !== 'NODE_OPTIONS' && k !== 'INIT_CWD') env[k] = v;
  return { ...env, ...extra };
}

function sh(cmd: string, args: string[], opts: SpawnSyncOptions = {}): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 180_000, env: cleanEnv(), ...opts });
  const out = `${String(r.stdout ?? '')}\n${String(r.stderr ?? '')}`;
  assert.equal(
    r.status,
    0,
    `${cmd} ${args.join(' ')} failed (${r.status ?? r.signal}):\n${out.slice(-4000)}`,
  );
  return String(r.stdout ?? '');
}

before(() => {
  sh('npm', ['pack', '--pack-destination', tmp], { cwd: ROOT, timeout: 240_000 });
  const name = readdirSync(tmp).find((n) => n.endsWith('.tgz'));
  assert.ok(name, 'npm pack wrote a tarball');
  tarball = join(tmp, name);

  const own = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
  };
  const deps: Record<string, string> = { tilesr: `file:${tarball}` };
  for (const d of Object.keys(own.dependencies)) deps[d] = `file:${join(ROOT, 'node_modules', d)}`;
  mkdirSync(app);
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies: deps }, null, 2),
  );
  // what the README tells users without CUDA to do; --ignore-scripts also keeps npm from running
  // lifecycle scripts inside the linked packages of this checkout
  writeFileSync(join(app, '.npmrc'), 'onnxruntime-node-install=skip\n');
  sh('npm', ['install', '--offline', '--ignore-scripts', '--no-audit', '--no-fund'], {
    cwd: app,
    env: cleanEnv({ ONNXRUNTIME_NODE_INSTALL: 'skip' }),
  });
  copyFileSync(DCM, join(app, 'ct.dcm'));
  copyFileSync(TIF, join(app, 'gray.tif'));
});

after(() => rmSync(tmp, { recursive: true, force: true }));

test('the tarball ships the build, the weights and the CLI, not sources, tests or fixtures', () => {
  const list = sh('tar', ['-tzf', tarball]).split('\n').filter(Boolean);
  const has = (p: string) => list.includes(`package/${p}`);
  for (const p of ['dist/index.js', 'dist/index.d.ts', 'dist/cli/main.js', 'bin/tilesr.mjs'])
    assert.ok(has(p), `ships ${p}`);
  assert.ok(has('dist/models/weights/medical_x2_fidelity.onnx'), 'ships the weights next to the registry');
  assert.ok(
    has('dist/formats/geotiff/worker.js') && has('dist/models/backend/webgpu.worker.js'),
    'ships workers',
  );
  const bad = list.filter((p) =>
    /\.test\.|\/testing\/|^package\/(fixtures|bench|demo|test|scripts|formats|models\/[^R]|plugin|cli|validation)\/|\.ts$/.test(
      p.replace(/\.d\.ts$/, ''),
    ),
  );
  assert.deepEqual(bad, [], 'nothing but dist/, bin/ and docs ships');
  const mb = statSync(tarball).size / 2 ** 20;
  console.log(`tarball ${mb.toFixed(1)} MB, ${list.length} files`);
  assert.ok(mb < 45, `tarball ${mb.toFixed(1)} MB`);
});

test('plain Node imports tilesr, decodes a DICOM and enhances a window with the packaged weights', () => {
  writeFileSync(
    join(app, 'run.mjs'),
    `import { fileURLToPath } from 'node:url';
import { openRaster, enhanceRaster, getModel, listModels } from 'tilesr';
import { psnr } from 'tilesr/validation';
let tsx = 'absent';
try { import.meta.resolve('tsx'); tsx = 'present'; } catch {}
const entry = getModel('medical-x2');
const source = await openRaster(fileURLToPath(new URL('./ct.dcm', import.meta.url)));
const raster = await source.read({ window: { x: 40, y: 40, width: 32, height: 32 } });
const result = await enhanceRaster(raster, { modelId: 'medical-x2', backend: 'node-cpu' });
await source.close();
console.log(JSON.stringify({
  tsx, models: listModels().length, onnxUrl: entry.onnxUrl, info: source.info.width + 'x' + source.info.height,
  out: [result.width, result.height, result.data.length], finite: result.data.every(Number.isFinite),
  backends: Object.keys(result.provenance.backends), psnrFn: typeof psnr,
}));
`,
  );
  // no loader flags: Node runs the compiled JavaScript as a consumer would
  const out = JSON.parse(
    sh(process.execPath, ['run.mjs'], { cwd: app }).trim().split('\n').pop() ?? '{}',
  ) as {
    tsx: string;
    models: number;
    onnxUrl: string;
    info: string;
    out: number[];
    finite: boolean;
    psnrFn: string;
  };
  assert.equal(out.tsx, 'absent', 'tsx is not installed for the consumer');
  assert.ok(out.onnxUrl.includes('/node_modules/tilesr/dist/models/weights/'), out.onnxUrl);
  assert.equal(out.models, 8);
  assert.equal(out.info, '128x128');
  assert.deepEqual(out.out, [64, 64, 64 * 64]);
  assert.ok(out.finite);
  assert.equal(out.psnrFn, 'function');
});

const CONSUMER_TS = `import { openRaster, enhanceRaster, listModels, type EnhanceResult, type RasterSource } from 'tilesr';
import { getModel, setModelBaseUrl, type ModelEntry } from 'tilesr/models';
import { FormatError, type Raster } from 'tilesr/formats';
import { compare, type PairMetrics } from 'tilesr/validation';
import { planTiles, TileCache } from 'tilesr/pipeline';
import { formatForPath, getWriter } from 'tilesr/export';
import { SrViewer } from 'tilesr/components';
import { registerLoader, loadCornerstone } from 'tilesr/viewer/cornerstone';
import pkg from 'tilesr/package.json' with { type: 'json' };

export async function job(url: string): Promise<EnhanceResult> {
  const source: RasterSource = await openRaster(url);
  const raster: Raster = await source.read({ frame: 0 });
  const entry: ModelEntry = getModel('medical-x2', 'fidelity');
  setModelBaseUrl('/weights/');
  // @ts-expect-error modelId is a string: the types are real, not any
  await enhanceRaster(raster, { modelId: 2 });
  return enhanceRaster(raster, { modelId: entry.id, backend: 'auto', onProgress: (p) => p.done / p.total });
}
export const facts: [number, string, typeof FormatError, typeof TileCache, string, string] = [
  listModels().length, formatForPath('x.dcm'), FormatError, TileCache, pkg.name, typeof planTiles,
];
export const viewer: SrViewer | undefined = document.querySelector('sr-viewer') ?? undefined;
export const tagMap: HTMLElementTagNameMap['sr-viewer'] | null = null;
export type M = PairMetrics | ReturnType<typeof compare> | Awaited<ReturnType<typeof getWriter>>;
export const cs = [registerLoader, loadCornerstone] as const;
`;

for (const resolution of ['nodenext', 'bundler'] as const) {
  test(`tsc type-checks a consumer with moduleResolution ${resolution}`, () => {
    const dir = join(app, `ts-${resolution}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'consumer.ts'), CONSUMER_TS);
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: resolution === 'nodenext' ? 'NodeNext' : 'ESNext',
          moduleResolution: resolution,
          lib: ['ES2023', 'DOM', 'DOM.Iterable'],
          strict: true,
          noEmit: true,
          resolveJsonModule: true,
          // the consumer has no @types/node of its own: borrow this checkout's for the Node parts
          typeRoots: [join(ROOT, 'node_modules/@types')],
          types: ['node'],
          skipLibCheck: true,
        },
        files: ['consumer.ts'],
      }),
    );
    sh(process.execPath, [TSC, '-p', dir], { cwd: dir });
  });
}

/** A static server for `dir` with the headers the README asks for (cross-origin isolation). */
function staticServer(dir: string): Promise<{ server: Server; url: string }> {
  const types: Record<string, string> = {
    '.html': 'text/html',
    '.js': 'text/javascript',
    '.mjs': 'text/javascript',
    '.wasm': 'application/wasm',
    '.tif': 'image/tiff',
    '.onnx': 'application/octet-stream',
  };
  const server = createServer((req, res) => {
    const path = normalize(join(dir, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)));
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
    if (!path.startsWith(dir + sep) || !existsSync(path) || !statSync(path).isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': types[extname(path)] ?? 'application/octet-stream' });
    res.end(readFileSync(path));
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const addr = server.address();
      resolve({ server, url: `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}` });
    }),
  );
}

/**
 * The emscripten codecs `require('fs')`, `'path'`, `'worker_threads'` on their Node path only; a
 * browser bundle gets empty modules for them (README "Install and bundle").
 */
const emptyNodeBuiltins: Plugin = {
  name: 'empty-node-builtins',
  setup(build) {
    build.onResolve({ filter: /^(fs|path|worker_threads)$/ }, (a) => ({ path: a.path, namespace: 'empty' }));
    build.onLoad({ filter: /.*/, namespace: 'empty' }, () => ({ contents: 'export default {};' }));
  },
};

test(
  'esbuild bundles a page with <sr-viewer>; Chromium opens a GeoTIFF from the bundle',
  { timeout: 180_000 },
  async () => {
    const www = join(app, 'www');
    mkdirSync(www, { recursive: true });
    writeFileSync(join(app, 'page.js'), `import 'tilesr/components';\n`);
    writeFileSync(
      join(www, 'index.html'),
      `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><script type="module" src="page.js"></script>
<sr-viewer id="v" src="gray.tif" style="display:block;width:256px;height:256px"></sr-viewer>\n`,
    );
    copyFileSync(TIF, join(www, 'gray.tif'));
    const esbuild = await import('esbuild');
    const pkg = join(app, 'node_modules/tilesr/dist');
    await esbuild.build({
      absWorkingDir: app,
      entryPoints: {
        page: join(app, 'page.js'),
        // esbuild leaves `new URL('./worker.js', import.meta.url)` alone: the decoder worker is built
        // as its own entry beside the page bundle, where that URL points (README "Install and bundle")
        worker: join(pkg, 'formats/geotiff/worker.js'),
      },
      outdir: www,
      bundle: true,
      format: 'esm',
      platform: 'browser',
      conditions: ['browser', 'production'],
      external: ['node:*'],
      plugins: [emptyNodeBuiltins],
      logLevel: 'error',
    });
    const { server, url } = await staticServer(www);
    const { launchChromium } = await import('../scripts/repo-server.ts');
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      page.on('requestfailed', (r) => errors.push(`${r.url()}: ${r.failure()?.errorText ?? 'failed'}`));
      await page.goto(`${url}/index.html`);
      const result = await page.evaluate(async () => {
        const timeout = new Promise<string>((r) => setTimeout(() => r('timed out'), 30_000));
        if ((await Promise.race([customElements.whenDefined('sr-viewer'), timeout])) === 'timed out')
          return {
            defined: false,
            isolated: crossOriginIsolated,
            outcome: 'sr-viewer never defined',
            size: null,
          };
        const v = document.getElementById('v') as HTMLElement & {
          loaded: Promise<void>;
          info?: { width: number; height: number };
        };
        const failed = new Promise<string>((r) =>
          v.addEventListener('sr-error', (e) => r(JSON.stringify((e as CustomEvent).detail))),
        );
        const outcome = await Promise.race([v.loaded.then(() => 'loaded'), failed, timeout]);
        return {
          defined: [
            'sr-viewer',
            'sr-compare',
            'sr-enhance-control',
            'sr-progress',
            'sr-provenance',
            'sr-report',
          ].every((t) => customElements.get(t) !== undefined),
          isolated: crossOriginIsolated,
          outcome,
          size: v.info ? `${v.info.width}x${v.info.height}` : null,
        };
      });
      assert.deepEqual({ errors, outcome: result.outcome }, { errors: [], outcome: 'loaded' });
      assert.equal(result.defined, true, 'every sr-* element registered');
      assert.equal(result.isolated, true);
      assert.equal(result.outcome, 'loaded');
      assert.ok(result.size, 'the viewer reports the opened image');
    } finally {
      await browser.close();
      server.close();
    }
  },
);

test('npx tilesr runs the compiled CLI from the installed package', () => {
  const help = sh('npx', ['--offline', 'tilesr', '--help'], { cwd: app });
  assert.match(help, /usage: tilesr/);
  sh(
    'npx',
    [
      '--offline',
      'tilesr',
      'enhance',
      'ct.dcm',
      '--model',
      'medical-x2',
      '--window',
      '0,0,32,32',
      '--out',
      'x.npy',
    ],
    { cwd: app },
  );
  const arr = decodeNpy(new Uint8Array(readFileSync(join(app, 'x.npy'))));
  assert.deepEqual(arr.shape, [64, 64]);
});
