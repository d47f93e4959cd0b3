import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ModelError } from './errors.ts';
import { computeRange, denormalize, normalize, percentileSorted, sortedBandValues } from './normalize.ts';
import { gdalBand, hasCommand, fixturePixels } from './testing/fixtures.ts';

const MR64 = await fixturePixels('fixtures/dicom/mr64_implicit_le.dcm');

const PY = '/usr/bin/python3';
const hasNumpy = spawnSync(PY, ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0;
const hasGdal = hasCommand('gdal_translate');

/** NumPy's np.percentile (default 'linear') of the valid values, as exact float64 hex strings. */
function numpyPercentiles(values: Float64Array, nodata: number | undefined, ps: number[]): number[] {
  const dir = mkdtempSync(join(tmpdir(), 'tilesr-np-'));
  try {
    const file = join(dir, 'v.f64');
    writeFileSync(file, new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
    const code =
      'import numpy as np, sys\n' +
      `v = np.fromfile(${JSON.stringify(file)}, dtype='<f8')\n` +
      `v = v[np.isfinite(v)${nodata === undefined ? '' : ` & (v != ${nodata})`}]\n` +
      `print(' '.join(float(x).hex() for x in np.percentile(v, ${JSON.stringify(ps)})))\n`;
    const r = spawnSync(PY, ['-c', code], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
    return r.stdout.trim().split(' ').map(hexToFloat);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Parses Python's float.hex() output exactly. */
function hexToFloat(h: string): number {
  const m = /^(-?)0x([01])\.([0-9a-f]+)p([+-]\d+)$/.exec(h);
  if (!m) throw new Error(`bad hex float ${h}`);
  const mant = Number(m[2]) + parseInt(m[3] ?? '0', 16) / 16 ** (m[3] ?? '').length;
  return (m[1] ? -1 : 1) * mant * 2 ** Number(m[4]);
}

describe('normalize: robust range (NumPy linear percentiles)', () => {
  const skipNumpy = hasNumpy ? false : 'python3-numpy not installed';

  it('matches np.percentile bit for bit on a real MR image', { skip: skipNumpy }, () => {
    const mr = MR64;
    const ps = [0.1, 99.9, 0, 50, 100, 37.5];
    const ref = numpyPercentiles(mr.data, undefined, ps);
    const sorted = sortedBandValues(mr.data);
    ps.forEach((p, i) => assert.equal(percentileSorted(sorted, p), ref[i], `p=${p}`));
    const r = computeRange(mr.data);
    assert.deepEqual([r.lo, r.hi], ref.slice(0, 2));
    assert.equal(r.count, 64 * 64);
  });

  it(
    'excludes nodata and NaN: GeoTIFF band with nodata, decoded by GDAL',
    { skip: skipNumpy || (hasGdal ? false : 'gdal-bin not installed') },
    () => {
      const band = gdalBand('fixtures/geotiff/i16_rgb_deflate_nodata.tif', 2);
      // the file declares nodata -9999 but every pixel is valid: mark a 24x24 corner as nodata (as a
      // scene edge would be) and scatter NaNs, keeping the rest of the real band
      const nodata = -9999;
      const withNan = band.data.slice();
      for (let y = 0; y < 24; y++) withNan.fill(nodata, y * band.width, y * band.width + 24);
      for (let i = 5; i < withNan.length; i += 97) withNan[i] = NaN;
      const [lo, hi] = numpyPercentiles(withNan, nodata, [0.1, 99.9]);
      const r = computeRange(withNan, { nodata });
      assert.equal(r.lo, lo);
      assert.equal(r.hi, hi);
      assert.ok(r.lo > nodata);
      assert.equal(r.count, withNan.filter((v) => Number.isFinite(v) && v !== nodata).length);
      // ignoring nodata would drag the low percentile down to -9999
      assert.equal(computeRange(withNan).lo, nodata);
    },
  );

  it('selects one band of interleaved samples', { skip: skipNumpy }, () => {
    const mr = MR64;
    const inter = new Float64Array(mr.data.length * 3);
    mr.data.forEach((v, i) => {
      inter[3 * i] = -v;
      inter[3 * i + 1] = v;
      inter[3 * i + 2] = 0;
    });
    assert.deepEqual(computeRange(inter, { stride: 3, band: 1 }), computeRange(mr.data));
    const n = normalize(inter, computeRange(mr.data), { stride: 3, band: 1 });
    assert.deepEqual(n, normalize(mr.data, computeRange(mr.data)));
  });
});

describe('normalize: affine map and its inverse', () => {
  const mr = MR64;
  const range = computeRange(mr.data);

  it('maps into [0,1], clipping outside the range, and inverts within float32 precision', () => {
    const t = normalize(mr.data, range);
    assert.ok(t.every((v) => v >= 0 && v <= 1));
    assert.ok(t.some((v) => v === 0) && t.some((v) => v === 1), 'percentile range clips the tails');
    const back = denormalize(t, range);
    const span = range.hi - range.lo;
    mr.data.forEach((v, i) => {
      const expect = Math.min(range.hi, Math.max(range.lo, v));
      assert.ok(Math.abs((back[i] ?? NaN) - expect) <= span * 1e-6, `pixel ${i}`);
    });
  });

  it('one image range makes tile normalization independent of the tiling', () => {
    const whole = normalize(mr.data, range);
    const rows = mr.data.subarray(16 * 64, 40 * 64);
    assert.deepEqual(normalize(rows, range), whole.subarray(16 * 64, 40 * 64));
    // a per-tile range would differ: that is the seam this contract avoids
    assert.notDeepEqual(normalize(rows, computeRange(rows)), whole.subarray(16 * 64, 40 * 64));
  });

  it('inverts affinely without clamping (restored extremes stay) and keeps NaN visible', () => {
    const back = denormalize(new Float32Array([-0.2, 1.3, 0.5, NaN]), range);
    const span = range.hi - range.lo;
    assert.ok(Math.abs((back[0] as number) - (range.lo - 0.2 * span)) < span * 1e-6);
    assert.ok(Math.abs((back[1] as number) - (range.lo + 1.3 * span)) < span * 1e-6);
    assert.equal(back[2], range.lo + 0.5 * (range.hi - range.lo));
    assert.ok(Number.isNaN(back[3]));
  });

  it('constant images: no division by zero, inverse returns the constant', () => {
    const flat = new Float64Array(100).fill(1234);
    const r = computeRange(flat);
    assert.equal(r.constant, true);
    const t = normalize(flat, r);
    assert.ok(t.every((v) => v === 0));
    assert.ok(denormalize(new Float32Array([0, 0.7, 1]), r).every((v) => v === 1234));
  });

  it('percentiles that coincide on non-constant data fall back to min..max', () => {
    const mostlyZero = new Float64Array(10000);
    mostlyZero[0] = 500;
    const r = computeRange(mostlyZero);
    assert.equal(r.constant, false);
    assert.deepEqual([r.lo, r.hi], [0, 500]);
  });

  it('a band with no valid sample is INVALID_INPUT', () => {
    assert.throws(
      () => computeRange(new Float64Array([NaN, -9999]), { nodata: -9999 }),
      (e: unknown) => e instanceof ModelError && e.code === 'INVALID_INPUT',
    );
  });
});
