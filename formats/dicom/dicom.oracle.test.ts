/**
 * Every DICOM fixture (and the variants pydicom writes from them: palette, planar RGB, YBR_FULL,
 * raw dataset, int8) decodes to what pydicom + GDCM deliver: exactly for lossless syntaxes, within
 * a stated tolerance for lossy ones (the measured max |diff| is printed as a test diagnostic).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openRaster } from '../index.ts';
import type { Raster } from '../raster.ts';
import { oracleMissing, reference, runPython, type Reference } from './testing/oracle.ts';

/** Allowed max |ours - reference| per lossy Transfer Syntax, in stored-value LSB. */
const LOSSY_TOLERANCE: Record<string, number> = {
  // libjpeg-turbo vs GDCM's libjpeg: same islow IDCT, but builds may round upsampling differently
  '1.2.840.10008.1.2.4.50': 1,
  // our sequential decoder implements libjpeg's islow IDCT: allow one LSB across libjpeg builds
  '1.2.840.10008.1.2.4.51': 1,
  // same codec libraries as the reference (CharLS, OpenJPEG): decoding is deterministic
  '1.2.840.10008.1.2.4.81': 0,
  '1.2.840.10008.1.2.4.91': 0,
};

const skip = oracleMissing();
const fixtureDir = join('fixtures', 'dicom');
const fixtures = readdirSync(fixtureDir)
  .filter((f) => f.endsWith('.dcm'))
  .map((f) => join(fixtureDir, f));
const variantNames = [
  'palette8',
  'palette16',
  'rgb_planar',
  'ybr_full',
  'raw_dataset',
  'int8',
  'eot_rle',
  'bits1',
  'ybr422_native',
  'float32',
  'float64',
];

describe('DICOM decoding against pydicom + GDCM', { skip }, () => {
  const tmp = mkdtempSync(join(tmpdir(), 'tilesr-dicom-oracle-'));
  const variantDir = join(tmp, 'variants');
  before(() => runPython('dicom_variants.py', [fixtureDir, variantDir]));
  after(() => rmSync(tmp, { recursive: true, force: true }));

  const files = [...fixtures.map((f) => ({ path: () => f, name: basename(f) }))].concat(
    variantNames.map((n) => ({ path: () => join(variantDir, `${n}.dcm`), name: `variant ${n}.dcm` })),
  );
  for (const file of files) {
    test(file.name, async (t) => {
      const path = file.path();
      const ref = reference(path, join(tmp, 'ref', basename(path)));
      assert.equal(ref.header.error, undefined, `reference failed: ${ref.header.error}`);
      const src = await openRaster(path);
      try {
        compareHeader(src.info, ref);
        const tol = src.info.lossy ? (LOSSY_TOLERANCE[ref.header.transferSyntaxUID] ?? 0) : 0;
        let worst = 0;
        for (let f = 0; f < ref.header.frames; f++) {
          const r = await src.read({ frame: f });
          worst = Math.max(worst, compareFrame(r, ref, f, tol));
        }
        // a window of the last frame equals the same crop of the reference
        const last = ref.header.frames - 1;
        const w = {
          x: Math.floor(src.info.width / 4),
          y: Math.floor(src.info.height / 3),
          width: Math.floor(src.info.width / 2),
          height: Math.floor(src.info.height / 4),
        };
        const win = await src.read({ frame: last, window: w });
        compareWindow(win, ref, last, tol);
        t.diagnostic(
          `${ref.header.transferSyntaxUID} ${src.info.lossy ? 'lossy' : 'lossless'}: max |diff| = ${worst} (allowed ${tol})`,
        );
      } finally {
        await src.close();
      }
    });
  }
});

function compareHeader(info: Raster['info'], ref: Reference): void {
  const h = ref.header;
  assert.equal(info.width, h.columns);
  assert.equal(info.height, h.rows);
  assert.equal(info.frames, h.frames);
  assert.equal(info.transferSyntaxUID, h.transferSyntaxUID);
  assert.equal(info.photometricStored, h.photometric);
  assert.equal(info.bitsStored, h.bitsStored);
  assert.equal(info.dtype, h.dtype, 'delivered dtype equals pixel_array dtype');
  assert.equal(info.samples, h.shape?.length === 4 ? h.shape[3] : 1);
  assert.equal(info.valueMapping.slope, h.slope[0] ?? 1);
  assert.equal(info.valueMapping.intercept, h.intercept[0] ?? 0);
  const rescaleType = h.metadata.RescaleType;
  if (typeof rescaleType === 'string' && rescaleType !== 'US')
    assert.equal(info.valueMapping.unit, rescaleType);
  else if (h.modality === 'CT') assert.equal(info.valueMapping.unit, 'HU');
  assert.deepEqual(
    info.windows.map((w) => [w.center, w.width, w.explanation]),
    h.windowCenter.map((c, i) => [c, h.windowWidth[i], h.windowExplanation[i]]),
  );
  if (h.spacing) {
    assert.equal(info.spacing?.kind, h.spacing.kind);
    assert.deepEqual(
      info.spacing && 'rowMm' in info.spacing ? [info.spacing.rowMm, info.spacing.columnMm] : [],
      h.spacing.v,
    );
  } else assert.equal(info.spacing, undefined);
  const m = info.metadata;
  assert.equal(m.SOPInstanceUID ?? '', h.sopInstanceUID);
  assert.equal(m.StudyInstanceUID ?? '', h.studyInstanceUID);
  assert.equal(m.SeriesInstanceUID ?? '', h.seriesInstanceUID);
  assert.equal(m.PatientID ?? '', h.patientID);
  assert.equal(m.Modality ?? '', h.modality);
  assert.equal(m.BitsAllocated, h.bitsAllocated);
  for (const [key, want] of Object.entries(h.metadata)) {
    // CS/LO values: leading and trailing spaces of each value are not significant (PS3.5 6.2)
    const norm = (v: unknown) =>
      String(v)
        .split('\\')
        .map((x) => x.trim())
        .join('\\');
    if (typeof want === 'string') assert.equal(norm(m[key]), norm(want), `metadata ${key}`);
    else assert.deepEqual(m[key], want, `metadata ${key}`);
  }
  for (const key of Object.keys(m)) {
    // ours holds nothing pydicom does not (except the pixel-module facts and frame geometry)
    if (/^(TransferSyntaxUID|Bits|HighBit|Pixel|Samples|Planar|Photometric|PerFrame)/.test(key)) continue;
    assert.ok(key in h.metadata, `metadata ${key} = ${String(m[key])} not in pydicom's reading`);
  }
}

/** Max |diff| of a full frame; fails beyond `tol`. */
function compareFrame(r: Raster, ref: Reference, frame: number, tol: number): number {
  const want = ref.frame(frame);
  assert.equal(r.dtype, want.dtype, `frame ${frame} dtype`);
  assert.equal(r.data.length, want.data.length, `frame ${frame} length`);
  let worst = 0;
  let at = -1;
  for (let i = 0; i < r.data.length; i++) {
    const d = Math.abs((r.data[i] as number) - (want.data[i] as number));
    if (d > worst) [worst, at] = [d, i];
  }
  assert.ok(
    worst <= tol,
    `frame ${frame}: max |diff| ${worst} > ${tol} at sample ${at} (ours ${r.data[at]}, reference ${want.data[at]})`,
  );
  return worst;
}

function compareWindow(r: Raster, ref: Reference, frame: number, tol: number): void {
  const want = ref.frame(frame);
  const full = ref.header.columns;
  const s = r.samples;
  assert.equal(r.data.length, r.window.width * r.window.height * s);
  for (let y = 0; y < r.window.height; y++)
    for (let x = 0; x < r.window.width * s; x++) {
      const ours = r.data[y * r.window.width * s + x] as number;
      const theirs = want.data[((r.window.y + y) * full + r.window.x) * s + x] as number;
      if (Math.abs(ours - theirs) > tol) assert.fail(`window sample (${x},${y}): ${ours} vs ${theirs}`);
    }
}
