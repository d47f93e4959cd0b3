// The committed custom-elements manifest and docs/components.md must match the components: they are
// regenerated into build/ by scripts/docs.mjs (the same code `npm run docs` runs) and compared.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

const OUT = join('build', 'docs-check');

test('custom-elements.json and docs/components.md are up to date (run `npm run docs`)', () => {
  rmSync(OUT, { recursive: true, force: true });
  const r = spawnSync(process.execPath, ['scripts/docs.mjs', '--out', OUT], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  for (const file of ['custom-elements.json', join('docs', 'components.md')]) {
    const fresh = readFileSync(join(OUT, file), 'utf8');
    assert.equal(readFileSync(file, 'utf8'), fresh, `${file} is stale: run \`npm run docs\` and commit it`);
  }
  const manifest = JSON.parse(readFileSync('custom-elements.json', 'utf8')) as {
    modules: Array<{ declarations?: Array<{ tagName?: string }> }>;
  };
  const tags = manifest.modules.flatMap((m) => (m.declarations ?? []).map((d) => d.tagName)).filter(Boolean);
  for (const tag of ['sr-enhance-control', 'sr-progress', 'sr-provenance', 'sr-report'])
    assert.ok(tags.includes(tag), `${tag} missing from the manifest`);
});
