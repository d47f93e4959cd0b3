// End to end through the CLI: every shipped fidelity model beats bicubic PSNR on the standard Set5
// benchmark (Y channel, torch degradation, shave = scale) and on a real MR fixture, as its card
// claims for its own domain. Perceptual models are not held to PSNR (they trade it for texture).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SET5 = fileURLToPath(new URL('../../shared/data/benchmarks/Set5', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'tilesr-quality-'));

interface Summary {
  summary: Record<string, { n: number; psnr: number; ssim: number }>;
  errors: unknown[];
}

function validate(gt: string, model: string, extra: string[] = []): Summary {
  const out = join(tmp, `${model}-${extra.length}.json`);
  const r = spawnSync(
    process.execPath,
    ['bin/tilesr.mjs', 'validate', '--gt', gt, '--model', model, '--json', out, ...extra],
    { encoding: 'utf8', timeout: 600_000 },
  );
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(readFileSync(out, 'utf8')) as Summary;
}

for (const model of ['medical-x2', 'medical-x4', 'satellite-x2', 'satellite-x4']) {
  test(
    `${model} (fidelity) beats bicubic PSNR on Set5`,
    { skip: !existsSync(SET5) && '../shared/data/benchmarks absent' },
    (t) => {
      const s = validate(SET5, model, ['--y-channel']);
      assert.deepEqual(s.errors, []);
      const m = s.summary.model;
      const b = s.summary.bicubic;
      assert.ok(m && b && m.n === 5 && b.n === 5);
      t.diagnostic(`${model}: model ${m.psnr.toFixed(2)} dB vs bicubic ${b.psnr.toFixed(2)} dB`);
      assert.ok(m.psnr > b.psnr, `${model}: ${m.psnr} <= bicubic ${b.psnr}`);
    },
  );
}

test('medical-x2 beats bicubic and Lanczos-3 on a real 12-bit MR slice', (t) => {
  const s = validate('fixtures/dicom/mr384_12bit_explicit_le.dcm', 'medical-x2');
  const m = s.summary.model!;
  t.diagnostic(
    `model ${m.psnr.toFixed(2)} dB, bicubic ${s.summary.bicubic!.psnr.toFixed(2)}, lanczos3 ${s.summary.lanczos3!.psnr.toFixed(2)}`,
  );
  assert.ok(m.psnr > s.summary.bicubic!.psnr);
  assert.ok(m.psnr > s.summary.lanczos3!.psnr);
  assert.ok(m.ssim > s.summary.bicubic!.ssim);
});
