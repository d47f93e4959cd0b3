import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openRaster, toModalityValues } from '../../formats/index.ts';
import { renderForDisplay } from './render.ts';

async function modality(file: string) {
  const src = await openRaster(file);
  try {
    const r = await src.read();
    return { r, values: toModalityValues(r) };
  } finally {
    await src.close();
  }
}

test('MONOCHROME1 renders as the inverse of the same data shown as MONOCHROME2', async () => {
  const { r, values } = await modality('fixtures/dicom/cr440_mono1_10bit.dcm');
  assert.equal(r.info.photometric, 'MONOCHROME1');
  const img = { data: values, width: r.width, height: r.height, samples: 1 };
  const m1 = renderForDisplay(img, { photometric: 'MONOCHROME1', windows: r.info.windows });
  const m2 = renderForDisplay(img, { photometric: 'MONOCHROME2', windows: r.info.windows });
  assert.equal(m1.mapping.inverted, true);
  for (let i = 0; i < m1.image.data.length; i++)
    assert.equal(m1.image.data[i], 255 - (m2.image.data[i] as number));
});

test('a DICOM VOI preset maps center-width/2..center+width/2 to black..white', async () => {
  const { r, values } = await modality('fixtures/dicom/ct128_signed16_explicit_le.dcm');
  const w = { center: 40, width: 400 };
  const out = renderForDisplay(
    { data: values, width: r.width, height: r.height, samples: 1 },
    { windows: [w], bits: 16 },
  );
  assert.equal(out.mapping.method, 'voi-preset');
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    const px = out.image.data[i] as number;
    if (v <= w.center - w.width / 2) assert.equal(px, 0);
    else if (v >= w.center + w.width / 2) assert.equal(px, 65535);
    else assert.ok(Math.abs(px / 65535 - (v - (w.center - 0.5)) / (w.width - 1) - 0.5) < 1e-3);
  }
});

test('without a preset, each color band is stretched 2..98 %', async () => {
  const { r, values } = await modality('fixtures/geotiff/u16_rgb_cog_deflate_ovr.tif');
  const out = renderForDisplay({ data: values, width: r.width, height: r.height, samples: 3 });
  assert.equal(out.mapping.method, 'percentile-2-98');
  assert.equal(out.image.channels, 3);
  for (let c = 0; c < 3; c++) {
    let black = 0;
    let white = 0;
    for (let i = c; i < out.image.data.length; i += 3) {
      if (out.image.data[i] === 0) black++;
      if (out.image.data[i] === 255) white++;
    }
    const n = r.width * r.height;
    // about 2 % of pixels at or below the low point, 2 % at or above the high one
    assert.ok(black > n * 0.01 && black < n * 0.05, `band ${c}: ${black} black`);
    assert.ok(white > n * 0.01 && white < n * 0.05, `band ${c}: ${white} white`);
  }
});
