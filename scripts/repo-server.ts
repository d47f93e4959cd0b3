/**
 * The one dev-server and Chromium setup shared by the demo (`npm run demo`), the screenshot script
 * the browser benchmarks and web-test-runner.config.mjs: @web/dev-server serving the repository root on 127.0.0.1 with
 * TypeScript through esbuild, browser export conditions, stubs for Node built-ins some browser
 * packages import, and COOP/COEP so pages are cross-origin isolated (onnxruntime-web threads).
 * Nothing is fetched from outside localhost.
 */
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { startDevServer } from '@web/dev-server';
import type { Middleware, Plugin } from '@web/dev-server-core';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { chromium, type Browser } from 'playwright-core';

/** The repository root (what the server serves). */
export const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Debian's Chromium unless CHROMIUM_PATH says otherwise. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Flags for headless runs: WebGPU on the software adapter, no background traffic. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--enable-unsafe-webgpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/**
 * Node built-ins imported by Node-only modules of browser packages (geotiff's file and http
 * sources; their package.json "browser" field maps them to false, which a bundler honours but the
 * dev server's `browser: true` turns into an unservable virtual module): serve an empty module.
 */
export function nodeBuiltinStubs(): Plugin {
  const stubbed = new Set(['fs', 'http', 'https', 'url']);
  return {
    name: 'node-builtin-stubs',
    resolveImport({ source }) {
      return stubbed.has(source) ? '/__node-builtin-stub.js' : undefined;
    },
    serve(ctx) {
      if (ctx.path === '/__node-builtin-stub.js') return { body: 'export default {};', type: 'js' };
      return undefined;
    },
  };
}

/** COOP/COEP/CORP so the page is cross-origin isolated and onnxruntime-web can use threads. */
export const isolate: Middleware = (ctx, next) => {
  ctx.set('Cross-Origin-Opener-Policy', 'same-origin');
  ctx.set('Cross-Origin-Embedder-Policy', 'require-corp');
  ctx.set('Cross-Origin-Resource-Policy', 'same-origin');
  return next();
};

/** Whether `port` can be bound on 127.0.0.1 now. */
function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** A free TCP port on 127.0.0.1. */
export function anyFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** A running server: its origin and how to stop it. */
export interface RepoServer {
  origin: string;
  port: number;
  stop(): Promise<void>;
}

/** Serves the repository root on 127.0.0.1: `preferredPort` when free, else any free port (0: any). */
export async function startRepoServer(preferredPort = 0): Promise<RepoServer> {
  const port = preferredPort > 0 && (await portFree(preferredPort)) ? preferredPort : await anyFreePort();
  const server = await startDevServer({
    config: {
      rootDir: ROOT,
      hostname: '127.0.0.1',
      port,
      watch: false,
      nodeResolve: { exportConditions: ['browser', 'production'] },
      plugins: [
        nodeBuiltinStubs(),
        esbuildPlugin({ ts: true, target: 'es2022', tsconfig: `${ROOT}/tsconfig.json` }),
      ],
      middleware: [isolate],
    },
    readCliArgs: false,
    readFileConfig: false,
    autoExitProcess: false,
    logStartMessage: false,
  });
  return { origin: `http://127.0.0.1:${port}`, port, stop: async () => void (await server.stop()) };
}

/** Headless Chromium with CHROMIUM_ARGS. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}
