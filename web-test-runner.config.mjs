// Browser tests run in Debian's Chromium (never a downloaded browser) through Playwright's launcher.
// Pages are cross-origin isolated (COOP/COEP) so onnxruntime-web can use threads, and WebGPU is
// exposed on Chromium's software adapter with --enable-unsafe-webgpu.
import { defaultReporter } from '@web/test-runner';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { playwrightLauncher } from '@web/test-runner-playwright';
import { nodeDecodePlugin } from './test/node-decode.plugin.mjs';
import { nodeInferPlugin } from './models/testing/node-infer.plugin.mjs';
import { writeFileSync, mkdirSync } from 'node:fs';

const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Records pass/fail/skip counts so scripts/test.mjs can print one summary for all suites. */
function countingReporter() {
  return {
    onTestRunFinished({ sessions }) {
      let passed = 0,
        failed = 0,
        skipped = 0;
      const walk = (suite) => {
        for (const t of suite?.tests ?? []) {
          if (t.skipped) skipped++;
          else if (t.passed) passed++;
          else failed++;
        }
        for (const s of suite?.suites ?? []) walk(s);
      };
      for (const s of sessions) {
        walk(s.testResults);
        // a file that failed to load counts as a failure
        if (!s.passed && (s.errors?.length ?? 0) > 0) failed++;
      }
      mkdirSync('build', { recursive: true });
      writeFileSync('build/browser-test-counts.json', JSON.stringify({ passed, failed, skipped }));
    },
  };
}

/**
 * Node built-ins imported by Node-only modules of browser packages (geotiff's file and http
 * sources; their package.json "browser" field maps them to false, which a bundler honours but the
 * dev server's `browser: true` turns into an unservable virtual module): serve an empty module.
 */
function nodeBuiltinStubs() {
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

export default {
  files: [
    '{formats,models,validation,plugin,demo,test}/**/*.browser.test.ts',
    'plugin/components/**/*.test.ts',
  ],
  nodeResolve: { exportConditions: ['browser', 'production'] },
  concurrency: 1,
  testsFinishTimeout: 600_000,
  testFramework: { config: { timeout: 120_000 } },
  browserStartTimeout: 60_000,
  plugins: [
    nodeBuiltinStubs(),
    nodeDecodePlugin(),
    nodeInferPlugin(),
    esbuildPlugin({ ts: true, target: 'es2022', tsconfig: 'tsconfig.json' }),
  ],
  middleware: [
    function isolate(ctx, next) {
      ctx.set('Cross-Origin-Opener-Policy', 'same-origin');
      ctx.set('Cross-Origin-Embedder-Policy', 'require-corp');
      ctx.set('Cross-Origin-Resource-Policy', 'same-origin');
      return next();
    },
  ],
  browsers: [
    playwrightLauncher({
      product: 'chromium',
      launchOptions: {
        executablePath,
        headless: true,
        args: [
          '--no-sandbox',
          '--enable-unsafe-webgpu',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          '--no-first-run',
        ],
      },
    }),
  ],
  reporters: [defaultReporter(), countingReporter()],
};
