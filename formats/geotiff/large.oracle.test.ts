// Large-raster behaviour of formats/geotiff against GDAL: our LZW decoder (codecs/lzw.ts) byte-exact
// on the large real Landsat band in ../shared/data and on files GDAL writes with every LZW variant
// (predictor 1/2/3, strips, tiles, planar, 12-bit code tables filled and cleared), and the memory
// budget (MEMORY_BUDGET before allocating, configurable per source and per read).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { openRaster, type Raster } from '../index.ts';
import { FormatError } from '../errors.ts';
import { lzwDecode } from './codecs/lzw.ts';
import { gdalRead, oracleMissing } from './testing/oracle.ts';

const skip = oracleMissing();
const LANDSAT = fileURLToPath(
  new URL(
    '../../../shared/data/train/satellite/landsat8_rio_pansharpen/LC81070352015122LGN00/LC81070352015122LGN00_B2.tif',
    import.meta.url,
  ),
);

const bytesOf = (r: Raster): Buffer => Buffer.from(r.data.buffer, r.data.byteOffset, r.data.byteLength);
const tmp = mkdtempSync(join(tmpdir(), 'lzw-oracle-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

async function equalsGdal(path: string): Promise<void> {
  const ref = await gdalRead(path);
  const src = await openRaster(path);
  try {
    const r = await src.read();
    assert.equal(r.dtype, ref.array.dtype);
    const b = Buffer.from(ref.array.data.buffer, ref.array.data.byteOffset, ref.array.data.byteLength);
    assert.ok(bytesOf(r).equals(b), `${path}: pixels differ from GDAL`);
  } finally {
    await src.close();
  }
}

describe('LZW decodes byte-exactly like GDAL', { skip: skip ?? false }, () => {
  it(
    'the large real Landsat band (../shared/data)',
    { skip: existsSync(LANDSAT) ? false : `${LANDSAT} is absent` },
    async () => {
      const src = await openRaster(LANDSAT);
      assert.equal(src.info.compression, 'lzw');
      await src.close();
      await equalsGdal(LANDSAT);
    },
  );

  // GDAL-written variants from a fixture: noise-like data (upsampled 16-bit RGB) fills the 4096-entry
  // code table many times, so widths 9..12 and CLEAR codes all occur
  const from = 'fixtures/geotiff/u16_rgb_cog_deflate_ovr.tif';
  const variants: Array<[string, string[]]> = [
    ['strips_pred1.tif', []],
    ['tiles_pred2.tif', ['-co', 'TILED=YES', '-co', 'PREDICTOR=2']],
    ['planar_pred2.tif', ['-co', 'INTERLEAVE=BAND', '-co', 'PREDICTOR=2', '-co', 'BLOCKYSIZE=7']],
    [
      'float_pred3.tif',
      [
        '-ot',
        'Float32',
        '-co',
        'PREDICTOR=3',
        '-co',
        'TILED=YES',
        '-co',
        'BLOCKXSIZE=32',
        '-co',
        'BLOCKYSIZE=32',
      ],
    ],
    ['byte_strips.tif', ['-ot', 'Byte', '-scale', '-co', 'BLOCKYSIZE=5']],
  ];
  for (const [name, args] of variants) {
    it(`gdal_translate -co COMPRESS=LZW ${args.join(' ')}`, async () => {
      const path = join(tmp, name);
      execFileSync('gdal_translate', [
        '-q',
        '-outsize',
        '300%',
        '300%',
        '-r',
        'cubic',
        '-co',
        'COMPRESS=LZW',
        ...args,
        from,
        path,
      ]);
      await equalsGdal(path);
    });
  }

  it('refuses old-style LZW, a code past the table, and output beyond the block size', () => {
    assert.throws(() => lzwDecode(new Uint8Array([0x00, 0x01, 0x02]), 16), /old-style/);
    // 9-bit codes MSB-first: 300 (> next free entry 258) right away
    const bad = new Uint8Array([300 >> 1, (300 & 1) << 7, 0]);
    assert.throws(() => lzwDecode(bad, 16), /corrupt LZW/);
    // CLEAR, 'A', 'A', EOI decodes to 2 bytes: a 1-byte block bound must fail, not truncate
    const codes = [256, 65, 65, 257];
    let bits = 0n;
    for (const c of codes) bits = (bits << 9n) | BigInt(c);
    const nbits = codes.length * 9;
    const pad = (8 - (nbits % 8)) % 8;
    bits <<= BigInt(pad);
    const bytes = new Uint8Array((nbits + pad) / 8);
    for (let i = bytes.length - 1; i >= 0; i--) {
      bytes[i] = Number(bits & 0xffn);
      bits >>= 8n;
    }
    assert.deepEqual([...lzwDecode(bytes, 2)], [65, 65]);
    assert.throws(() => lzwDecode(bytes, 1), /DECOMPRESSED_SIZE_MISMATCH/);
  });
});

describe('decimated reads of files without a small enough overview', { skip: skip ?? false }, () => {
  // the oracle: GDAL's full-resolution pixels, every k-th row and column taken in numpy's way
  function subsample(
    a: { data: ArrayLike<number>; shape: number[] },
    k: number,
    x0 = 0,
    y0 = 0,
    w?: number,
    h?: number,
  ): number[] {
    const [H, W, C = 1] = a.shape as [number, number, number?];
    const out: number[] = [];
    for (let y = y0; y < y0 + (h ?? H - y0); y += k)
      for (let x = x0; x < x0 + (w ?? W - x0); x += k)
        for (let c = 0; c < C; c++) out.push(a.data[(y * W + x) * C + c] as number);
    return out;
  }

  for (const [name, args] of [
    ['striped_no_ovr.tif', ['-co', 'BLOCKYSIZE=3']],
    ['tiled_no_ovr.tif', ['-co', 'TILED=YES', '-co', 'BLOCKXSIZE=16', '-co', 'BLOCKYSIZE=16']],
    [
      'planar_no_ovr.tif',
      ['-co', 'INTERLEAVE=BAND', '-co', 'TILED=YES', '-co', 'BLOCKXSIZE=32', '-co', 'BLOCKYSIZE=32'],
    ],
  ] as const) {
    it(`${name}: every k-th pixel equals GDAL's, one block row at a time`, async () => {
      const path = join(tmp, name);
      execFileSync('gdal_translate', [
        '-q',
        '-co',
        'COMPRESS=LZW',
        ...args,
        'fixtures/geotiff/u16_rgb_cog_deflate_ovr.tif',
        path,
      ]);
      const ref = await gdalRead(path);
      const src = await openRaster(path);
      try {
        const { width, height } = src.info;
        for (const t of [2, 3, 7, 40]) {
          const target = { width: Math.floor(width / t), height: Math.floor(height / t) };
          // the step: the largest integer keeping both sides >= the target
          const k = Math.floor(Math.min(width / target.width, height / target.height));
          assert.ok(k >= t);
          const r = await src.read({ targetSize: target, decimate: true });
          assert.ok(r.width >= target.width && r.height >= target.height);
          assert.equal(r.width, Math.ceil(width / k), `k ${k}`);
          assert.equal(r.height, Math.ceil(height / k));
          assert.deepEqual(Array.from(r.data), subsample(ref.array, k), `k ${k}`);
        }
        // a window, decimated
        const win = { x: 13, y: 9, width: 101, height: 77 };
        const r = await src.read({ window: win, targetSize: { width: 33, height: 25 }, decimate: true });
        assert.deepEqual(r.window, win);
        assert.deepEqual(Array.from(r.data), subsample(ref.array, 3, 13, 9, 101, 77));
        // without decimate the same request reads full resolution (no overview in the file)
        const full = await src.read({ window: win, targetSize: { width: 33, height: 25 } });
        assert.equal(full.width, 101);
        // the budget applies to the decimated size only
        const small = await src.read({
          targetSize: { width: 8, height: 8 },
          decimate: true,
          memoryBudget: 40 * 40 * 6,
        });
        assert.ok(small.width <= 40);
      } finally {
        await src.close();
      }
    });
  }
});

describe('memory budget', () => {
  const file = 'fixtures/geotiff/u16_rgb_cog_deflate_ovr.tif';

  it('a read over the budget fails with MEMORY_BUDGET; windows, overviews and overrides fit', async () => {
    const src = await openRaster(file, { limits: { memoryBudget: 30_000 } });
    try {
      const { width, height } = src.info;
      assert.ok(width * height * 3 * 2 > 30_000);
      await assert.rejects(
        src.read(),
        (e: unknown) => e instanceof FormatError && e.code === 'MEMORY_BUDGET',
      );
      // 40x40x3 uint16 = 9600 bytes fits
      const w = await src.read({ window: { x: 0, y: 0, width: 40, height: 40 } });
      assert.equal(w.data.length, 40 * 40 * 3);
      // the smallest overview fits where the full image does not
      const o = await src.read({ targetSize: { width: 1, height: 1 } });
      assert.ok(o.width * o.height * 3 * 2 <= 30_000, `overview ${o.width}x${o.height}`);
      // a per-read budget overrides the source's
      const whole = await src.read({ memoryBudget: width * height * 6 });
      assert.equal(whole.data.length, width * height * 3);
      await assert.rejects(
        src.read({ window: { x: 0, y: 0, width: 40, height: 40 }, memoryBudget: 9599 }),
        (e: unknown) => e instanceof FormatError && e.code === 'MEMORY_BUDGET',
      );
    } finally {
      await src.close();
    }
  });
});
