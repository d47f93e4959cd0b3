// The committed README screenshots (written by `npm run screenshots`) decode, have the expected size
// range, and are not blank: many distinct grey levels, and the enhanced/compare shots differ from plain.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { decodePng } from '../formats/png/decode.ts';

const SHOTS = ['plain', 'enhanced', 'compare', 'report'] as const;

function load(name: string) {
  const bytes = new Uint8Array(readFileSync(`docs/screenshots/${name}.png`));
  assert.ok(bytes.length < 600_000, `${name}.png is ${bytes.length} bytes; keep screenshots small`);
  return decodePng(bytes);
}

test('docs/screenshots/*.png decode and are not uniform', () => {
  for (const name of SHOTS) {
    const png = load(name);
    assert.ok(png.width >= 400 && png.height >= 300, `${name}: ${png.width}x${png.height}`);
    const data = png.data as ArrayLike<number>;
    const levels = new Set<number>();
    for (let i = 0; i < data.length; i += png.samples) levels.add(data[i] as number);
    assert.ok(levels.size > 32, `${name}: only ${levels.size} distinct levels in the first channel`);
  }
});

test('the enhanced and compare screenshots differ from the plain one', () => {
  const plain = load('plain');
  for (const name of ['enhanced', 'compare']) {
    const other = load(name);
    assert.equal(other.width, plain.width);
    // the side panel's height follows the provenance text: compare the rows both shots have
    const rows = Math.min(other.height, plain.height);
    assert.ok(rows >= 400, `${name}: ${rows} rows in common`);
    const n = rows * plain.width * plain.samples;
    let differing = 0;
    const a = plain.data as ArrayLike<number>;
    const b = other.data as ArrayLike<number>;
    for (let i = 0; i < n; i++) if (a[i] !== b[i]) differing++;
    assert.ok(differing > n * 0.01, `${name}: only ${differing} samples differ from plain`);
  }
});
