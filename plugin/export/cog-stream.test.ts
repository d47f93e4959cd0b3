// The streaming COG writer (cog-stream.ts) against the in-memory one (cog.ts writeCog + memoryLevels):
// byte for byte, overviews included, on synthetic levels fed in uneven row chunks (u16 RGB, i16 with
// nodata holes, f32 with NaN); GDAL's COG validator accepts the streamed files; Node file storage
// gives the same bytes and an abort + discard leaves no file behind.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { allocatePixels, type SampleType, type TypedPixels } from '../../formats/raster.ts';
import { cogValidatorMissing, validateCogs } from '../../formats/geotiff/testing/oracle.ts';
import { memoryLevels, writeCog } from './cog.ts';
import { cogTempPaths, fileCogStorage } from './cog-storage.node.ts';
import { CogStreamWriter, memoryCogStorage } from './cog-stream.ts';

const tmp = mkdtempSync(join(tmpdir(), 'cog-stream-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
/** Smooth values with noise, NaN/nodata holes every 97th pixel when asked. */
function synthetic(dtype: SampleType, w: number, h: number, c: number, hole?: number): TypedPixels {
  const a = allocatePixels(dtype, w * h * c);
  for (let i = 0; i < a.length; i++) {
    const p = Math.floor(i / c);
    const v = 3000 + 2000 * Math.sin(p / 41) + 1500 * Math.cos((p % w) / 13) + (i % 7) * 3;
    a[i] = hole !== undefined && p % 97 === 0 ? hole : dtype.startsWith('float') ? v / 7 : Math.round(v);
  }
  return a;
}

/** Feeds `data` to a CogStreamWriter in uneven chunks of rows. */
async function streamed(
  data: TypedPixels,
  w: number,
  h: number,
  c: number,
  dtype: SampleType,
  nodata?: number,
) {
  const storage = memoryCogStorage();
  const writer = new CogStreamWriter({
    width: w,
    height: h,
    samples: c,
    dtype,
    tileSize: 256,
    nodata,
    storage,
  });
  const chunks = [1, 37, 300, 5, 256, 511];
  for (let y = 0, k = 0; y < h; k++) {
    const n = Math.min(h - y, chunks[k % chunks.length] as number);
    await writer.writeRows(data.subarray(y * w * c, (y + n) * w * c), n);
    y += n;
  }
  await writer.finish({ photometric: c === 3 ? 2 : 1, mainFields: [] });
  return { bytes: storage.bytes(), writer };
}

describe('CogStreamWriter: the in-memory COG byte for byte', () => {
  const cases: Array<[string, SampleType, number, number, number, number | undefined]> = [
    ['uint16 RGB 1000x777', 'uint16', 1000, 777, 3, undefined],
    ['int16 nodata -9999, 641x900', 'int16', 641, 900, 1, -9999],
    ['float32 NaN, 513x300', 'float32', 513, 300, 1, undefined],
  ];
  const files: string[] = [];
  for (const [name, dtype, w, h, c, nodata] of cases)
    it(`${name}: same bytes (every overview level included), row buffers of one tile row per level`, async () => {
      const hole = nodata ?? (dtype === 'float32' ? NaN : undefined);
      const data = synthetic(dtype, w, h, c, hole);
      const desc = {
        samples: c,
        dtype,
        tileSize: 256,
        photometric: c === 3 ? (2 as const) : (1 as const),
        mainFields: [],
      };
      const want = await writeCog(
        { ...desc, ...(nodata !== undefined ? { nodata } : {}) },
        memoryLevels(data, w, h, c, 256, nodata),
      );
      const { bytes, writer } = await streamed(data, w, h, c, dtype, nodata);
      assert.ok(writer.sizes.length >= 2, 'has overviews');
      assert.equal(Buffer.compare(Buffer.from(bytes), Buffer.from(want)), 0, 'identical files');
      const rows = writer.sizes.reduce((a, [lw, lh]) => a + lw * Math.min(256, lh) * c, 0);
      assert.equal(writer.bufferBytes, rows * data.BYTES_PER_ELEMENT);
      const f = join(tmp, `${dtype}.tif`);
      writeFileSync(f, bytes);
      files.push(f);
    });

  it('GDAL validates the streamed files as COGs', { skip: cogValidatorMissing }, () => {
    assert.deepEqual(
      validateCogs(files),
      files.map(() => []),
    );
  });

  it('file storage: the same bytes through temp files, renamed; discard removes everything', async () => {
    const data = synthetic('uint16', 300, 290, 3);
    const dir = mkdtempSync(join(tmp, 'files-'));
    const out = join(dir, 'out.tif');
    const storage = fileCogStorage(out);
    // a 300x290 RGB uint16 image in 256 px tiles
    const rgb16 = (to: typeof storage, signal?: AbortSignal) =>
      new CogStreamWriter({
        width: 300,
        height: 290,
        samples: 3,
        dtype: 'uint16',
        tileSize: 256,
        nodata: undefined,
        storage: to,
        signal,
      });
    const w = rgb16(storage);
    await w.writeRows(data, 290);
    await w.finish({ photometric: 2, mainFields: [] });
    await storage.commit();
    assert.deepEqual(readdirSync(dir), ['out.tif']);
    assert.deepEqual(readFileSync(out), Buffer.from((await streamed(data, 300, 290, 3, 'uint16')).bytes));
    const other = fileCogStorage(join(dir, 'b.tif'));
    const ac = new AbortController();
    const w2 = rgb16(other, ac.signal);
    await w2.writeRows(data.subarray(0, 256 * 300 * 3), 256); // one tile row spilled
    assert.ok(statSync(cogTempPaths(join(dir, 'b.tif')).spill).size > 0);
    ac.abort();
    await assert.rejects(w2.writeRows(data.subarray(256 * 300 * 3), 34), {
      name: 'ExportError',
      code: 'ABORTED',
    });
    await other.discard();
    assert.deepEqual(readdirSync(dir), ['out.tif']);
  });
});
