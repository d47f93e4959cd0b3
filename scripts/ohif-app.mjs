#!/usr/bin/env node
// The real, prebuilt OHIF Viewer for the tests of extensions/ohif: `@ohif/app` 3.13.2 from the npm
// registry (its tarball holds the complete production app in dist/), fetched with npm's own client
// (`npm pack`), checked against the pinned sha512 below before anything is unpacked, and unpacked
// (dist/ only) into build/ohif-app. Nothing else is downloaded; a second run finds the app in place
// and does nothing. `node scripts/ohif-app.mjs` runs it; tests import ensureOhifApp().
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The pinned app: `npm view @ohif/app@3.13.2 dist.integrity`. */
export const OHIF_APP = {
  name: '@ohif/app',
  version: '3.13.2',
  integrity:
    'sha512-WZdxmpmG7rqFgW9ZJLcbgr3XCtLi1KDNPoMaeY5PPe6j4G4fjEjjkycZM6C6Zk2F87BKxFfpq+jd5xXZB9E8EA==',
};

/** Where the app's dist/ is unpacked (gitignored with build/). */
export const OHIF_APP_DIR = join(root, 'build/ohif-app');
const STAMP = join(OHIF_APP_DIR, '.tilesr-ohif-app.json');

function run(cmd, args, cwd) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0)
    throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr.slice(-2000)}`);
  return r.stdout;
}

/** The SRI string (sha512-<base64>) of a file, as npm's `dist.integrity` gives it. */
export function integrityOf(file) {
  return `sha512-${createHash('sha512').update(readFileSync(file)).digest('base64')}`;
}

/**
 * Makes sure build/ohif-app holds the pinned app's dist/ and returns that directory. Throws when
 * the tarball's integrity is not the pinned one (nothing is unpacked then).
 */
export function ensureOhifApp({ log = (m) => console.error(m) } = {}) {
  if (existsSync(STAMP) && JSON.parse(readFileSync(STAMP, 'utf8')).integrity === OHIF_APP.integrity)
    return OHIF_APP_DIR;
  const packDir = join(root, 'build/ohif-pack');
  mkdirSync(packDir, { recursive: true });
  const spec = `${OHIF_APP.name}@${OHIF_APP.version}`;
  log(`ohif-app: npm pack ${spec} (about 50 MB, once)`);
  const out = JSON.parse(
    run('npm', ['pack', spec, '--pack-destination', packDir, '--json', '--no-audit', '--no-fund'], root),
  );
  const tgz = join(packDir, out[0].filename);
  const got = integrityOf(tgz);
  if (got !== OHIF_APP.integrity) {
    rmSync(tgz, { force: true });
    throw new Error(`ohif-app: ${spec} integrity ${got} is not the pinned ${OHIF_APP.integrity}`);
  }
  // unpack next to the target and move it in place, so an interrupted run leaves no half app
  const tmp = `${OHIF_APP_DIR}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  run('tar', ['xzf', tgz, '-C', tmp, '--strip-components=2', 'package/dist'], root);
  if (!existsSync(join(tmp, 'index.html'))) throw new Error(`ohif-app: ${spec} has no dist/index.html`);
  writeFileSync(join(tmp, '.tilesr-ohif-app.json'), JSON.stringify({ ...OHIF_APP }, null, 2));
  rmSync(OHIF_APP_DIR, { recursive: true, force: true });
  renameSync(tmp, OHIF_APP_DIR);
  rmSync(tgz, { force: true });
  log(`ohif-app: ${spec} unpacked in ${OHIF_APP_DIR}`);
  return OHIF_APP_DIR;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) ensureOhifApp();
