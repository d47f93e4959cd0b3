/**
 * Every FormatError code openDicom promises, each produced from a real fixture mutated the way
 * files break in practice (cut short, a length or tag overwritten, codec bytes scrambled), and each
 * returned quickly. dicom-parser (the real parser) locates the bytes to mutate.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import dicomParser from 'dicom-parser';
import { FormatError, type FormatErrorCode } from '../errors.ts';
import { openRaster } from '../index.ts';
import { DEFAULT_LIMITS, type DecodeLimits } from '../raster.ts';
import { oracleMissing, runPython } from './testing/oracle.ts';
import { openDicom } from './source.ts';

const fixture = (name: string) => new Uint8Array(readFileSync(join('fixtures', 'dicom', name)));

/** Offset of an element's value in the original file (via dicom-parser). */
function valueOffset(bytes: Uint8Array, tag: string): { dataOffset: number; length: number } {
  const ds = dicomParser.parseDicom(Buffer.from(bytes)); // a Buffer: dicom-parser inflates those in Node
  const el = ds.elements[tag];
  if (!el) throw new Error(`fixture has no ${tag}`);
  return { dataOffset: el.dataOffset, length: el.length };
}

/** First pixel fragment (position of its value, and length). */
function firstFragment(bytes: Uint8Array): { position: number; length: number } {
  const el = dicomParser.parseDicom(bytes).elements['x7fe00010'];
  const f = el?.fragments?.[0];
  if (!f) throw new Error('no fragment');
  return f;
}

/** A deterministic byte scrambler (no Math.random: failures must reproduce). */
function scramble(b: Uint8Array, from: number, count: number, seed: number): void {
  let s = seed >>> 0;
  for (let i = 0; i < count && from + i < b.length; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    b[from + i] = s >>> 24;
  }
}

/** Opens and reads every frame; resolves to the FormatError code, or 'OK'. Fails when slow. */
async function outcome(
  bytes: Uint8Array,
  opts: { limits?: DecodeLimits; frame?: number; signal?: AbortSignal } = {},
): Promise<FormatErrorCode | 'OK'> {
  const t0 = performance.now();
  try {
    const src = await openDicom(bytes, {
      limits: opts.limits ?? DEFAULT_LIMITS,
      signal: opts.signal,
      worker: false,
    });
    if (opts.frame !== undefined) await src.read({ frame: opts.frame, signal: opts.signal });
    else for (let f = 0; f < src.info.frames; f++) await src.read({ frame: f, signal: opts.signal });
    return 'OK';
  } catch (err) {
    if (!(err instanceof FormatError)) throw err;
    return err.code;
  } finally {
    const ms = performance.now() - t0;
    assert.ok(ms < 10_000, `took ${ms.toFixed(0)} ms`);
  }
}

/** The error itself, to check its message too. */
async function errorOf(bytes: Uint8Array, limits: DecodeLimits = DEFAULT_LIMITS): Promise<FormatError> {
  try {
    const src = await openDicom(bytes, { limits, worker: false });
    await src.read();
  } catch (err) {
    if (err instanceof FormatError) return err;
    throw err;
  }
  assert.fail('decoded without error');
}

describe('DICOM errors from mutated fixtures', () => {
  test('TRUNCATED: file cut inside the meta header or an element header', async () => {
    const b = fixture('mr384_12bit_explicit_le.dcm');
    assert.equal(await outcome(b.subarray(0, 140)), 'TRUNCATED');
    assert.equal(await outcome(b.subarray(0, 200)), 'TRUNCATED');
    const rows = valueOffset(b, 'x00280010');
    for (const cut of [rows.dataOffset - 5, rows.dataOffset - 2])
      assert.equal(await outcome(b.subarray(0, cut)), 'TRUNCATED');
    const enc = fixture('mr384_12bit_rle.dcm');
    const frag = firstFragment(enc);
    assert.equal(await outcome(enc.subarray(0, frag.position - 5)), 'TRUNCATED', 'cut inside an item header');
  });

  test('TRUNCATED through openRaster too (the public entry)', async () => {
    const b = fixture('ct128_signed16_explicit_le.dcm');
    await assert.rejects(openRaster(b.subarray(0, 150)), (e: FormatError) => e.code === 'TRUNCATED');
  });

  test('LENGTH_BEYOND_FILE: an element or fragment length past the end', async () => {
    const b = fixture('mr384_12bit_explicit_le.dcm');
    const px = valueOffset(b, 'x7fe00010');
    assert.equal(
      await outcome(b.subarray(0, px.dataOffset + 1000)),
      'LENGTH_BEYOND_FILE',
      'cut inside Pixel Data',
    );
    const implicit = fixture('mr64_implicit_le.dcm');
    const name = valueOffset(implicit, 'x00100010');
    new DataView(implicit.buffer).setUint32(name.dataOffset - 4, 0x00ffffff, true);
    assert.equal(await outcome(implicit), 'LENGTH_BEYOND_FILE', 'PatientName length 16 MB');
    const rle = fixture('mr384_12bit_rle.dcm');
    const frag = firstFragment(rle);
    new DataView(rle.buffer).setUint32(frag.position - 4, 0x7ffffff0, true);
    assert.equal(await outcome(rle), 'LENGTH_BEYOND_FILE', 'fragment length 2 GB');
    const enc = fixture('ct512_j2k_lossy.dcm');
    const f2 = firstFragment(enc);
    assert.equal(
      await outcome(enc.subarray(0, f2.position + 100)),
      'LENGTH_BEYOND_FILE',
      'cut inside a fragment',
    );
  });

  test('NOT_DICOM: a TIFF, and a DICOM file whose DICM prefix is damaged', async () => {
    const tif = new Uint8Array(readFileSync(join('fixtures', 'geotiff', 'u16_rgb_cog_deflate_ovr.tif')));
    assert.equal(await outcome(tif), 'NOT_DICOM');
    const b = fixture('mr64_explicit_be.dcm');
    b.fill(0, 0, 128); // the preamble of this file is a TIFF header: clear it so only DICM is damaged
    b[131] = 0x58; // DICX
    assert.equal(await outcome(b), 'NOT_DICOM');
  });

  test('UNSUPPORTED_TRANSFER_SYNTAX names the UID', async () => {
    const b = fixture('mr384_12bit_jpegls_lossless_charls.dcm');
    const ts = valueOffset(b, 'x00020010');
    const uid = '1.2.840.10008.1.2.4.53'; // retired JPEG spectral selection, same length as .4.80
    assert.equal(ts.length, uid.length);
    b.set(new TextEncoder().encode(uid), ts.dataOffset);
    const err = await errorOf(b);
    assert.equal(err.code, 'UNSUPPORTED_TRANSFER_SYNTAX');
    assert.match(err.message, /1\.2\.840\.10008\.1\.2\.4\.53/);
  });

  test('DIMENSIONS_TOO_LARGE: checked against the limits before allocating', async () => {
    const b = fixture('mr64_10frame_12bit_rle.dcm');
    const nf = valueOffset(b, 'x00280008');
    b.set(new TextEncoder().encode('99'), nf.dataOffset);
    const limits = { maxDimension: 4096, maxSamples: 64 * 64 * 50 };
    assert.equal(await outcome(b, { limits }), 'DIMENSIONS_TOO_LARGE', '99 frames over a 50-frame budget');
    const c = fixture('mr384_12bit_explicit_le.dcm');
    const dv = new DataView(c.buffer);
    dv.setUint16(valueOffset(c, 'x00280010').dataOffset, 0xffff, true);
    dv.setUint16(valueOffset(c, 'x00280011').dataOffset, 0xffff, true);
    assert.equal(await outcome(c), 'DIMENSIONS_TOO_LARGE', '65535 x 65535 with default limits');
    assert.equal(
      await outcome(fixture('mr384_12bit_explicit_le.dcm'), {
        limits: { maxDimension: 256, maxSamples: 2 ** 31 },
      }),
      'DIMENSIONS_TOO_LARGE',
    );
  });

  test('DECOMPRESSED_SIZE_MISMATCH: Rows disagrees with the codestream', async () => {
    for (const name of [
      'mr384_12bit_jpegls_lossless_charls.dcm',
      'mr384_12bit_j2k_lossless.dcm',
      'mr384_12bit_jpeg_lossless_sv1.dcm',
      'mr384_12bit_rle.dcm',
      'ct512_2frame_jpeg_extended12_fragmented_nobot.dcm',
      'ct512_jpeg_baseline_8bit.dcm',
    ]) {
      const b = fixture(name);
      const rows = valueOffset(b, 'x00280010');
      const dv = new DataView(b.buffer);
      dv.setUint16(rows.dataOffset, dv.getUint16(rows.dataOffset, true) - 1, true);
      assert.equal(await outcome(b), 'DECOMPRESSED_SIZE_MISMATCH', name);
    }
  });

  test('MISSING_ATTRIBUTE: Rows or BitsAllocated renamed away', async () => {
    for (const [tag, renamed] of [
      ['x00280010', 0x0012],
      ['x00280100', 0x0099],
    ] as const) {
      const b = fixture('ct128_signed16_explicit_le.dcm');
      const el = valueOffset(b, tag);
      new DataView(b.buffer).setUint16(el.dataOffset - 6, renamed, true); // explicit VR: tag, VR, 2-byte length
      assert.equal(await outcome(b), 'MISSING_ATTRIBUTE', tag);
    }
  });

  test('UNSUPPORTED_PHOTOMETRIC and UNSUPPORTED_SAMPLE_FORMAT: CMYK, 12-bit packed samples', async () => {
    const b = fixture('ct128_signed16_explicit_le.dcm');
    const pi = valueOffset(b, 'x00280004');
    b.set(new TextEncoder().encode('CMYK'.padEnd(pi.length, ' ')), pi.dataOffset);
    assert.equal(await outcome(b), 'UNSUPPORTED_PHOTOMETRIC');
    const c = fixture('ct128_signed16_explicit_le.dcm');
    new DataView(c.buffer).setUint16(valueOffset(c, 'x00280100').dataOffset, 12, true);
    assert.equal(await outcome(c), 'UNSUPPORTED_SAMPLE_FORMAT');
  });

  test('NO_PIXEL_DATA: Pixel Data dropped (cut before it, or its tag renamed)', async () => {
    const b = fixture('ct128_signed16_explicit_le.dcm');
    const px = valueOffset(b, 'x7fe00010');
    assert.equal(await outcome(b.subarray(0, px.dataOffset - 12)), 'NO_PIXEL_DATA');
    new DataView(b.buffer).setUint16(px.dataOffset - 10, 0x0020, true);
    assert.equal(await outcome(b), 'NO_PIXEL_DATA');
  });

  test('CORRUPT_DATA: codec headers scrambled, deflate stream scrambled', async () => {
    for (const name of [
      'ct512_jpeg_baseline_8bit.dcm',
      'sc100_rgb_jpeg_baseline_ybr422.dcm',
      'ct512_2frame_jpeg_extended12_fragmented_nobot.dcm',
      'mr384_12bit_jpeg_lossless_sv1.dcm',
      'mr384_12bit_jpegls_lossless_charls.dcm',
      'ct512_jpegls_near_lossless.dcm',
      'mr384_12bit_j2k_lossless.dcm',
      'ct512_j2k_lossy.dcm',
      'mr384_12bit_rle.dcm',
    ]) {
      const b = fixture(name);
      const frag = firstFragment(b);
      scramble(b, frag.position + 2, 40, 7);
      assert.equal(await outcome(b, { frame: 0 }), 'CORRUPT_DATA', name);
    }
    const d = fixture('ot512_8bit_deflated.dcm');
    const meta = valueOffset(d, 'x00020010');
    scramble(d, meta.dataOffset + 200, 200, 3);
    assert.ok(['CORRUPT_DATA', 'TRUNCATED', 'LENGTH_BEYOND_FILE'].includes(await outcome(d)), 'deflate');
  });

  test('never hangs: whole codestreams replaced by garbage settle quickly', async () => {
    for (const name of [
      'ct512_jpeg_baseline_8bit.dcm',
      'ct512_2frame_jpeg_extended12_fragmented_nobot.dcm',
      'mr384_12bit_jpeg_lossless_sv1.dcm',
      'mr384_12bit_jpegls_lossless_charls.dcm',
      'mr384_12bit_j2k_lossless.dcm',
      'mr384_12bit_rle.dcm',
    ]) {
      for (const [start, keep] of [
        [0, 0], // everything, markers included
        [2, 0], // all but SOI / SOC
        [0.5, 1], // the second half of the entropy-coded data only
      ] as const) {
        const b = fixture(name);
        const frag = firstFragment(b);
        const from = keep ? frag.position + Math.floor(frag.length * start) : frag.position + start;
        scramble(b, from, frag.position + frag.length - from, 11);
        const code = await outcome(b, { frame: 0 }); // settles (assertion inside on time)
        assert.ok(code === 'OK' || typeof code === 'string');
      }
    }
  });

  test('FRAME_OUT_OF_RANGE and WINDOW_OUT_OF_BOUNDS', async () => {
    const b = fixture('mr64_10frame_12bit_rle.dcm');
    for (const frame of [10, -1, 0.5]) assert.equal(await outcome(b, { frame }), 'FRAME_OUT_OF_RANGE');
    const src = await openDicom(b, { limits: DEFAULT_LIMITS, worker: false });
    for (const window of [
      { x: 60, y: 0, width: 8, height: 8 },
      { x: -1, y: 0, width: 8, height: 8 },
      { x: 0, y: 0, width: 0, height: 8 },
      { x: 0, y: 0, width: 65, height: 1 },
    ])
      await assert.rejects(src.read({ window }), (e: FormatError) => e.code === 'WINDOW_OUT_OF_BOUNDS');
  });

  test(
    'DIMENSIONS_TOO_LARGE: a deflated dataset inflating past the limits (zip bomb)',
    { skip: oracleMissing() },
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'tilesr-dicom-bomb-'));
      try {
        runPython('dicom_variants.py', [join('fixtures', 'dicom'), dir]); // pydicom writes it
        const b = new Uint8Array(readFileSync(join(dir, 'deflate_bomb.dcm')));
        assert.ok(b.length < 64 * 1024, `the bomb is small (${b.length} bytes)`);
        assert.equal(await outcome(b), 'OK', 'within default limits it is a valid file');
        const limits = { maxDimension: 4096, maxSamples: 128 * 160 }; // the image fits, 24 MB of zeros do not
        assert.equal(await outcome(b, { limits }), 'DIMENSIONS_TOO_LARGE');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  test('ABORTED: an aborted signal stops opening and reading', async () => {
    const b = fixture('mr384_12bit_jpegls_lossless_charls.dcm');
    assert.equal(await outcome(b, { signal: AbortSignal.abort() }), 'ABORTED');
    const src = await openDicom(b, { limits: DEFAULT_LIMITS, worker: false });
    await assert.rejects(src.read({ signal: AbortSignal.abort() }), (e: FormatError) => e.code === 'ABORTED');
  });
});
