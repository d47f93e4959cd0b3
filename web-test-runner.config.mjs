// Browser tests run in Debian's Chromium (never a downloaded browser) through Playwright's launcher.
// Pages are cross-origin isolated (COOP/COEP) so onnxruntime-web can use threads, and WebGPU is
// exposed on Chromium's software adapter with --enable-unsafe-webgpu.
import { defaultReporter } from '@web/test-runner';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { playwrightLauncher } from '@web/test-runner-playwright';
import { nodeDecodePlugin } from './test/node-decode.plugin.mjs';
import { nodeInferPlugin } from './models/testing/node-infer.plugin.mjs';
import { exportCheckPlugin } from './test/export-check.plugin.mjs';
import { olCogServerPlugin } from './plugin/viewer/openlayers/testing/cog-server.plugin.mjs';
import { writeFileSync, mkdirSync } from 'node:fs';
import { register } from 'tsx/esm/api';

// One dev-server and Chromium setup for tests, the demo and the benchmarks (scripts/repo-server.ts)
register();
const { CHROMIUM, CHROMIUM_ARGS, isolate, nodeBuiltinStubs } = await import('./scripts/repo-server.ts');
const { cjsShims } = await import('./scripts/cjs-shims.ts');

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

export default {
  files: [
    '{formats,dicomweb,models,validation,plugin,extensions,demo,test}/**/*.browser.test.ts',
    'plugin/components/**/*.test.ts',
  ],
  nodeResolve: { exportConditions: ['browser', 'production'] },
  concurrency: 1,
  testsFinishTimeout: 600_000,
  testFramework: { config: { timeout: 120_000 } },
  browserStartTimeout: 60_000,
  plugins: [
    nodeBuiltinStubs(),
    cjsShims(),
    nodeDecodePlugin(),
    (await import('./test/fuzz-corpus.plugin.mjs')).fuzzCorpusPlugin(),
    nodeInferPlugin(),
    exportCheckPlugin(),
    olCogServerPlugin(),
    esbuildPlugin({ ts: true, target: 'es2022', tsconfig: 'tsconfig.json' }),
  ],
  middleware: [isolate],
  browsers: [
    playwrightLauncher({
      product: 'chromium',
      launchOptions: { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS },
    }),
  ],
  reporters: [defaultReporter(), countingReporter()],
};
