/**
 * `tilesr enhance --out OUT.dcm|.tif|.png|.jpg` then `tilesr verify` as a user runs them (real
 * processes, fixtures, models): every export carries provenance that verify finds; the pixels of a
 * .dcm/.tif equal the .npy of the same run; a changed byte in a picture fails verification; a DICOM
 * export of a GeoTIFF and an unknown extension are refused before any work, leaving no file.
 * (Each writer is tested in depth, with dciodvfy, GDAL and the reference C2PA reader, in plugin/export.)
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { openRaster, toModalityValues } from '../../formats/index.ts';
import { decodeNpy } from '../../formats/npy.ts';

const tmp = mkdtempSync(join(tmpdir(), 'tilesr-verify-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const cli = (...args: string[]) =>
  spawnSync(process.execPath, ['bin/tilesr.mjs', ...args], { encoding: 'utf8', timeout: 120_000 });

const MR = 'fixtures/dicom/mr384_12bit_explicit_le.dcm';
const COG = 'fixtures/geotiff/u16_rgb_cog_deflate_ovr.tif';

async function values(path: string): Promise<ArrayLike<number>> {
  const src = await openRaster(path);
  try {
    return toModalityValues(await src.read());
  } finally {
    await src.close();
  }
}

test('each export format carries provenance that verify finds; .dcm and .tif hold the .npy values', async () => {
  for (const [file, model, ext, step] of [
    [MR, 'medical-x2', 'dcm', 0.5],
    [COG, 'satellite-x2', 'tif', 0.5],
    [MR, 'medical-x2', 'png', undefined],
    [COG, 'satellite-x2', 'jpg', undefined],
  ] as const) {
    const out = join(tmp, `out.${ext}`);
    const args = ['enhance', file, '--model', model, '--window', '60,70,48,40'];
    let r = cli(...args, '--out', out);
    assert.equal(r.status, 0, r.stderr);
    r = cli('verify', out);
    assert.equal(r.status, 0, `${ext}: ${r.stdout}${r.stderr}`);
    const report = JSON.parse(r.stdout) as {
      aiEnhanced: boolean;
      dicom?: { DerivationDescription?: string };
      geotiff?: { modelId?: string; scale?: number };
      c2pa?: {
        validation: { valid: boolean };
        manifest?: { actions: Array<{ digitalSourceType?: string }> };
      };
    };
    assert.equal(report.aiEnhanced, true, ext);
    if (ext === 'dcm') assert.match(report.dicom?.DerivationDescription ?? '', /AI-enhanced.*medical-x2/);
    if (ext === 'tif')
      assert.deepEqual([report.geotiff?.modelId, report.geotiff?.scale], ['satellite-x2', 2]);
    if (ext === 'png' || ext === 'jpg') {
      assert.equal(report.c2pa?.validation.valid, true);
      assert.ok(
        report.c2pa?.manifest?.actions.some((a) => a.digitalSourceType?.endsWith('/trainedAlgorithmicMedia')),
      );
      // one changed byte in the middle of the picture data: the credentials no longer hold
      const bytes = readFileSync(out);
      const i = ext === 'png' ? bytes.indexOf('IDAT') + 20 : bytes.length - 40;
      bytes[i] = (bytes[i] as number) ^ 0x01;
      writeFileSync(join(tmp, `tampered.${ext}`), bytes);
      const t = cli('verify', join(tmp, `tampered.${ext}`));
      assert.equal(t.status, 1, `tampered ${ext} must fail verification`);
      assert.equal(
        (JSON.parse(t.stdout) as { c2pa: { validation: { valid: boolean } } }).c2pa.validation.valid,
        false,
      );
    }
    if (step !== undefined) {
      r = cli(...args, '--out', join(tmp, 'out.npy'));
      assert.equal(r.status, 0, r.stderr);
      const npy = decodeNpy(readFileSync(join(tmp, 'out.npy'))).data;
      const written = await values(out);
      assert.equal(written.length, npy.length);
      let worst = 0;
      for (let i = 0; i < npy.length; i++)
        worst = Math.max(worst, Math.abs(Number(npy[i]) - (written[i] as number)));
      assert.ok(worst <= step + 1e-3, `${ext}: max |written - npy| ${worst}`);
    }
  }
});

test('refused before any work, leaving nothing: DICOM of a GeoTIFF, an unknown extension', () => {
  const before = readdirSync(tmp).length;
  let r = cli('enhance', COG, '--model', 'satellite-x2', '--out', join(tmp, 'x.dcm'));
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^error UNSUPPORTED_EXPORT: /m);
  assert.doesNotMatch(r.stderr, /wrote|tiles/);
  r = cli('enhance', MR, '--model', 'medical-x2', '--out', join(tmp, 'x.bmp'));
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^error UNKNOWN_FORMAT: /m);
  assert.equal(existsSync(join(tmp, 'x.dcm')) || existsSync(join(tmp, 'x.bmp')), false);
  assert.equal(readdirSync(tmp).length, before, 'no temporary file left behind');
});

test('verify says so (exit 1) for a file without tilesr provenance', () => {
  const r = cli('verify', MR);
  assert.equal(r.status, 1);
  assert.equal((JSON.parse(r.stdout) as { aiEnhanced: boolean }).aiEnhanced, false);
});
