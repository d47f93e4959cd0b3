// Chromium: a seeded subset of the hostile-input corpus (cases 0..399 of seed 1: 200 DICOM, 200
// TIFF, the first cases of the Node run behind RELIABILITY.md) through the browser decoding path:
// DICOM in the module worker (worker-client.ts), TIFF blocks on the shared GeoTIFF worker pool
// (every read sent to the pool). The bytes are built in Node by the fuzz-corpus server command
// (test/fuzz-corpus.plugin.mjs). Each case must end in a raster or a FormatError with a code within
// its time limit; a page or worker crash fails the run (the page dies, or the worker's failure
// surfaces as an untyped error here).
import { expect } from '@esm-bundle/chai';
import { executeServerCommand } from '@web/test-runner-commands';
import { FormatError, openRaster, type DecodeLimits } from '../../formats/index.ts';
import { DEFAULT_LIMITS } from '../../formats/raster.ts';
import { WorkerDicomSource } from '../../formats/dicom/worker-client.ts';
import { getSharedPool } from '../../formats/geotiff/pool.ts';
import { setInProcessMaxBlocks } from '../../formats/geotiff/source.ts';
import { readSample } from './reads.ts';

const SEED = 1;
const CASES = 400;
const BATCH = 20;
const CASE_LIMIT_MS = 20_000;
/** The Node runner's limits (test/fuzz/runner.ts FUZZ_LIMITS). */
const LIMITS: DecodeLimits = { ...DEFAULT_LIMITS, maxSamples: 2 ** 26 };

interface WireCase {
  index: number;
  format: 'dicom' | 'tiff';
  seedFile: string;
  kind: string;
  detail: string;
  bytes: string;
}

type Outcome = { outcome: 'ok' | 'typed' | 'untyped' | 'hang'; code?: string; message?: string; ms: number };

/** The batch from Node, asked again while it is still being built (see the plugin). */
async function fetchCases(from: number, count: number): Promise<WireCase[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      const cases = await executeServerCommand<WireCase[], { seed: number; from: number; count: number }>(
        'fuzz-corpus',
        { seed: SEED, from, count },
      );
      return cases ?? [];
    } catch (err) {
      if (attempt >= 8 || !String(err).includes('Did not receive a server response')) throw err;
    }
  }
}

function fromBase64(s: string): Uint8Array {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Same reads as the Node worker (test/fuzz/worker.ts): up to two frames, then a window. */
async function decode(bytes: Uint8Array, format: WireCase['format']): Promise<void> {
  const src = await openRaster(bytes, { limits: LIMITS });
  if (format === 'dicom' && !(src instanceof WorkerDicomSource)) {
    await src.close();
    throw new Error('DICOM did not open in the module worker');
  }
  await readSample(src);
}

async function runCase(c: WireCase): Promise<Outcome> {
  const t0 = performance.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<Outcome>((resolve) => {
    timer = setTimeout(
      () => resolve({ outcome: 'hang', message: `no answer in ${CASE_LIMIT_MS} ms`, ms: CASE_LIMIT_MS }),
      CASE_LIMIT_MS,
    );
  });
  const run = decode(fromBase64(c.bytes), c.format).then(
    (): Outcome => ({ outcome: 'ok', ms: performance.now() - t0 }),
    (err: unknown): Outcome =>
      err instanceof FormatError && err.code
        ? { outcome: 'typed', code: err.code, ms: performance.now() - t0 }
        : { outcome: 'untyped', message: String(err).slice(0, 300), ms: performance.now() - t0 },
  );
  try {
    return await Promise.race([run, hang]);
  } finally {
    clearTimeout(timer);
  }
}

describe(`fuzz in Chromium: ${CASES} hostile DICOM/TIFF inputs (seed ${SEED}) through the worker and the pool`, () => {
  const results: (Outcome & { c: Omit<WireCase, 'bytes'> })[] = [];
  before(() => setInProcessMaxBlocks(0));
  after(() => setInProcessMaxBlocks(32));

  it('the GeoTIFF pool exists', () => {
    expect(getSharedPool()).to.not.equal(null);
  });

  for (let from = 0; from < CASES; from += BATCH) {
    it(`cases ${from}..${from + BATCH - 1}`, async function () {
      this.timeout(BATCH * CASE_LIMIT_MS + 8 * 20_000);
      const cases = await fetchCases(from, BATCH);
      expect(cases, 'fuzz-corpus server command').to.have.length(BATCH);
      const bad: string[] = [];
      for (const c of cases) {
        const r = await runCase(c);
        const { bytes: _bytes, ...meta } = c;
        results.push({ ...r, c: meta });
        if (r.outcome === 'untyped' || r.outcome === 'hang')
          bad.push(`${r.outcome} case ${c.index} ${c.kind} ${c.seedFile} (${c.detail}): ${r.message ?? ''}`);
      }
      expect(bad).to.deep.equal([]);
    });
  }

  it('both formats broke (typed errors) and some mutants still decoded', () => {
    expect(results).to.have.length(CASES);
    for (const format of ['dicom', 'tiff'] as const) {
      const of = results.filter((r) => r.c.format === format);
      expect(of).to.have.length(CASES / 2);
      expect(of.filter((r) => r.outcome === 'typed').length, `${format} typed`).to.be.greaterThan(CASES / 4);
      expect(
        of.some((r) => r.outcome === 'ok'),
        `${format} ok`,
      ).to.equal(true);
    }
    const times = results.map((r) => r.ms).sort((a, b) => a - b);
    const p99 = times[Math.min(times.length - 1, Math.ceil(0.99 * times.length) - 1)] ?? NaN;
    console.log(
      `browser fuzz: ${results.filter((r) => r.outcome === 'ok').length} ok, ${results.filter((r) => r.outcome === 'typed').length} typed, p99 ${p99.toFixed(0)} ms, max ${(times.at(-1) ?? NaN).toFixed(0)} ms`,
    );
  });
});
