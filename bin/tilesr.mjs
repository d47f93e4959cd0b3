#!/usr/bin/env node
// Entry point of the `tilesr` CLI. Installed, it runs the compiled dist/cli/main.js (plain Node, no
// TypeScript loader). In a checkout (cli/main.ts present) it runs the sources through tsx, a dev
// dependency, so `npm run cli` always reflects the working tree rather than a stale build.
import { existsSync } from 'node:fs';

const source = new URL('../cli/main.ts', import.meta.url);
let main;
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import(source.href));
} else {
  ({ main } = await import('../dist/cli/main.js'));
}
process.exitCode = await main(process.argv.slice(2));
