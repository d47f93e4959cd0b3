/**
 * Test support: an Enhanced CT as a scanner sends it to a PACS (2 frames, functional groups, Pixel
 * Presentation COLOR with a Supplemental Palette Color LUT), written at test time by pydicom
 * (enhanced_ct.py) from the real CT fixture's pixels. Node-only.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PYTHON } from '../../../validation/testing/python.ts';

/** The real single-frame CT whose pixels and identity the Enhanced CT carries. */
export const ENHANCED_CT_SOURCE = join('fixtures', 'dicom', 'ct128_signed16_explicit_le.dcm');

/** Writes the Enhanced CT to `out` (throws with pydicom's message when it cannot). */
export function writeEnhancedCt(out: string): string {
  const script = fileURLToPath(new URL('./enhanced_ct.py', import.meta.url));
  const r = spawnSync(PYTHON, [script, ENHANCED_CT_SOURCE, out], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`enhanced_ct.py failed: ${r.stderr}`);
  return out;
}
