// The project's dependency rules, checked on the source. The layers, lowest first:
//   core/ (errors, resampling: imports nothing) < formats/ < models/ ; validation/ (core, formats/png)
//   dicomweb/ (the DICOMweb client, read and write: core/ and formats/ only), beside formats/
//   < plugin/pipeline < plugin/live < plugin/viewer/<adapter> < plugin/components < extensions/
//   queue/ (the distributed batch engine: any library layer but extensions/) < cli/
//   scripts/, bench/, demo/ and test/ sit on top: they may import any layer, no layer imports them.
// Only models/backend/* imports onnxruntime; only plugin/viewer/<adapter>/ imports its viewer and no
// adapter imports another. Test files and test helpers (testing/ folders) may cross layers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      if (name !== 'testing' && name !== 'node_modules' && name !== 'results') sources(p, out);
    } else if (/\.(ts|mjs)$/.test(name) && !/\.test\.ts$/.test(name)) out.push(p);
  }
  return out;
}

/** Sources of a folder that may not exist yet (a layer being built). */
function existing(dir: string): string[] {
  try {
    return sources(dir);
  } catch {
    return [];
  }
}

/** Every module specifier a file imports: static, re-exports, side-effect imports and dynamic. */
export function imports(text: string): string[] {
  const specs: string[] = [];
  for (const m of text.matchAll(
    /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|(?:^|[\s;])import\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm,
  ))
    specs.push((m[1] ?? m[2] ?? m[3]) as string);
  return specs;
}
const importsOf = (file: string) => imports(readFileSync(file, 'utf8'));

const LAYERS = [
  'core',
  'formats',
  'models',
  'validation',
  'plugin',
  'extensions',
  'cli',
  'demo',
  'bench',
  'scripts',
];
/** Folders no library layer may import (tools, benchmarks, the demo and cross-layer tests). */
const TOP = ['demo', 'bench', 'scripts', 'test'];
const LIBRARY = [
  'core',
  'formats',
  'dicomweb',
  'models',
  'validation',
  'plugin',
  'queue',
  'extensions',
  'cli',
];

/** The top-level folder a relative import from `file` lands in. */
function target(file: string, spec: string): string | null {
  if (!spec.startsWith('.')) return null;
  const parts = join(file, '..', spec).split('/');
  return [...LAYERS, 'test'].includes(parts[0] as string) ? (parts[0] as string) : null;
}

test('the import parser sees static, re-export, side-effect and dynamic imports', () => {
  const specs = imports(
    "import a from './a.ts';\nexport * from './b.ts';\nimport './c.ts';\nconst d = await import('./d.ts');\nimport type { E } from '../e.ts';",
  );
  assert.deepEqual(specs, ['./a.ts', './b.ts', './c.ts', './d.ts', '../e.ts']);
});

test('core/ imports nothing; formats/ only core/; validation/ only core/ and formats/png/', () => {
  assert.ok(sources('core').length > 0, 'scanned core');
  for (const f of sources('core'))
    for (const s of importsOf(f)) {
      const t = target(f, s);
      assert.ok(t === null || t === 'core', `${f} imports ${s}`);
    }
  for (const layer of ['formats', 'validation']) {
    for (const f of sources(layer)) {
      for (const s of importsOf(f)) {
        const t = target(f, s);
        // the one PNG codec (a leaf: it imports nothing from the project) serves validation's reports
        const pngCodec = layer === 'validation' && join(f, '..', s).startsWith('formats/png/');
        assert.ok(t === null || t === layer || t === 'core' || pngCodec, `${f} imports ${s}`);
      }
    }
  }
});

test('models/ imports only core/ and formats/; plugin/ not extensions/ or cli/', () => {
  for (const f of sources('models'))
    for (const s of importsOf(f)) {
      const t = target(f, s);
      assert.ok(t === null || t === 'models' || t === 'formats' || t === 'core', `${f} imports ${s}`);
    }
  for (const f of sources('plugin'))
    for (const s of importsOf(f)) {
      const t = target(f, s);
      assert.ok(t !== 'cli' && t !== 'extensions', `${f} imports ${s}`);
    }
});

test('dicomweb/ imports only core/ and formats/; only plugin/, queue/, extensions/ and cli/ import it', () => {
  for (const f of existing('dicomweb'))
    for (const s of importsOf(f)) {
      const t = target(f, s);
      assert.ok(t === null || ['dicomweb', 'core', 'formats'].includes(t), `${f} imports ${s}`);
    }
  for (const layer of ['core', 'formats', 'models', 'validation'])
    for (const f of sources(layer))
      for (const s of importsOf(f)) assert.notEqual(target(f, s), 'dicomweb', `${f} imports ${s}`);
});

test('queue/ imports no extensions/; only cli/ imports queue/', () => {
  for (const f of existing('queue'))
    for (const s of importsOf(f)) assert.notEqual(target(f, s), 'extensions', `${f} imports ${s}`);
  for (const layer of LIBRARY.filter((l) => l !== 'queue' && l !== 'cli'))
    for (const f of existing(layer))
      for (const s of importsOf(f)) assert.notEqual(target(f, s), 'queue', `${f} imports ${s}`);
});

test('no library layer imports scripts/, bench/, demo/ or test/', () => {
  let scanned = 0;
  for (const layer of LIBRARY)
    for (const f of existing(layer)) {
      scanned++;
      for (const s of importsOf(f)) {
        const t = target(f, s);
        assert.ok(t === null || !TOP.includes(t), `${f} imports ${s}`);
      }
    }
  assert.ok(scanned > 100, 'scanned the library');
});

test('only models/backend/* imports onnxruntime; only plugin/viewer/* imports a viewer', () => {
  const all = LAYERS.flatMap((l) => existing(l));
  assert.ok(all.length > 50, 'scanned the sources');
  let ortImporters = 0;
  for (const f of all)
    for (const s of importsOf(f)) {
      if (s.startsWith('onnxruntime')) {
        ortImporters++;
        assert.match(f, /^models\/backend\//, `${f} imports ${s}`);
      }
      if (
        /^(cornerstone|@cornerstonejs\/core|openlayers|ol$|ol\/|leaflet)/.test(s) &&
        !f.startsWith('extensions/')
      )
        assert.match(f, /^plugin\/viewer\//, `${f} imports ${s}`);
    }
  assert.ok(ortImporters > 0, 'the backends do import onnxruntime');
});

test('plugin/viewer/ holds index.ts and one folder per adapter, nothing else', () => {
  const entries = readdirSync('plugin/viewer').filter((n) => !n.endsWith('.md'));
  for (const n of entries)
    assert.ok(n === 'index.ts' || statSync(join('plugin/viewer', n)).isDirectory(), `plugin/viewer/${n}`);
  assert.deepEqual(entries.filter((n) => n !== 'index.ts').sort(), [
    'cornerstone',
    'cornerstone3d',
    'openlayers',
  ]);
});

// The live layering (issue 11): pipeline < live engine < viewer adapters < components. plugin/live
// names no viewer; each viewer package is imported only by its adapter folder under plugin/viewer/.
// (the @cornerstonejs/codec-* decoders are image codecs used by formats/, not viewers)
const VIEWER_PACKAGE = /^(cornerstone-core|@cornerstonejs\/(?!codec-)|ol$|ol\/|openlayers|leaflet)/;
/** Adapter folders under plugin/viewer/. */
const ADAPTER = /^plugin\/viewer\/[^/]+\//;

/** The project path a relative import from `file` resolves to (null for a package). */
function resolved(file: string, spec: string): string | null {
  return spec.startsWith('.') ? join(file, '..', spec) : null;
}

test('plugin/pipeline imports nothing from plugin/live, plugin/viewer or plugin/components', () => {
  const files = sources('plugin/pipeline');
  assert.ok(
    files.some((f) => f.endsWith('tile.ts')),
    'scanned plugin/pipeline',
  );
  for (const f of files)
    for (const s of importsOf(f)) {
      const p = resolved(f, s);
      assert.ok(p === null || !/^plugin\/(live|viewer|components)\//.test(p), `${f} imports ${s}`);
    }
});

test('plugin/live imports no viewer, nothing from plugin/viewer and no component', () => {
  const files = sources('plugin/live');
  assert.ok(
    files.some((f) => f.endsWith('live-tile-enhancer.ts')),
    'scanned plugin/live',
  );
  for (const f of files)
    for (const s of importsOf(f)) {
      assert.doesNotMatch(s, VIEWER_PACKAGE, `${f} imports ${s}`);
      const p = resolved(f, s);
      if (p === null) continue;
      assert.doesNotMatch(p, /^plugin\/viewer\//, `${f} imports the adapter module ${s}`);
      assert.doesNotMatch(p, /^plugin\/components\//, `${f} imports ${s}`);
    }
});

test('a viewer package is imported only by its adapter under plugin/viewer/; adapters not by the engine', () => {
  // extensions/ohif lives inside its host's viewer (its own rule below)
  const all = LAYERS.filter((l) => l !== 'extensions').flatMap((l) => existing(l));
  let adapters = 0;
  for (const f of all)
    for (const s of importsOf(f)) {
      if (!VIEWER_PACKAGE.test(s)) continue;
      adapters++;
      assert.match(f, ADAPTER, `${f} imports ${s}`);
      // and each viewer only by its own adapter
      const own = s.startsWith('cornerstone-core')
        ? /^plugin\/viewer\/cornerstone\//
        : s.startsWith('@cornerstonejs/')
          ? /^plugin\/viewer\/cornerstone3d\//
          : /^plugin\/viewer\/openlayers\//;
      assert.match(f, own, `${f} imports ${s}, which belongs to another adapter`);
    }
  assert.ok(adapters > 0, 'some adapter imports its viewer');
  // adapters sit below the components: no adapter imports a component, nor another adapter
  for (const f of sources('plugin/viewer'))
    for (const s of importsOf(f)) {
      const p = resolved(f, s);
      assert.ok(p === null || !p.startsWith('plugin/components/'), `${f} imports ${s}`);
      const own = /^plugin\/viewer\/([^/]+)\//.exec(f)?.[1];
      const other = p && /^plugin\/viewer\/([^/]+)\//.exec(p)?.[1];
      if (own && other) assert.equal(other, own, `${f} imports ${s} of another adapter`);
    }
});

// The OHIF extension (issue 11): glue over plugin/viewer/cornerstone3d and the components. It may
// import the host's packages (@cornerstonejs/*, react, react-dom; @ohif/* is typed locally) and the
// project's public layers, but no onnxruntime (sessions come from models/backend) and no other
// viewer; nothing in the library imports it.
test('extensions/ohif imports only @cornerstonejs/*, react and react-dom; plugin/ never imports extensions/', () => {
  const files = sources('extensions/ohif');
  assert.ok(
    files.some((f) => f.endsWith('extension.ts')),
    'scanned extensions/ohif',
  );
  for (const f of files)
    for (const s of importsOf(f)) {
      if (s.startsWith('.')) {
        const p = resolved(f, s) as string;
        assert.match(p, /^(extensions\/ohif|core|models|plugin|formats)\//, `${f} imports ${s}`);
        continue;
      }
      assert.match(
        s,
        /^(@cornerstonejs\/(?!codec-)|react$|react-dom($|\/))/,
        `${f} imports the package ${s}`,
      );
    }
  for (const layer of LAYERS.filter((l) => l !== 'extensions'))
    for (const f of existing(layer))
      for (const s of importsOf(f)) {
        const p = resolved(f, s);
        assert.ok(p === null || !p.startsWith('extensions/'), `${f} imports ${s}`);
      }
});
