/**
 * Every fuzz case that once failed, kept as a regression: rebuilt from its seed and index
 * (`Corpus(seed).case(index)`) and decoded in process, where it must end in a raster or a typed
 * FormatError. Cases 12 and 105 of seed 1 were reported as hangs (no answer in 10 s) in the
 * 6,000-case run behind RELIABILITY.md, taken on a machine at load ~15; alone they decode in
 * 0.3 s, so the time limit, not the decoder, failed there. They stay here so that a real loop on
 * these inputs would fail the suite.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FormatError, openRaster } from '../../formats/index.ts';
import { Corpus } from './corpus.ts';
import { FUZZ_LIMITS } from './runner.ts';

const REGRESSIONS: { seed: number; index: number; why: string }[] = [
  { seed: 1, index: 12, why: 'bit flips in a JPEG-LS (CharLS) DICOM: reported hang under load' },
  { seed: 1, index: 105, why: 'bit flips in a lossless WebP tiled TIFF: reported hang under load' },
];

for (const { seed, index, why } of REGRESSIONS) {
  test(`fuzz regression seed ${seed} case ${index}: ${why}`, { timeout: 60_000 }, async () => {
    const c = new Corpus(seed).case(index);
    try {
      const src = await openRaster(c.bytes, { limits: FUZZ_LIMITS });
      try {
        const { width, height, frames } = src.info;
        for (let f = 0; f < Math.min(frames, 2); f++) await src.read({ frame: f });
        if (width > 2 && height > 2)
          await src.read({
            window: { x: 1, y: 1, width: Math.ceil(width / 2), height: Math.ceil(height / 2) },
          });
      } finally {
        await src.close();
      }
    } catch (err) {
      assert.ok(err instanceof FormatError, `untyped: ${String(err)}`);
    }
  });
}
