/**
 * Property-based tests (fast-check, seeded) of the parsers behind `decode` and `metrics`: arbitrary
 * bytes, and structurally valid inputs then mutated (DICOM element streams, TIFF IFDs, PNG chunks,
 * .npy headers), must end in a valid result or a FormatError with a code, never another exception.
 * Runs in process with small inputs (a few hundred runs each, < 60 s in all); a failing run prints
 * its seed and the shrunk counterexample. The worker-thread corpus (fuzz.test.ts) covers size and
 * time; this covers shapes of input the corpus's mutators do not think of.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { FormatError, openRaster, type DecodeLimits } from '../../formats/index.ts';
import { DEFAULT_LIMITS } from '../../formats/raster.ts';
import { decodeNpy, encodeNpy } from '../../formats/npy.ts';
import { decodePng } from '../../formats/png/decode.ts';
import { encodePng } from '../../formats/png/encode.ts';
import { crc32 } from '../../formats/png/common.ts';
import { NPY_DESCRS } from './npy-mutants.ts';

const SEED = 20261201;
const RUNS = 300;
const LIMITS: DecodeLimits = { ...DEFAULT_LIMITS, maxSamples: 2 ** 22, maxDimension: 2 ** 14 };

/** Ok, or a FormatError with a non-empty code; anything else is rethrown (fails the property). */
function typedOrOk(err: unknown): void {
  if (err instanceof FormatError && typeof err.code === 'string' && err.code.length > 0) return;
  throw err;
}

/** Decodes like `tilesr decode`: open, read frame 0 (and a window); true when it decoded. */
async function decode(bytes: Uint8Array): Promise<boolean> {
  try {
    const src = await openRaster(bytes, { limits: LIMITS });
    try {
      const r = await src.read({ frame: 0 });
      assert.equal(r.data.length, r.width * r.height * r.samples);
      if (src.info.width > 2 && src.info.height > 2)
        await src.read({ window: { x: 1, y: 1, width: 2, height: 2 } });
    } finally {
      await src.close();
    }
    return true;
  } catch (err) {
    typedOrOk(err);
    return false;
  }
}

const opts = (runs = RUNS) => ({ seed: SEED, numRuns: runs, endOnFailure: true });

/** Byte edits applied after building a valid structure: (position fraction, new byte). */
const edits = fc.array(
  fc.tuple(fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), fc.integer({ min: 0, max: 255 })),
  {
    maxLength: 6,
  },
);
function applyEdits(b: Uint8Array, e: [number, number][], cut: number | null): Uint8Array {
  const out = b.slice();
  for (const [f, v] of e) out[Math.floor(f * out.length)] = v;
  return cut === null ? out : out.subarray(0, Math.floor(cut * out.length));
}
const cutArb = fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { freq: 3 });

test('arbitrary bytes, bare or behind a DICOM/TIFF/PNG/.npy magic, never throw untyped', async () => {
  const magic = fc.constantFrom(
    new Uint8Array(0),
    new Uint8Array([...new Uint8Array(128), 0x44, 0x49, 0x43, 0x4d]),
    new Uint8Array([0x49, 0x49, 0x2a, 0x00]),
    new Uint8Array([0x4d, 0x4d, 0x00, 0x2a]),
    new Uint8Array([0x49, 0x49, 0x2b, 0x00, 0x08, 0x00, 0x00, 0x00]),
  );
  await fc.assert(
    fc.asyncProperty(magic, fc.uint8Array({ maxLength: 1024 }), async (m, tail) => {
      const b = new Uint8Array(m.length + tail.length);
      b.set(m);
      b.set(tail, m.length);
      await decode(b);
      try {
        decodePng(b, LIMITS);
      } catch (err) {
        typedOrOk(err);
      }
      try {
        decodeNpy(b, LIMITS);
      } catch (err) {
        typedOrOk(err);
      }
    }),
    opts(),
  );
});

// ---- DICOM: explicit VR little endian element streams ----

interface El {
  tag: number;
  vr: string;
  value: Uint8Array;
}

function u16(v: number): Uint8Array {
  return new Uint8Array([v & 255, (v >> 8) & 255]);
}
function str(s: string): Uint8Array {
  const b = new TextEncoder().encode(s.length % 2 ? `${s} ` : s);
  return b;
}
const LONG_VR = new Set(['OB', 'OW', 'OF', 'SQ', 'UT', 'UN', 'UC', 'UR', 'OD', 'OL', 'OV']);

function writeEl(e: El): Uint8Array {
  const long = LONG_VR.has(e.vr);
  const head = new Uint8Array(long ? 12 : 8);
  const dv = new DataView(head.buffer);
  dv.setUint16(0, e.tag >>> 16, true);
  dv.setUint16(2, e.tag & 0xffff, true);
  head[4] = e.vr.charCodeAt(0);
  head[5] = e.vr.charCodeAt(1);
  if (long) dv.setUint32(8, e.value.length, true);
  else dv.setUint16(6, e.value.length & 0xffff, true);
  const out = new Uint8Array(head.length + e.value.length);
  out.set(head);
  out.set(e.value, head.length);
  return out;
}

function dicomFile(els: El[]): Uint8Array {
  const meta: El[] = [{ tag: 0x00020010, vr: 'UI', value: str('1.2.840.10008.1.2.1') }];
  const metaBytes = meta.map(writeEl);
  const metaLen = metaBytes.reduce((n, b) => n + b.length, 0);
  const group = writeEl({
    tag: 0x00020000,
    vr: 'UL',
    value: new Uint8Array(new Uint32Array([metaLen]).buffer),
  });
  const body = [...els].sort((a, b) => a.tag - b.tag).map(writeEl);
  const parts = [new Uint8Array(128), str('DICM'), group, ...metaBytes, ...body];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

const dicomArb = fc
  .record({
    rows: fc.integer({ min: 0, max: 40 }),
    cols: fc.integer({ min: 0, max: 40 }),
    bits: fc.constantFrom(1, 8, 12, 16, 32, 0, 7),
    samples: fc.constantFrom(1, 3, 0, 2),
    signed: fc.integer({ min: 0, max: 1 }),
    frames: fc.option(fc.constantFrom('1', '2', '0', '-1', 'x', '100000'), { nil: undefined }),
    photometric: fc.constantFrom('MONOCHROME2', 'MONOCHROME1', 'RGB', 'YBR_FULL', 'PALETTE COLOR', 'FOO'),
    pixelBytes: fc.integer({ min: 0, max: 8000 }),
    extra: fc.array(
      fc.record({
        tag: fc.integer({ min: 0x00080000, max: 0x7fe0000f }),
        vr: fc.constantFrom('DS', 'IS', 'US', 'UL', 'SS', 'FL', 'FD', 'LO', 'OB', 'UN', 'SQ', 'XX'),
        value: fc.uint8Array({ maxLength: 24 }),
      }),
      { maxLength: 6 },
    ),
  })
  .map((d) => {
    const els: El[] = [
      { tag: 0x00280002, vr: 'US', value: u16(d.samples) },
      { tag: 0x00280004, vr: 'CS', value: str(d.photometric) },
      { tag: 0x00280010, vr: 'US', value: u16(d.rows) },
      { tag: 0x00280011, vr: 'US', value: u16(d.cols) },
      { tag: 0x00280100, vr: 'US', value: u16(d.bits) },
      { tag: 0x00280101, vr: 'US', value: u16(d.bits) },
      { tag: 0x00280102, vr: 'US', value: u16(Math.max(0, d.bits - 1)) },
      { tag: 0x00280103, vr: 'US', value: u16(d.signed) },
      {
        tag: 0x7fe00010,
        vr: 'OW',
        value: new Uint8Array(d.pixelBytes + (d.pixelBytes % 2)).map((_, i) => i * 7),
      },
      ...d.extra.filter((e) => e.tag >>> 16 !== 0x0028 && e.tag !== 0x7fe00010),
    ];
    if (d.frames !== undefined) els.push({ tag: 0x00280008, vr: 'IS', value: str(d.frames) });
    return dicomFile(els);
  });

test('structurally valid DICOM element streams, then byte edits and cuts, end typed or ok', async () => {
  let ok = 0;
  await fc.assert(
    fc.asyncProperty(dicomArb, edits, cutArb, async (file, e, cut) => {
      if (await decode(applyEdits(file, e, cut))) ok++;
    }),
    opts(),
  );
  // the generator must reach the pixel decoders, not only the header checks
  assert.ok(ok > 0, 'no generated DICOM decoded');
});

// ---- TIFF: one IFD of arbitrary entries over a small image ----

const TIFF_TAGS = [
  256, 257, 258, 259, 262, 273, 277, 278, 279, 284, 317, 322, 323, 324, 325, 338, 339, 33550, 33922, 34735,
  42113,
];

const entryArb = fc.record({
  tag: fc.oneof(fc.constantFrom(...TIFF_TAGS), fc.integer({ min: 0, max: 65535 })),
  type: fc.integer({ min: 0, max: 18 }),
  count: fc.oneof(fc.integer({ min: 0, max: 4 }), fc.constantFrom(0xffffffff, 2 ** 20, 65536)),
  value: fc.oneof(fc.integer({ min: 0, max: 64 }), fc.integer({ min: 0, max: 0xffffffff })),
});

const tiffArb = fc
  .record({
    w: fc.integer({ min: 0, max: 48 }),
    h: fc.integer({ min: 0, max: 48 }),
    bits: fc.constantFrom(8, 16, 32, 1, 0, 64, 12),
    spp: fc.constantFrom(1, 3, 4, 0, 2),
    compression: fc.constantFrom(1, 5, 8, 32946, 7, 50000, 0, 34887),
    sampleFormat: fc.constantFrom(1, 2, 3, 0, 9),
    tiled: fc.boolean(),
    tile: fc.constantFrom(16, 0, 15, 65536),
    dataLen: fc.integer({ min: 0, max: 6000 }),
    extra: fc.array(entryArb, { maxLength: 4 }),
    sane: fc.boolean(),
  })
  .map((wild) => {
    // half the inputs start from a valid uncompressed image (edits then damage it)
    const t = wild.sane
      ? {
          ...wild,
          w: wild.w || 1,
          h: wild.h || 1,
          bits: 8,
          spp: 1,
          compression: 1,
          sampleFormat: 1,
          tiled: false,
          extra: [],
          dataLen: (wild.w || 1) * (wild.h || 1),
        }
      : wild;
    const entries: [number, number, number, number][] = [
      [256, 3, 1, t.w],
      [257, 3, 1, t.h],
      [258, 3, 1, t.bits],
      [259, 3, 1, t.compression],
      [262, 3, 1, t.spp >= 3 ? 2 : 1],
      [277, 3, 1, t.spp],
      [284, 3, 1, 1],
      [339, 3, 1, t.sampleFormat],
    ];
    const dataAt = 8 + 2 + 4 + 12 * (entries.length + 4 + t.extra.length);
    if (t.tiled)
      entries.push([322, 3, 1, t.tile], [323, 3, 1, t.tile], [324, 4, 1, dataAt], [325, 4, 1, t.dataLen]);
    else entries.push([273, 4, 1, dataAt], [278, 3, 1, t.h], [279, 4, 1, t.dataLen], [317, 3, 1, 1]);
    for (const e of t.extra) entries.push([e.tag, e.type, e.count, e.value]);
    entries.sort((a, b) => a[0] - b[0]);
    const out = new Uint8Array(dataAt + t.dataLen);
    const dv = new DataView(out.buffer);
    out.set([0x49, 0x49, 0x2a, 0x00]);
    dv.setUint32(4, 8, true);
    dv.setUint16(8, entries.length, true);
    entries.forEach(([tag, type, count, value], i) => {
      const at = 10 + 12 * i;
      dv.setUint16(at, tag & 0xffff, true);
      dv.setUint16(at + 2, type, true);
      dv.setUint32(at + 4, count >>> 0, true);
      if (type === 3 && count === 1) dv.setUint16(at + 8, value & 0xffff, true);
      else dv.setUint32(at + 8, value >>> 0, true);
    });
    dv.setUint32(10 + 12 * entries.length, 0, true);
    for (let i = dataAt; i < out.length; i++) out[i] = (i * 131) & 255;
    return out;
  });

test('structurally valid TIFF IFDs with arbitrary entries, then byte edits and cuts, end typed or ok', async () => {
  let ok = 0;
  await fc.assert(
    fc.asyncProperty(tiffArb, edits, cutArb, async (file, e, cut) => {
      if (await decode(applyEdits(file, e, cut))) ok++;
    }),
    opts(),
  );
  assert.ok(ok > 0, 'no generated TIFF decoded');
});

// ---- PNG: chunk streams ----

function chunk(type: string, body: Uint8Array, goodCrc: boolean): Uint8Array {
  const out = new Uint8Array(12 + body.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, body.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i) & 255;
  out.set(body, 8);
  dv.setUint32(8 + body.length, goodCrc ? crc32(out.subarray(4, 8 + body.length)) : 0);
  return out;
}

const pngArb = fc
  .record({
    w: fc.integer({ min: 0, max: 64 }),
    h: fc.integer({ min: 0, max: 64 }),
    depth: fc.constantFrom(8, 16, 1, 2, 4, 0, 255),
    ctype: fc.constantFrom(0, 2, 3, 4, 6, 1, 7),
    interlace: fc.constantFrom(0, 0, 0, 1, 2),
    ihdrLen: fc.constantFrom(13, 13, 13, 0, 4, 12, 14),
    chunks: fc.array(
      fc.oneof(
        fc.record({ type: fc.constant('IDAT'), body: fc.uint8Array({ maxLength: 256 }) }),
        fc.record({ type: fc.constant('PLTE'), body: fc.uint8Array({ maxLength: 96 }) }),
        fc.record({
          type: fc.constantFrom('tEXt', 'IEND', 'zzzz', 'IHDR'),
          body: fc.uint8Array({ maxLength: 20 }),
        }),
      ),
      { maxLength: 5 },
    ),
    realIdat: fc.boolean(),
    goodCrc: fc.boolean(),
    sane: fc.boolean(),
  })
  .map((wild) => {
    // half the inputs start from a valid 8-bit gray image plus arbitrary ancillary chunks
    const p = wild.sane
      ? {
          ...wild,
          w: wild.w || 1,
          h: wild.h || 1,
          depth: 8,
          ctype: 0,
          interlace: 0,
          ihdrLen: 13,
          realIdat: true,
          chunks: wild.chunks.filter((c) => c.type !== 'IDAT' && c.type !== 'IHDR' && c.type !== 'IEND'),
        }
      : wild;
    const ih = new Uint8Array(13);
    const dv = new DataView(ih.buffer);
    dv.setUint32(0, p.w);
    dv.setUint32(4, p.h);
    ih.set([p.depth, p.ctype, 0, 0, p.interlace], 8);
    const parts: Uint8Array[] = [
      new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      chunk('IHDR', ih.subarray(0, Math.min(13, p.ihdrLen)), p.goodCrc),
    ];
    if (p.realIdat && p.w > 0 && p.h > 0) {
      // a real image of the declared size (8-bit gray), so that some cases decode
      const img = encodePng({
        width: p.w,
        height: p.h,
        channels: 1,
        data: new Uint8Array(p.w * p.h).fill(7),
      });
      parts.push(img.subarray(33, img.length - 12)); // its IDAT chunk(s)
    }
    for (const c of p.chunks) parts.push(chunk(c.type, c.body, p.goodCrc));
    parts.push(chunk('IEND', new Uint8Array(0), true));
    const out = new Uint8Array(parts.reduce((n, q) => n + q.length, 0));
    let o = 0;
    for (const q of parts) {
      out.set(q, o);
      o += q.length;
    }
    return out;
  });

test('PNG chunk streams (valid IHDR/IDAT mixed with arbitrary chunks), then edits, decode typed or ok', () => {
  let ok = 0;
  fc.assert(
    fc.property(pngArb, edits, cutArb, (file, e, cut) => {
      try {
        const p = decodePng(applyEdits(file, e, cut), LIMITS);
        assert.equal(p.data.length, p.width * p.height * p.samples);
        ok++;
      } catch (err) {
        typedOrOk(err);
      }
    }),
    opts(),
  );
  assert.ok(ok > 0, 'no generated PNG decoded');
});

test('PNG round trip: encodePng then decodePng gives the samples back', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 24 }),
      fc.integer({ min: 1, max: 24 }),
      fc.constantFrom(1 as const, 3 as const),
      fc.constantFrom(8 as const, 16 as const),
      fc.integer({ min: 0, max: 2 ** 31 - 1 }),
      (w, h, channels, depth, seed) => {
        const n = w * h * channels;
        const data = depth === 16 ? new Uint16Array(n) : new Uint8Array(n);
        for (let i = 0; i < n; i++)
          data[i] = (Math.imul(i + seed, 2654435761) >>> 7) & (depth === 16 ? 0xffff : 0xff);
        const p = decodePng(encodePng({ width: w, height: h, channels, data }));
        assert.deepEqual([p.width, p.height, p.samples, p.bitDepth], [w, h, channels, depth]);
        assert.deepEqual(Array.from(p.data), Array.from(data));
      },
    ),
    opts(100),
  );
});

// ---- .npy headers ----

const npyArb = fc
  .record({
    major: fc.constantFrom(1, 1, 2, 3, 0, 9),
    descr: fc.oneof(fc.constantFrom(...NPY_DESCRS, '<c8', '|b1', '<U3', '|O'), fc.string({ maxLength: 6 })),
    fortran: fc.constantFrom('False', 'True', 'x'),
    shape: fc.oneof(
      fc
        .array(fc.integer({ min: 0, max: 12 }), { maxLength: 4 })
        .map((s) => (s.length === 1 ? `(${s[0]},)` : `(${s.join(', ')})`)),
      fc.constantFrom(
        '(-1, 2)',
        '(1.5,)',
        '(1e9, 1e9)',
        '(nan,)',
        '(3, 4',
        '[2, 2]',
        '()',
        "('a',)",
        '(18446744073709551616,)',
      ),
      fc.string({ maxLength: 12 }),
    ),
    body: fc.uint8Array({ maxLength: 2048 }),
    lenDelta: fc.constantFrom(0, 0, 0, -1, 1, 100, -100),
  })
  .map((n) => {
    const header = `{'descr': '${n.descr}', 'fortran_order': ${n.fortran}, 'shape': ${n.shape}, }\n`;
    const h = new TextEncoder().encode(header);
    const start = n.major === 1 ? 10 : 12;
    const out = new Uint8Array(start + h.length + n.body.length);
    out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, n.major, 0]);
    const dv = new DataView(out.buffer);
    const len = Math.max(0, h.length + n.lenDelta);
    if (n.major === 1) dv.setUint16(8, len & 0xffff, true);
    else dv.setUint32(8, len, true);
    out.set(h, start);
    out.set(n.body, start + h.length);
    return out;
  });

test('.npy headers (arbitrary descr, shape, fortran_order, version, header length) parse typed or ok', () => {
  fc.assert(
    fc.property(npyArb, edits, cutArb, (file, e, cut) => {
      try {
        const a = decodeNpy(applyEdits(file, e, cut), LIMITS);
        // a parsed array is consistent: its shape holds exactly its values
        assert.ok(a.shape.every((d) => Number.isSafeInteger(d) && d >= 0));
        assert.equal(
          a.data.length,
          a.shape.reduce((p, d) => p * d, 1),
        );
      } catch (err) {
        typedOrOk(err);
      }
    }),
    opts(),
  );
});

test('.npy round trip: encodeNpy then decodeNpy gives the array back', () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 3 }),
      fc.constantFrom(...(['uint8', 'int16', 'uint16', 'int32', 'float32', 'float64'] as const)),
      (shape, dtype) => {
        const n = shape.reduce((p, d) => p * d, 1);
        const Ctor = {
          uint8: Uint8Array,
          int16: Int16Array,
          uint16: Uint16Array,
          int32: Int32Array,
          float32: Float32Array,
          float64: Float64Array,
        }[dtype];
        const data = new Ctor(n).map((_, i) => i % 97);
        const a = decodeNpy(encodeNpy({ shape, dtype, data }));
        assert.deepEqual(a.shape, shape);
        assert.equal(a.dtype, dtype);
        assert.deepEqual(Array.from(a.data), Array.from(data));
      },
    ),
    opts(100),
  );
});
