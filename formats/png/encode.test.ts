/** The PNG encoder checked by independent decoders (GDAL and Pillow via Debian's python3), pixel for pixel. */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asciiJson, encodePng, type PngImage } from './encode.ts';

const PY = '/usr/bin/python3';
const hasPil = spawnSync(PY, ['-c', 'import PIL, numpy, osgeo.gdal'], { stdio: 'ignore' }).status === 0;
const dir = mkdtempSync(join(tmpdir(), 'tilesr-png-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Pillow's view of a PNG: mode, size, text chunks and the samples as a flat list. */
function pillow(bytes: Uint8Array): {
  mode: string;
  size: number[];
  text: Record<string, string>;
  px: number[];
} {
  const f = join(dir, `${Math.random().toString(36).slice(2)}.png`);
  writeFileSync(f, bytes);
  // Pillow reduces 16-bit RGB to 8 bits, so samples come from GDAL's PNG driver (16-bit aware)
  const code = `
import json, sys, numpy as np
from PIL import Image
from osgeo import gdal
im = Image.open(sys.argv[1]); im.load()
ds = gdal.Open(sys.argv[1])
a = ds.ReadAsArray()
a = a if a.ndim == 2 else np.moveaxis(a, 0, -1)
print(json.dumps({"mode": im.mode, "size": list(im.size), "text": dict(im.text), "px": a.reshape(-1).tolist()}))`;
  const r = spawnSync(PY, ['-c', code, f], { encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

// A deterministic image with edges, gradients and extremes, so every PNG filter type gets used.
function image(channels: 1 | 3, bits: 8 | 16, width = 37, height = 23): PngImage {
  const max = bits === 16 ? 65535 : 255;
  const data =
    bits === 16 ? new Uint16Array(width * height * channels) : new Uint8Array(width * height * channels);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      for (let c = 0; c < channels; c++) {
        const v = x < 5 ? max : y % 7 === 0 ? 0 : ((x * 977 + y * 131 + c * 4099) * 2654435761) % (max + 1);
        data[(y * width + x) * channels + c] = v;
      }
  return { width, height, channels, data };
}

for (const [channels, bits] of [
  [1, 8],
  [1, 16],
  [3, 8],
  [3, 16],
] as const) {
  test(
    `${channels === 1 ? 'gray' : 'RGB'} ${bits}-bit decodes to the same samples`,
    { skip: !hasPil && 'python3-pil/python3-gdal missing' },
    () => {
      const img = image(channels, bits);
      const got = pillow(encodePng(img, { Comment: 'hello' }));
      assert.deepEqual(got.size, [img.width, img.height]);
      assert.equal(got.text['Comment'], 'hello');
      assert.deepEqual(got.px, Array.from(img.data));
    },
  );
}

test(
  'provenance JSON survives a tEXt chunk, non-ASCII included',
  { skip: !hasPil && 'python3-pil/python3-gdal missing' },
  () => {
    const prov = { label: 'AI-enhanced · medical-x2 · x2', nested: { n: 1.5, ok: true } };
    const got = pillow(encodePng(image(1, 8, 4, 3), { 'tilesr:provenance': asciiJson(prov) }));
    assert.deepEqual(JSON.parse(got.text['tilesr:provenance'] as string), prov);
  },
);

test('bad input is refused', () => {
  assert.throws(() => encodePng({ width: 2, height: 2, channels: 1, data: new Uint8Array(3) }), RangeError);
  assert.throws(() => encodePng(image(1, 8, 2, 2), { '': 'x' }), RangeError);
});
