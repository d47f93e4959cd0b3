// The project's dependency rules, checked on the source: formats/ and validation/ import nothing
// from the rest of the project; models/ imports formats/ at most; only models/backend/* imports
// onnxruntime; only plugin/viewer/* imports a viewer. Test files and test helpers may cross layers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      if (name !== 'testing' && name !== 'node_modules') sources(p, out);
    } else if (/\.(ts|mjs)$/.test(name) && !/\.test\.ts$/.test(name)) out.push(p);
  }
  return out;
}

/** Every module specifier a file imports (static and dynamic). */
function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs: string[] = [];
  for (const m of text.matchAll(
    /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g,
  ))
    specs.push((m[1] ?? m[2]) as string);
  return specs;
}

const LAYERS = ['formats', 'models', 'validation', 'plugin', 'cli', 'demo', 'bench'];

/** The top-level folder a relative import from `file` lands in. */
function target(file: string, spec: string): string | null {
  if (!spec.startsWith('.')) return null;
  const parts = join(file, '..', spec).split('/');
  return LAYERS.includes(parts[0] as string) ? (parts[0] as string) : null;
}

test('formats/ and validation/ import nothing from the rest of the project', () => {
  for (const layer of ['formats', 'validation']) {
    for (const f of sources(layer)) {
      for (const s of imports(f)) {
        const t = target(f, s);
        assert.ok(t === null || t === layer, `${f} imports ${s}`);
      }
    }
  }
});

test('models/ imports only formats/ from the project; plugin/ not cli/', () => {
  for (const f of sources('models'))
    for (const s of imports(f)) {
      const t = target(f, s);
      assert.ok(t === null || t === 'models' || t === 'formats', `${f} imports ${s}`);
    }
  for (const f of sources('plugin'))
    for (const s of imports(f)) assert.notEqual(target(f, s), 'cli', `${f} imports ${s}`);
});

test('only models/backend/* imports onnxruntime; only plugin/viewer/* imports a viewer', () => {
  const all = LAYERS.flatMap((l) => sources(l));
  assert.ok(all.length > 50, 'scanned the sources');
  let ortImporters = 0;
  for (const f of all)
    for (const s of imports(f)) {
      if (s.startsWith('onnxruntime')) {
        ortImporters++;
        assert.match(f, /^models\/backend\//, `${f} imports ${s}`);
      }
      if (/^(cornerstone|@cornerstonejs\/core|openlayers|ol$|ol\/|leaflet)/.test(s))
        assert.match(f, /^plugin\/viewer\//, `${f} imports ${s}`);
    }
  assert.ok(ortImporters > 0, 'the backends do import onnxruntime');
});
