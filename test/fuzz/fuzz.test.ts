/**
 * The fixed fuzz subset `npm test` runs: cases 0..499 of seed 1 (the first cases of the full run
 * behind RELIABILITY.md) through the real decoders in worker threads, plus extra cases 0..149 (50
 * PNG and 50 .npy files through the `metrics` path, 50 model cards + weights through
 * `loadExternalModel`). Any untyped error, hang
 * (30 s per case: cold codec loads on a loaded 2-core machine took 13 s) or crash fails the test and names the case; `Corpus(1).case(i)` rebuilds it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { failures, percentile, runFuzz } from './runner.ts';

const CASES = 500;
const EXTRA = 150;

test(`fuzz: ${CASES} hostile DICOM/TIFF and ${EXTRA} PNG/.npy/model inputs end in a result or a typed error`, async (t) => {
  const run = await runFuzz({ cases: CASES, extra: EXTRA, seed: 1, timeoutMs: 30_000 });
  const bad = failures(run);
  assert.deepEqual(
    bad.map((f) => `${f.outcome} case ${f.index} ${f.kind} ${f.seedFile} (${f.detail}) ${f.message ?? ''}`),
    [],
  );
  for (const format of ['dicom', 'tiff'] as const) {
    const of = run.results.filter((r) => r.format === format);
    assert.equal(of.length, CASES / 2);
    // the corpus must both break the decoders' input (typed errors) and leave some of it decodable
    assert.ok(of.filter((r) => r.outcome === 'typed').length > CASES / 4, `${format}: typed errors`);
    assert.ok(
      of.some((r) => r.outcome === 'ok'),
      `${format}: some mutants still decode`,
    );
    const codes = new Set(of.map((r) => r.code).filter(Boolean));
    assert.ok(codes.size >= 5, `${format}: ${[...codes].join(', ')}`);
  }
  for (const format of ['png', 'npy', 'model'] as const) {
    const of = run.results.filter((r) => r.format === format);
    assert.equal(of.length, EXTRA / 3);
    assert.ok(of.filter((r) => r.outcome === 'typed').length > EXTRA / 6, `${format}: typed errors`);
    assert.ok(
      of.some((r) => r.outcome === 'ok'),
      `${format}: some mutants still load`,
    );
  }
  const times = run.results.map((r) => r.ms);
  t.diagnostic(
    `p50 ${percentile(times, 50).toFixed(1)} ms, p99 ${percentile(times, 99).toFixed(0)} ms, peak RSS ${(run.peakRssBytes / 2 ** 20).toFixed(0)} MiB`,
  );
});
