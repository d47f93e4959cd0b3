/**
 * The one dev-server and Chromium setup shared by the demo (`npm run demo`), the screenshot script
 * the browser benchmarks and web-test-runner.config.mjs: @web/dev-server serving the repository root on 127.0.0.1 with
 * TypeScript through esbuild, browser export conditions, stubs for Node built-ins some browser
 * packages import, and COOP/COEP so pages are cross-origin isolated (onnxruntime-web threads).
 * Optionally a Content-Security-Policy on every response, with violations reported back to the
 * server (demo/csp.test.ts). Nothing is fetched from outside localhost.
 */
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { startDevServer } from '@web/dev-server';
import type { Middleware, Plugin } from '@web/dev-server-core';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { cjsShims } from './cjs-shims.ts';
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

/**
 * cbor-x (CBOR for C2PA in plugin/export, through @trustnxt/c2pa-ts) probes for eval with
 * `new Function('')` when it loads; under a CSP without 'unsafe-eval' the probe fails as intended
 * (it then never generates code) but still files a violation report. Its own no-eval build makes
 * exactly this replacement; bundled apps alias `cbor-x` to `cbor-x/index-no-eval` instead.
 */
export function cborNoEval(): Plugin {
  return {
    name: 'cbor-x-no-eval',
    transform(context) {
      if (!/\/node_modules\/cbor-x\/decode\.js$/.test(context.path) || typeof context.body !== 'string')
        return undefined;
      return { body: context.body.replace("new Function('')", "BlockedFunction('')") };
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

/**
 * The strict policy a hospital or agency page may impose, which the demo and the components work
 * under (README "Content-Security-Policy"): no 'unsafe-eval' and no 'unsafe-inline'; only
 * 'wasm-unsafe-eval' so WebAssembly can be compiled. Workers need only 'self': every worker
 * (ours and onnxruntime-web's) is a module script from the page's origin, none a blob:.
 */
export const STRICT_CSP =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; " +
  "connect-src 'self'; img-src 'self' blob: data:; style-src 'self'";

/** Where `csp` middleware has browsers POST their violation reports. */
export const CSP_REPORT_PATH = '/__csp-report';

/**
 * Sends `policy` on every response with `report-uri` pointing at CSP_REPORT_PATH, and answers the
 * reports posted there by handing their JSON to `onReport`. Reports are what catch violations
 * inside workers, whose `securitypolicyviolation` events never reach the page. Only report-uri:
 * with `report-to` present Chromium ignores report-uri and batches reports for up to a minute.
 */
export function cspMiddleware(policy: string, onReport: (report: unknown) => void): Middleware {
  const header = `${policy}; report-uri ${CSP_REPORT_PATH}`;
  return async (ctx, next) => {
    if (ctx.path === CSP_REPORT_PATH && ctx.method === 'POST') {
      const chunks: Buffer[] = [];
      for await (const c of ctx.req) chunks.push(c as Buffer);
      const text = Buffer.concat(chunks).toString('utf8');
      try {
        // report-uri posts one {"csp-report": ...} (a Reporting API endpoint would get an array)
        const body = JSON.parse(text) as unknown;
        for (const r of Array.isArray(body) ? body : [body]) onReport(r);
      } catch {
        onReport({ unparsed: text });
      }
      ctx.status = 204;
      return;
    }
    ctx.set('Content-Security-Policy', header);
    return next();
  };
}

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

/** Options for startRepoServer. */
export interface RepoServerOptions {
  /** A Content-Security-Policy for every response (e.g. STRICT_CSP); none by default. */
  csp?: string;
  /** Receives each violation report the browser posts (default: logged on stderr). */
  onCspReport?: (report: unknown) => void;
  /** More middleware, after isolation and CSP (e.g. demo/serve.ts's same-origin DICOMweb proxy). */
  middleware?: Middleware[];
}

/** Serves the repository root on 127.0.0.1: `preferredPort` when free, else any free port (0: any). */
export async function startRepoServer(
  preferredPort = 0,
  options: RepoServerOptions = {},
): Promise<RepoServer> {
  const middleware: Middleware[] = [isolate];
  if (options.csp) {
    const onReport =
      options.onCspReport ?? ((r: unknown) => console.error(`CSP violation: ${JSON.stringify(r)}`));
    middleware.push(cspMiddleware(options.csp, onReport));
  }
  middleware.push(...(options.middleware ?? []));
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
        cjsShims(),
        cborNoEval(),
        esbuildPlugin({ ts: true, target: 'es2022', tsconfig: `${ROOT}/tsconfig.json` }),
      ],
      middleware,
    },
    readCliArgs: false,
    readFileConfig: false,
    autoExitProcess: false,
    logStartMessage: false,
  });
  return { origin: `http://127.0.0.1:${port}`, port, stop: async () => void (await server.stop()) };
}

/** Headless Chromium with CHROMIUM_ARGS. */
export function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [...CHROMIUM_ARGS, ...extraArgs],
  });
}
