/**
 * `tilesr enhance` on a file it made itself: refused with exit 1 and `error ALREADY_ENHANCED: …`
 * naming the earlier model and scale, nothing written; `--allow-derived` runs it and the new file's
 * Derivation Description and Contributing Equipment name both steps. Real processes and models.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readDicomProvenance } from '../../plugin/export/dicom.ts';

const tmp = mkdtempSync(join(tmpdir(), 'tilesr-enhance-derived-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const cli = (...args: string[]) =>
  spawnSync(process.execPath, ['bin/tilesr.mjs', ...args], { encoding: 'utf8', timeout: 120_000 });
const CT = 'fixtures/dicom/ct128_signed16_explicit_le.dcm';

test('enhancing a derived DICOM: ALREADY_ENHANCED (exit 1, nothing written) unless --allow-derived', () => {
  const first = join(tmp, 'x2.dcm');
  const a = cli('enhance', CT, '--model', 'medical-x2', '--window', '32,32,32,32', '--out', first);
  assert.equal(a.status, 0, a.stderr);

  const second = join(tmp, 'x2-x4.dcm');
  const refused = cli('enhance', first, '--model', 'medical-x4', '--window', '8,8,16,16', '--out', second);
  assert.equal(refused.status, 1);
  assert.match(refused.stderr, /^error ALREADY_ENHANCED: already AI-enhanced by tilesr medical-x2 x2\b/m);
  assert.doesNotMatch(refused.stderr, /\n\s+at /, 'no stack trace');
  assert.equal(existsSync(second), false);

  const ok = cli(
    'enhance',
    first,
    '--model',
    'medical-x4',
    '--window',
    '8,8,16,16',
    '--allow-derived',
    '--out',
    second,
  );
  assert.equal(ok.status, 0, ok.stderr);
  const p = readDicomProvenance(new Uint8Array(readFileSync(second)));
  const text = String(p.DerivationDescription);
  assert.ok(text.startsWith('AI-enhanced (tilesr medical-x4 x4), not for primary diagnosis'), text);
  assert.match(text, /already AI-enhanced by tilesr medical-x2 x2 \(x8 in all\)/);
  const steps = (p.ContributingEquipmentSequence as Array<Record<string, unknown>>)
    .filter((e) => e.Manufacturer === 'tilesr')
    .map((e) => String(e.ManufacturerModelName));
  assert.deepEqual(steps, ['medical-x2 fidelity', 'medical-x4 fidelity']);
});
