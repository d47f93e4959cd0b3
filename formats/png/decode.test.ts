/** The PNG decoder against Pillow: 8/16-bit gray, RGB, RGBA, gray+alpha and palette images. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pythonHas, runPython } from '../../validation/testing/python.ts';
import { FormatError } from '../errors.ts';
import { decodePng } from './decode.ts';

const skip = pythonHas('numpy', 'PIL') ? false : '/usr/bin/python3 lacks numpy/PIL';

test('decodePng matches Pillow on every supported colour type and depth', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'tilesr-png-'));
  try {
    // Pillow writes the files (all filter types appear with optimize) and the expected samples
    const { files, json } = runPython<string[]>(
      `import json, numpy as np
from PIL import Image
rng = np.random.default_rng(3)
y, x = np.mgrid[0:37, 0:53]
base = ((x * 5 + y * 3) % 256).astype(np.uint8)
noise = rng.integers(0, 256, (37, 53), dtype=np.uint8)
g8 = np.where(rng.random((37, 53)) < 0.3, noise, base)
rgb = np.stack([g8, 255 - g8, (g8 // 2 + noise // 2)], axis=2).astype(np.uint8)
g16 = (g8.astype(np.uint16) * 257 + rng.integers(0, 256, (37, 53))).astype(np.uint16)
cases = {}
def save(name, img, expect):
    img.save('${dir}/' + name + '.png', optimize=True)
    np.save(name + '.npy', expect.astype(np.float64)); cases[name] = list(expect.shape)
save('g8', Image.fromarray(g8, 'L'), g8)
save('rgb8', Image.fromarray(rgb, 'RGB'), rgb)
save('rgba8', Image.fromarray(np.dstack([rgb, g8]), 'RGBA'), rgb)
save('la8', Image.fromarray(np.dstack([g8, noise]), 'LA'), g8)
save('g16', Image.fromarray(g16, 'I;16'), g16)
p = Image.fromarray(rgb, 'RGB').quantize(64)
save('pal', p, np.asarray(p.convert('RGB')))
print(json.dumps(sorted(cases)))`,
      {},
      ['g8', 'rgb8', 'rgba8', 'la8', 'g16', 'pal'],
    );
    assert.equal(json.length, 6);
    for (const name of json) {
      const d = decodePng(new Uint8Array(readFileSync(join(dir, `${name}.png`))));
      const want = files[name];
      assert.ok(want);
      assert.equal(d.height, want.shape[0]);
      assert.equal(d.width, want.shape[1]);
      assert.equal(d.samples, want.shape[2] ?? 1, name);
      assert.equal(d.bitDepth, name === 'g16' ? 16 : 8);
      assert.deepEqual(Array.from(d.data), Array.from(want.data), name);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('decodePng rejects non-PNG, truncated and corrupt data with stable codes', () => {
  assert.throws(
    () => decodePng(new Uint8Array([1, 2, 3])),
    (e: unknown) => e instanceof FormatError && e.code === 'UNKNOWN_FORMAT',
  );
  const sig = [137, 80, 78, 71, 13, 10, 26, 10];
  // IHDR claiming 1000 bytes
  const trunc = Uint8Array.from([...sig, 0, 0, 3, 232, 73, 72, 68, 82, 0, 0]);
  assert.throws(
    () => decodePng(trunc),
    (e: unknown) => e instanceof FormatError && e.code === 'TRUNCATED',
  );
});
