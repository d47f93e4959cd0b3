// The `tilesr` CLI as a user runs it: real processes, real fixtures, outputs checked with NumPy's
// format reader and against the reference decoders' header facts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeNpy } from '../formats/npy.ts';

const tmp = mkdtempSync(join(tmpdir(), 'tilesr-cli-'));
const cli = (...args: string[]) =>
  spawnSync(process.execPath, ['bin/tilesr.mjs', ...args], { encoding: 'utf8', timeout: 60_000 });

test('inspect prints the DICOM header facts as JSON', () => {
  const r = cli('inspect', 'fixtures/dicom/ct128_signed16_explicit_le.dcm');
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.format, 'dicom');
  assert.equal(j.width, 128);
  assert.equal(j.height, 128);
  assert.equal(j.frames, 1);
  assert.equal(j.samples, 1);
  assert.equal(j.dtype, 'int16');
  assert.equal(j.signed, true);
  assert.equal(j.transfer_syntax_uid, '1.2.840.10008.1.2.1');
  assert.equal(typeof j.rescale_slope, 'number');
});

test('inspect prints GeoTIFF geotransform and EPSG', () => {
  const r = cli('inspect', 'fixtures/geotiff/u16_rgb_cog_deflate_ovr.tif');
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.format, 'geotiff');
  assert.equal(j.samples, 3);
  assert.equal(j.dtype, 'uint16');
  assert.equal(j.geotransform.length, 6);
  assert.ok(Number.isInteger(j.epsg), `epsg ${j.epsg}`);
});

test('decode writes [H,W] stored values for one frame of a multi-frame file', () => {
  const out = join(tmp, 'f3.npy');
  const r = cli('decode', 'fixtures/dicom/mr64_10frame_12bit_rle.dcm', '--frame', '3', '--out', out);
  assert.equal(r.status, 0, r.stderr);
  const a = decodeNpy(readFileSync(out));
  assert.deepEqual(a.shape, [64, 64]);
  assert.equal(a.dtype, 'uint16');
  // frame 3 is not frame 0: the --frame option really selects
  const out0 = join(tmp, 'f0.npy');
  assert.equal(cli('decode', 'fixtures/dicom/mr64_10frame_12bit_rle.dcm', '--out', out0).status, 0);
  assert.notDeepEqual(decodeNpy(readFileSync(out0)).data, a.data);
});

test('decode --window crops and --values modality writes real units', () => {
  const stored = join(tmp, 's.npy');
  const modality = join(tmp, 'm.npy');
  const args = ['fixtures/dicom/ct128_signed16_explicit_le.dcm', '--window', '10,20,30,40'];
  assert.equal(cli('decode', ...args, '--out', stored).status, 0);
  assert.equal(cli('decode', ...args, '--values', 'modality', '--out', modality).status, 0);
  const s = decodeNpy(readFileSync(stored));
  const m = decodeNpy(readFileSync(modality));
  assert.deepEqual(s.shape, [40, 30]);
  assert.equal(m.dtype, 'float32');
  const info = JSON.parse(cli('inspect', 'fixtures/dicom/ct128_signed16_explicit_le.dcm').stdout);
  for (let i = 0; i < s.data.length; i += 97) {
    const expected = (s.data[i] as number) * info.rescale_slope + info.rescale_intercept;
    assert.ok(Math.abs((m.data[i] as number) - expected) < 1e-3);
  }
});

test('decode writes [H,W,C] for a multiband GeoTIFF', () => {
  const out = join(tmp, 'rgbn.npy');
  const r = cli('decode', 'fixtures/geotiff/u8_rgbn_lzw_planar.tif', '--window', '0,0,16,8', '--out', out);
  assert.equal(r.status, 0, r.stderr);
  const a = decodeNpy(readFileSync(out));
  assert.deepEqual(a.shape, [8, 16, 4]);
  assert.equal(a.dtype, 'uint8');
});

test('errors: one line with a stable code, exit 1, no output file', () => {
  const notImage = join(tmp, 'not-an-image.bin');
  writeFileSync(notImage, 'hello, this is not an image file at all'.repeat(10));
  const cases: [string[], string][] = [
    [['inspect', notImage], 'UNKNOWN_FORMAT'],
    [['inspect', join(tmp, 'missing.dcm')], 'IO_ERROR'],
    [
      ['decode', 'fixtures/dicom/mr64_implicit_le.dcm', '--frame', '5', '--out', join(tmp, 'x.npy')],
      'FRAME_OUT_OF_RANGE',
    ],
    [
      [
        'decode',
        'fixtures/dicom/mr64_implicit_le.dcm',
        '--window',
        '60,60,10,10',
        '--out',
        join(tmp, 'y.npy'),
      ],
      'WINDOW_OUT_OF_BOUNDS',
    ],
    [['decode', 'fixtures/dicom/mr64_implicit_le.dcm', '--out', join(tmp, 'z.png')], 'USAGE'],
    [['frobnicate'], 'USAGE'],
  ];
  for (const [args, code] of cases) {
    const r = cli(...args);
    assert.equal(r.status, 1, `${args.join(' ')}: ${r.stderr}`);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0] as string, new RegExp(`^error ${code}: `));
  }
  assert.deepEqual(
    readdirSync(tmp).filter((f) => /^[xyz]\.|\.tmp$/.test(f)),
    [],
  );
  const j = cli('inspect', notImage, '--json');
  assert.equal(j.status, 1);
  assert.equal(JSON.parse(j.stdout).error.code, 'UNKNOWN_FORMAT');
  assert.ok(!existsSync(join(tmp, 'x.npy')));
});
