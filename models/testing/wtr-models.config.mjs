// The project's web-test-runner config plus the node-infer command, for running the models browser
// tests with the Node cross-check before the shared config registers it:
//   npx web-test-runner --config models/testing/wtr-models.config.mjs --files 'models/**/*.browser.test.ts'
import base from '../../web-test-runner.config.mjs';
import { nodeInferPlugin } from './node-infer.plugin.mjs';

export default {
  ...base,
  plugins: [nodeInferPlugin(), ...(base.plugins ?? [])],
};
