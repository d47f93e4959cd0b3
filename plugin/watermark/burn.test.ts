import { test } from 'node:test';
import assert from 'node:assert/strict';
import { listModels } from '../../models/registry.ts';
import { burnLabel, watermarkText, type DisplayImage } from './burn.ts';
import { GLYPH_HEIGHT, hasGlyph } from './font.ts';

function gray(width: number, height: number, bits: 8 | 16): DisplayImage {
  const data = bits === 16 ? new Uint16Array(width * height) : new Uint8Array(width * height);
  const max = bits === 16 ? 65535 : 255;
  for (let i = 0; i < data.length; i++) data[i] = Math.round(((i % width) / width) * max * 0.8);
  return { data, width, height, channels: 1 };
}

test('every label the models can produce is drawn with real glyphs', () => {
  for (const m of listModels()) {
    for (const ch of watermarkText(m.id, m.scale)) assert.ok(hasGlyph(ch), `no glyph for "${ch}"`);
  }
});

for (const bits of [8, 16] as const) {
  test(`${bits}-bit: only the label box changes, and it holds white ink on a darkened box`, () => {
    const img = gray(300, 200, bits);
    const before = img.data.slice();
    const box = burnLabel(img, watermarkText('medical-x2', 2));
    const max = bits === 16 ? 65535 : 255;
    let ink = 0;
    for (let y = 0; y < img.height; y++)
      for (let x = 0; x < img.width; x++) {
        const i = y * img.width + x;
        const inBox = x >= box.x && x < box.x + box.width && y >= box.y && y < box.y + box.height;
        if (!inBox) assert.equal(img.data[i], before[i], `pixel ${x},${y} outside the box changed`);
        else if (img.data[i] === max) ink++;
        else assert.equal(img.data[i], Math.round((before[i] as number) * 0.3));
      }
    assert.ok(ink > 100, `only ${ink} ink pixels`);
    assert.equal(box.y + box.height, img.height, 'bottom-left corner');
    assert.deepEqual(box.lines, ['AI-enhanced · medical-x2 · x2']);
  });
}

test('narrow images wrap the label; big ones scale it up', () => {
  const narrow = gray(90, 90, 8);
  const r1 = burnLabel(narrow, watermarkText('satellite-x4', 4));
  assert.deepEqual(r1.lines, ['AI-enhanced', 'satellite-x4', 'x4']);
  assert.ok(r1.width <= 90);
  const big = gray(1200, 1200, 8);
  const r2 = burnLabel(big, watermarkText('satellite-x4', 4));
  assert.equal(r2.pixel, Math.floor(1200 / 40 / GLYPH_HEIGHT));
  assert.ok(r2.pixel >= 4);
});

test('RGB: all three channels carry the label', () => {
  const img: DisplayImage = {
    data: new Uint8Array(200 * 50 * 3).fill(100),
    width: 200,
    height: 50,
    channels: 3,
  };
  burnLabel(img, 'AI-enhanced');
  let white = 0;
  for (let i = 0; i < img.data.length; i += 3)
    if (img.data[i] === 255) {
      assert.equal(img.data[i + 1], 255);
      assert.equal(img.data[i + 2], 255);
      white++;
    }
  assert.ok(white > 50);
});
