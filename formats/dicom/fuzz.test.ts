/**
 * Seeded mutation fuzzing of every DICOM fixture: random byte changes (in the header and in the
 * pixel data) and random truncations. Whatever the damage, opening and reading every frame must
 * end in success or a FormatError (any code), never another exception or a hang.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { FormatError } from '../errors.ts';
import { DEFAULT_LIMITS } from '../raster.ts';
import { openDicom } from './source.ts';

const MUTANTS_PER_FILE = 80;
const dir = join('fixtures', 'dicom');
const files = readdirSync(dir).filter((f) => f.endsWith('.dcm'));

/** Park-Miller: reproducible without Math.random. */
function rng(seed: number): () => number {
  let s = seed % 2147483647 || 1;
  return () => (s = (s * 48271) % 2147483647) / 2147483647;
}

for (const name of files) {
  test(`fuzz ${name}`, async (t) => {
    const original = new Uint8Array(readFileSync(join(dir, name)));
    const rand = rng([...name].reduce((h, c) => h * 31 + c.charCodeAt(0), 7));
    const codes = new Map<string, number>();
    for (let m = 0; m < MUTANTS_PER_FILE; m++) {
      let b = original.slice();
      const kind = m % 3;
      if (kind === 0)
        b = b.subarray(0, Math.floor(rand() * b.length)); // truncation
      else {
        // header region (first 4 KB) or anywhere, 1..16 bytes changed
        const span = kind === 1 ? Math.min(4096, b.length) : b.length;
        const count = 1 + Math.floor(rand() * 16);
        for (let k = 0; k < count; k++) b[Math.floor(rand() * span)] = Math.floor(rand() * 256);
      }
      const t0 = performance.now();
      let code = 'OK';
      try {
        const src = await openDicom(b, { limits: { ...DEFAULT_LIMITS, maxSamples: 2 ** 26 }, worker: false });
        for (let f = 0; f < Math.min(src.info.frames, 3); f++) await src.read({ frame: f });
      } catch (err) {
        if (!(err instanceof FormatError)) assert.fail(`mutant ${m} (${kind}) threw ${String(err)}`);
        code = err.code;
      }
      const ms = performance.now() - t0;
      assert.ok(ms < 5000, `mutant ${m} took ${ms.toFixed(0)} ms`);
      codes.set(code, (codes.get(code) ?? 0) + 1);
    }
    assert.equal(
      [...codes.values()].reduce((a, b) => a + b, 0),
      MUTANTS_PER_FILE,
    );
    assert.ok(codes.size > 1, 'truncations must produce errors');
    t.diagnostic([...codes].map(([c, n]) => `${c} ${n}`).join(', '));
  });
}
