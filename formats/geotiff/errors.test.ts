// Bad GeoTIFFs made from real fixtures by real mutations (cut, patched tags, overwritten bytes):
// each must fail with its stable FormatError code, quickly, and never hand back a blank image.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { deflateSync } from 'node:zlib';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DEFAULT_LIMITS, FormatError, openRaster, type FormatErrorCode, type OpenOptions } from '../index.ts';
import type { RasterInput } from '../input.ts';
import { openGeoTiff } from './source.ts';

const DIR = 'fixtures/geotiff';
const load = (f: string): Uint8Array => new Uint8Array(readFileSync(`${DIR}/${f}`));
const tmp = mkdtempSync(join(tmpdir(), 'tiff-err-'));

/** Classic little-endian TIFF: the IFD0 entry for `tag` (where its value or value offset lives). */
function entry(b: Uint8Array, tag: number): { at: number; type: number; count: number; value: number } {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  assert.equal(dv.getUint16(0, true), 0x4949, 'helper handles little-endian classic TIFF only');
  const ifd = dv.getUint32(4, true);
  const n = dv.getUint16(ifd, true);
  for (let i = 0; i < n; i++) {
    const at = ifd + 2 + i * 12;
    if (dv.getUint16(at, true) !== tag) continue;
    const type = dv.getUint16(at + 2, true);
    const count = dv.getUint32(at + 4, true);
    const value = type === 3 && count === 1 ? dv.getUint16(at + 8, true) : dv.getUint32(at + 8, true);
    return { at, type, count, value };
  }
  throw new Error(`tag ${tag} not in IFD0`);
}

/** Sets element `i` of a SHORT/LONG tag (inline or out of line). */
function setTag(b: Uint8Array, tag: number, v: number, i = 0): void {
  const e = entry(b, tag);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const size = e.type === 3 ? 2 : 4;
  const where = e.count * size <= 4 ? e.at + 8 + i * size : e.value + i * size;
  if (size === 2) dv.setUint16(where, v, true);
  else dv.setUint32(where, v, true);
}

function getTag(b: Uint8Array, tag: number, i = 0): number {
  const e = entry(b, tag);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const size = e.type === 3 ? 2 : 4;
  const where = e.count * size <= 4 ? e.at + 8 + i * size : e.value + i * size;
  return size === 2 ? dv.getUint16(where, true) : dv.getUint32(where, true);
}

/** Opens and reads everything; returns the FormatError code and how long it took. */
async function failure(
  input: RasterInput,
  opts: OpenOptions = {},
): Promise<{ code: FormatErrorCode; ms: number; message: string }> {
  const t0 = performance.now();
  try {
    const src = await openRaster(input, opts);
    try {
      await src.read({ signal: opts.signal });
    } finally {
      await src.close();
    }
  } catch (err) {
    assert.ok(err instanceof FormatError, `not a FormatError: ${String(err)}`);
    return { code: err.code, ms: performance.now() - t0, message: err.message };
  }
  assert.fail('decoding succeeded but should have failed');
}

async function expectCode(
  code: FormatErrorCode,
  input: RasterInput,
  opts: OpenOptions = {},
): Promise<string> {
  const f = await failure(input, opts);
  assert.equal(f.code, code, f.message);
  assert.ok(f.ms < 2000, `took ${f.ms.toFixed(0)} ms`);
  return f.message;
}

/** End of the last strip/tile per GDAL (the oracle), or null without GDAL. */
function gdalDataEnd(file: string): number | null {
  try {
    const py =
      'import sys\nfrom osgeo import gdal\nds=gdal.Open(sys.argv[1]);b=ds.GetRasterBand(1)\n' +
      'bx,by=b.GetBlockSize();nx=(ds.RasterXSize+bx-1)//bx;ny=(ds.RasterYSize+by-1)//by\n' +
      "print(max(int(ds.GetRasterBand(k+1).GetMetadataItem(f'BLOCK_OFFSET_{x}_{y}','TIFF'))+int(ds.GetRasterBand(k+1).GetMetadataItem(f'BLOCK_SIZE_{x}_{y}','TIFF')) for k in range(ds.RasterCount) for x in range(nx) for y in range(ny)))";
    return Number(execFileSync('/usr/bin/python3', ['-c', py, file], { encoding: 'utf8' }).trim());
  } catch {
    return null;
  }
}

describe('GeoTIFF errors from mutated real files', () => {
  it('NOT_TIFF: bad byte order or magic number', async () => {
    const a = load('u16_rgb_none_striped.tif');
    a[0] = 0x58;
    a[1] = 0x58;
    await assert.rejects(
      openGeoTiff(a, { limits: DEFAULT_LIMITS }),
      (e: FormatError) => e.code === 'NOT_TIFF',
    );
    const b = load('u16_rgb_none_striped.tif');
    b[2] = 44;
    await assert.rejects(
      openGeoTiff(b, { limits: DEFAULT_LIMITS }),
      (e: FormatError) => e.code === 'NOT_TIFF',
    );
  });

  for (const file of [
    'u16_rgb_none_striped.tif',
    'u16_rgb_deflate_tiled_planar.tif',
    'u8_rgb_cog_jpeg.tif',
  ]) {
    it(`${file} cut short: TRUNCATED inside the structure, LENGTH_BEYOND_FILE inside the pixels`, async () => {
      const full = load(file);
      for (const cut of [9, 40, 120]) await expectCode('TRUNCATED', full.slice(0, cut));
      const end = gdalDataEnd(`${DIR}/${file}`) ?? full.length;
      for (const cut of [end - 1, end - 500]) {
        await expectCode('LENGTH_BEYOND_FILE', full.slice(0, cut));
        // from a path too: Node's file source must not zero-fill past the end
        const path = join(tmp, `cut-${cut}-${file}`);
        writeFileSync(path, full.slice(0, cut));
        await expectCode('LENGTH_BEYOND_FILE', path);
      }
    });
  }

  it('CORRUPT_DATA, not a hang: an IFD chain that loops back on itself', async () => {
    const b = load('u16_rgb_none_striped.tif');
    const dv = new DataView(b.buffer);
    const ifd = dv.getUint32(4, true);
    dv.setUint32(ifd + 2 + dv.getUint16(ifd, true) * 12, ifd, true); // next IFD = this IFD
    assert.match(await expectCode('CORRUPT_DATA', b), /loops/);
  });

  it('a window decodes only its own tiles: the others are corrupted and it still matches', async () => {
    const clean = await openRaster(`${DIR}/u16_rgb_deflate_tiled_planar.tif`);
    const win = { x: 70, y: 66, width: 50, height: 40 }; // inside tile 3 of the 2x2 grid
    const want = await clean.read({ window: win });
    await clean.close();
    const b = load('u16_rgb_deflate_tiled_planar.tif');
    for (let plane = 0; plane < 3; plane++)
      for (const t of [0, 1, 2]) {
        const off = getTag(b, 324, plane * 4 + t);
        b.fill(0xff, off, off + 32);
      }
    const src = await openRaster(b);
    const got = await src.read({ window: win });
    assert.deepEqual(got.data, want.data);
    await assert.rejects(src.read(), (e: FormatError) => e.code === 'CORRUPT_DATA');
    await src.close();
  });

  it('UNSUPPORTED_COMPRESSION names the value', async () => {
    const b = load('u16_rgb_deflate_pred2_striped.tif');
    setTag(b, 259, 12345);
    assert.match(await expectCode('UNSUPPORTED_COMPRESSION', b), /12345/);
    setTag(b, 259, 34712);
    assert.match(await expectCode('UNSUPPORTED_COMPRESSION', b), /34712.*JPEG 2000/);
  });

  it('DIMENSIONS_TOO_LARGE: huge declared size, or a small limit, before any allocation', async () => {
    const b = load('u16_rgb_none_striped.tif');
    setTag(b, 256, 60000);
    setTag(b, 257, 60000);
    await expectCode('DIMENSIONS_TOO_LARGE', b);
    await expectCode('DIMENSIONS_TOO_LARGE', `${DIR}/u16_rgb_none_striped.tif`, {
      limits: { maxSamples: 1000 },
    });
    await expectCode('DIMENSIONS_TOO_LARGE', `${DIR}/u16_rgb_none_striped.tif`, {
      limits: { maxDimension: 100 },
    });
  });

  it('LENGTH_BEYOND_FILE: a tile offset past the end of the file', async () => {
    const b = load('u16_rgb_deflate_tiled_planar.tif');
    setTag(b, 324, b.length + 1000, 3); // TileOffsets[3]
    await expectCode('LENGTH_BEYOND_FILE', b);
  });

  it('CORRUPT_DATA: overwritten Deflate, LZW, ZSTD, LZMA, WebP and JPEG bytes', async () => {
    for (const [file, offTag] of [
      ['u16_rgb_deflate_pred2_striped.tif', 273],
      ['u16_rgb_zstd_pred2_tiled.tif', 324],
      ['u16_rgb_lzma.tif', 273],
      ['u8_rgb_webp_lossless_tiled.tif', 324],
      ['u8_rgb_jpeg_tiled.tif', 324],
    ] as const) {
      const b = load(file);
      const off = getTag(b, offTag, 0);
      b.fill(0xa5, off, off + 64);
      const code = (await failure(b)).code;
      assert.ok(
        code === 'CORRUPT_DATA' || code === 'DECOMPRESSED_SIZE_MISMATCH',
        `${file}: ${code} (a corrupted stream must fail, not decode to garbage of the right size)`,
      );
    }
    const d = load('u16_rgb_deflate_pred2_striped.tif');
    d.fill(0xff, getTag(d, 273, 0), getTag(d, 273, 0) + 16);
    await expectCode('CORRUPT_DATA', d);
  });

  it('DECOMPRESSED_SIZE_MISMATCH: a strip shorter than declared, tiles larger than declared', async () => {
    const a = load('u16_rgb_none_striped.tif');
    setTag(a, 279, getTag(a, 279, 0) - 6, 0); // StripByteCounts[0]
    await expectCode('DECOMPRESSED_SIZE_MISMATCH', a);
    const b = load('u16_rgb_zstd_pred2_tiled.tif');
    setTag(b, 322, 128); // TileWidth 64 -> 128: every tile decodes to half the declared size
    await expectCode('DECOMPRESSED_SIZE_MISMATCH', b);
  });

  it('a Deflate bomb (a strip inflating to 64 MiB) fails fast instead of being inflated', async () => {
    const orig = load('u16_rgb_deflate_pred2_striped.tif');
    const bomb = deflateSync(Buffer.alloc(64 * 2 ** 20), { level: 9 });
    const b = new Uint8Array(orig.length + bomb.length);
    b.set(orig);
    b.set(bomb, orig.length);
    setTag(b, 273, orig.length, 0); // StripOffsets[0] -> the bomb
    setTag(b, 279, bomb.length, 0); // StripByteCounts[0]
    assert.match(await expectCode('DECOMPRESSED_SIZE_MISMATCH', b), /more than the 7680 bytes/);
  });

  it('a JPEG tile whose frame header claims 65000x65000 pixels is refused before decoding', async () => {
    const b = load('u8_rgb_jpeg_tiled.tif');
    const off = getTag(b, 324, 0);
    let sof = off;
    while (!(b[sof] === 0xff && b[sof + 1] === 0xc0)) sof++; // baseline SOF0 of tile 0
    assert.ok(sof < off + getTag(b, 325, 0), 'SOF0 found inside tile 0');
    new DataView(b.buffer).setUint16(sof + 5, 65000); // height (big-endian in JPEG)
    new DataView(b.buffer).setUint16(sof + 7, 65000); // width
    assert.match(await expectCode('DECOMPRESSED_SIZE_MISMATCH', b), /65000x65000/);
  });

  it('NO_PIXEL_DATA: a zero-length (sparse) tile is refused, not zero-filled', async () => {
    const b = load('u16_rgb_deflate_tiled_planar.tif');
    setTag(b, 325, 0, 2); // TileByteCounts[2]
    assert.match(await expectCode('NO_PIXEL_DATA', b), /tile 2/);
  });

  it('UNSUPPORTED_PHOTOMETRIC, WINDOW_OUT_OF_BOUNDS, FRAME_OUT_OF_RANGE', async () => {
    const b = load('u8_rgbn_none_striped.tif');
    setTag(b, 262, 5); // CMYK
    await expectCode('UNSUPPORTED_PHOTOMETRIC', b);
    const src = await openRaster(`${DIR}/u8_gray_zstd.tif`);
    await assert.rejects(
      src.read({ window: { x: 100, y: 0, width: 100, height: 10 } }),
      (e: FormatError) => e.code === 'WINDOW_OUT_OF_BOUNDS',
    );
    await assert.rejects(
      src.read({ window: { x: 0, y: 0, width: 0, height: 10 } }),
      (e: FormatError) => e.code === 'WINDOW_OUT_OF_BOUNDS',
    );
    await assert.rejects(src.read({ frame: 1 }), (e: FormatError) => e.code === 'FRAME_OUT_OF_RANGE');
    await src.close();
  });

  it('ABORTED: an aborted signal stops open and read', async () => {
    await expectCode('ABORTED', `${DIR}/u16_rgb_lzw_striped.tif`, { signal: AbortSignal.abort() });
    const src = await openRaster(`${DIR}/u8_rgbn_lzw_planar.tif`);
    const ac = new AbortController();
    const p = src.read({ signal: ac.signal });
    ac.abort();
    await assert.rejects(p, (e: FormatError) => e.code === 'ABORTED');
    await src.close();
  });
});
