/**
 * `tilesr validate` end to end: the published bicubic x4 numbers on Set5/Set14 (Y channel, shave 4,
 * MATLAB-style degradation), real LR from --lr-dir made by Pillow, a corrupt file recorded while the
 * run goes on, and the model path (medical-x2 on a real MR slice).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkReport, type ValidationReport } from '../../validation/report/schema.ts';
import { pythonHas, runPython } from '../../validation/testing/python.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bench = join(root, '../shared/data/benchmarks');
const cli = join(root, 'bin/tilesr.mjs');

function tilesr(...args: string[]) {
  return spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd: root });
}

function runValidate(args: string[]): {
  rc: number | null;
  report: ValidationReport;
  dir: string;
  out: string;
} {
  const dir = mkdtempSync(join(tmpdir(), 'tilesr-validate-'));
  const r = tilesr('validate', ...args, '--json', join(dir, 'r.json'), '--csv', join(dir, 'r.csv'));
  assert.ok(existsSync(join(dir, 'r.json')), `no report written: ${r.stderr}`);
  const report = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8')) as ValidationReport;
  assert.deepEqual(checkReport(report), []);
  return { rc: r.status, report, dir, out: r.stdout };
}

/**
 * Published bicubic x4 references: PSNR from the SRGAN paper (Ledig et al. 2017, Table 2); SSIM
 * from the EDSR/RCAN tables (Lim et al. 2017; Zhang et al. 2018), which use the Wang et al. SSIM
 * on Y as we do (SRGAN's SSIM column, 0.8211/0.7486, comes from a different implementation).
 */
const PUBLISHED = {
  Set5: { psnr: 28.43, ssim: 0.8104, count: 5 },
  Set14: { psnr: 25.99, ssim: 0.7027, count: 14 },
};

for (const [set, ref] of Object.entries(PUBLISHED)) {
  test(`bicubic x4 on ${set} reproduces the published PSNR within 0.2 dB (Y, shave 4, MATLAB degradation)`, (t) => {
    if (!existsSync(join(bench, set))) return t.skip(`${bench}/${set} is absent (../shared not mounted)`);
    const { rc, report, dir } = runValidate([
      '--gt',
      join(bench, set),
      '--scale',
      '4',
      '--y-channel',
      '--shave',
      '4',
      '--degradation',
      'matlab',
    ]);
    try {
      assert.equal(rc, 0);
      assert.equal(report.images.length, ref.count);
      assert.equal(report.errors.length, 0);
      const s = report.summary.bicubic;
      assert.ok(s && s.psnr !== null && s.ssim !== null);
      t.diagnostic(
        `${set} bicubic PSNR ${s.psnr.toFixed(3)} (published ${ref.psnr}), SSIM ${s.ssim.toFixed(4)} (${ref.ssim})`,
      );
      assert.ok(Math.abs(s.psnr - ref.psnr) < 0.2, `PSNR ${s.psnr} vs published ${ref.psnr}`);
      assert.ok(Math.abs(s.ssim - ref.ssim) < 0.005, `SSIM ${s.ssim} vs published ${ref.ssim}`);
      // the CSV holds one row per image x method, with the same numbers as the JSON
      const rows = readFileSync(join(dir, 'r.csv'), 'utf8').trim().split('\r\n');
      assert.equal(rows.length - 1, report.images.length * 4);
      const first = rows.find((r) => r.includes(',bicubic,'))?.split(',');
      assert.equal(Number(first?.[4]), report.images[0]?.methods.bicubic?.psnr);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('--lr-dir: real LR made by Pillow gives the same bicubic PSNR as degrading in torch mode', (t) => {
  if (!pythonHas('numpy', 'PIL', 'pydicom')) return t.skip('/usr/bin/python3 lacks numpy/PIL/pydicom');
  const gtDir = mkdtempSync(join(tmpdir(), 'tilesr-gt-'));
  const lrDir = mkdtempSync(join(tmpdir(), 'tilesr-lr-'));
  try {
    const src = join(root, 'fixtures/dicom/mr384_12bit_explicit_le.dcm');
    // ground truth and LR as float .npy written by the oracle (Pillow BICUBIC = torch antialias)
    runPython(
      `import numpy as np, pydicom\nfrom PIL import Image\n` +
        `a = pydicom.dcmread('${src}').pixel_array.astype(np.float32)\n` +
        `np.save('${gtDir}/mr.npy', a)\n` +
        `np.save('${lrDir}/mr.npy', np.asarray(Image.fromarray(a, 'F').resize((192, 192), Image.BICUBIC)))\nprint(1)`,
    );
    const made = runValidate(['--gt', join(gtDir, 'mr.npy'), '--scale', '2', '--data-range', '4095']);
    const real = runValidate([
      '--gt',
      join(gtDir, 'mr.npy'),
      '--scale',
      '2',
      '--data-range',
      '4095',
      '--lr-dir',
      lrDir,
    ]);
    const a = made.report.images[0]?.methods.bicubic?.psnr;
    const b = real.report.images[0]?.methods.bicubic?.psnr;
    assert.ok(typeof a === 'number' && typeof b === 'number');
    assert.ok(Math.abs(a - b) < 1e-3, `degraded here ${a} dB vs Pillow LR ${b} dB`);
    assert.equal(real.report.images[0]?.lr, join(lrDir, 'mr.npy'));
    assert.equal(real.report.provenance.inputs.length, 2);
    for (const r of [made, real]) rmSync(r.dir, { recursive: true, force: true });
  } finally {
    rmSync(gtDir, { recursive: true, force: true });
    rmSync(lrDir, { recursive: true, force: true });
  }
});

test('a corrupt file is recorded in errors, the others are measured, and the exit code is 1', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tilesr-corrupt-'));
  try {
    copyFileSync(join(root, 'fixtures/dicom/ct128_signed16_explicit_le.dcm'), join(dir, 'a_good.dcm'));
    const bytes = readFileSync(join(root, 'fixtures/dicom/ct128_signed16_explicit_le.dcm'));
    writeFileSync(join(dir, 'b_truncated.dcm'), bytes.subarray(0, Math.floor(bytes.length / 2)));
    writeFileSync(join(dir, 'c_garbage.png'), Buffer.from('\x89PNG\r\n\x1a\n this is not a png'));
    const { rc, report, out } = runValidate(['--gt', dir, '--scale', '2']);
    assert.equal(rc, 1);
    assert.equal(report.images.length, 1);
    assert.equal(report.images[0]?.file, join(dir, 'a_good.dcm'));
    assert.deepEqual(
      report.errors.map((e) => e.file),
      [join(dir, 'b_truncated.dcm'), join(dir, 'c_garbage.png')],
    );
    for (const e of report.errors) assert.match(e.code, /^[A-Z_]+$/);
    assert.match(out, /1 image\(s\) measured, 2 error\(s\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('with --model the report carries the model card, sha256, backend and per-tile hallucination', (t) => {
  const weights = join(root, 'models/weights/medical_x2_fidelity.onnx');
  if (!existsSync(weights)) return t.skip('models/weights/medical_x2_fidelity.onnx is absent');
  const { rc, report, dir } = runValidate([
    '--gt',
    join(root, 'fixtures/dicom/mr384_12bit_explicit_le.dcm'),
    '--model',
    'medical-x2',
    '--threads',
    '1',
  ]);
  try {
    assert.equal(rc, 0);
    const card = JSON.parse(readFileSync(weights.replace(/\.onnx$/, '.json'), 'utf8')) as {
      onnx: { sha256: string };
    };
    assert.equal(report.model?.sha256, card.onnx.sha256);
    assert.equal(report.model?.backend, 'node-cpu');
    const img = report.images[0];
    assert.ok(img?.methods.model && img.methods.bicubic);
    assert.ok(Number.isFinite(img.methods.model.psnr) && Number.isFinite(img.methods.model.consistency_psnr));
    assert.ok(img.hallucination && img.hallucination.tiles === 36, `36 tiles of 64 px in 380x380`);
    t.diagnostic(
      `medical-x2 on mr384: model ${img.methods.model.psnr?.toFixed(2)} dB, bicubic ${img.methods.bicubic.psnr?.toFixed(2)} dB, worse on ${(img.hallucination.worse_share * 100).toFixed(1)}% tiles`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--frames all|mid and --bands pick frames and bands; the mid frame equals its entry in the full run', () => {
  const dcm = join(root, 'fixtures/dicom/mr64_10frame_12bit_explicit_le.dcm');
  const tif = join(root, 'fixtures/geotiff/u8_rgbn_none_striped.tif');
  const all = runValidate(['--gt', dcm, '--scale', '2', '--frames', 'all']);
  const mid = runValidate(['--gt', dcm, tif, '--scale', '2', '--frames', 'mid', '--bands', '0,3']);
  try {
    assert.deepEqual(
      all.report.images.map((i) => i.frame),
      [...Array(10).keys()],
    );
    const m = mid.report.images.filter((i) => i.file === dcm);
    assert.equal(m.length, 1);
    assert.equal(m[0]?.frame, 5);
    assert.deepEqual(m[0]?.methods, all.report.images[5]?.methods);
    assert.deepEqual(
      mid.report.images.filter((i) => i.file === tif).map((i) => i.band),
      [0, 3],
    );
  } finally {
    rmSync(all.dir, { recursive: true, force: true });
    rmSync(mid.dir, { recursive: true, force: true });
  }
});
