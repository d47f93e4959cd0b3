// Whole scenes, streamed: a GeoTIFF enhanced block by block (plugin/pipeline/stream.ts, real
// satellite-x2) straight into a COG (geotiff-stream.ts) against the in-memory path (enhanceRaster on
// the window + halo, exportGeotiff), on fixtures (u16 RGB COG whole image, i16 with nodata, f32 DSM):
// the same tiles at every level, the same IFD fields and GDAL metadata, the same provenance but for
// timings. Through the CLI too (default streaming vs --in-memory, a window with an overview level).
// GDAL's validator accepts the streamed files; abort leaves no output and no temp files; the driver
// holds at most 1 + `ahead` blocks.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { openRaster, type PixelWindow } from '../../formats/index.ts';
import { cogValidatorMissing, validateCogs } from '../../formats/geotiff/testing/oracle.ts';
import { getModel } from '../../models/registry.ts';
import { DEFAULT_HALO_MARGIN, enhanceRaster } from '../pipeline/enhance.ts';
import { wholeImageRanges } from '../pipeline/stream.ts';
import { fileCogStorage } from './cog-storage.node.ts';
import { memoryCogStorage } from './cog-stream.ts';
import { exportGeotiff, readGeotiffProvenance } from './geotiff.ts';
import { parseGdalMetadata } from './geotiff-metadata.ts';
import { streamGeotiffExport, type StreamedGeotiff } from './geotiff-stream.ts';

const tmp = mkdtempSync(join(tmpdir(), 'geotiff-stream-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const DIR = 'fixtures/geotiff';
const MODEL = 'satellite-x2';

type Ifd = Map<number, number[] | string>;
const SIZE: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 12: 8, 16: 8 };

/** The IFDs of a classic little-endian TIFF, each tag's values (our own reading, no library). */
function readIfds(b: Uint8Array): Ifd[] {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  assert.equal(v.getUint16(2, true), 42, 'classic TIFF');
  const ifds: Ifd[] = [];
  for (let at = v.getUint32(4, true); at !== 0;) {
    const n = v.getUint16(at, true);
    const ifd: Ifd = new Map();
    for (let e = 0; e < n; e++) {
      const p = at + 2 + e * 12;
      const [tag, type, count] = [v.getUint16(p, true), v.getUint16(p + 2, true), v.getUint32(p + 4, true)];
      const size = SIZE[type] as number;
      const from = size * count <= 4 ? p + 8 : v.getUint32(p + 8, true);
      const get = (i: number) =>
        type === 3
          ? v.getUint16(from + 2 * i, true)
          : type === 4
            ? v.getUint32(from + 4 * i, true)
            : type === 12
              ? v.getFloat64(from + 8 * i, true)
              : v.getUint8(from + i);
      ifd.set(
        tag,
        type === 2
          ? new TextDecoder().decode(b.subarray(from, from + count - 1))
          : Array.from({ length: count }, (_, i) => get(i)),
      );
    }
    ifds.push(ifd);
    at = v.getUint32(at + 2 + n * 12, true);
  }
  return ifds;
}

/** Same tiles at every level, same fields but for offsets and GDAL_METADATA, same metadata and provenance but for timings. */
async function assertSameCog(got: Uint8Array, want: Uint8Array, what: string): Promise<void> {
  const [a, b] = [readIfds(got), readIfds(want)];
  assert.equal(a.length, b.length, `${what}: levels`);
  a.forEach((ia, i) => {
    const ib = b[i] as Ifd;
    const [oa, ob] = [ia.get(324) as number[], ib.get(324) as number[]];
    assert.deepEqual(ia.get(325), ib.get(325), `${what}: level ${i} tile sizes`);
    oa.forEach((o, t) => {
      const n = (ia.get(325) as number[])[t] as number;
      const same = Buffer.compare(
        Buffer.from(got.subarray(o, o + n)),
        Buffer.from(want.subarray(ob[t] as number, (ob[t] as number) + n)),
      );
      if (same !== 0) assert.fail(`${what}: level ${i} tile ${t} differs`);
    });
    const rest = (m: Ifd) => [...m].filter(([k]) => k !== 324 && k !== 42112);
    assert.deepEqual(rest(ia), rest(ib), `${what}: level ${i} fields`);
  });
  const items = (m: Ifd) =>
    parseGdalMetadata(String(m.get(42112))).filter((x) => x.name !== 'TILESR_PROVENANCE');
  assert.deepEqual(items(a[0] as Ifd), items(b[0] as Ifd), `${what}: GDAL metadata`);
  const strip = (p: Record<string, unknown>) => ({ ...p, timings: undefined, createdAt: undefined });
  assert.deepEqual(
    strip(await readGeotiffProvenance(got)),
    strip(await readGeotiffProvenance(want)),
    `${what}: provenance`,
  );
}

interface Case {
  file: string;
  window?: PixelWindow;
  band?: number;
  tile: number;
}

/** The in-memory path as `tilesr enhance --in-memory` runs it: window + halo read, whole-image ranges. */
async function inMemory(c: Case) {
  const src = await openRaster(`${DIR}/${c.file}`);
  const { info } = src;
  const region = c.window ?? { x: 0, y: 0, width: info.width, height: info.height };
  const halo = getModel(MODEL).receptiveFieldLrPx + DEFAULT_HALO_MARGIN;
  const [x0, y0] = [Math.max(0, region.x - halo), Math.max(0, region.y - halo)];
  const x1 = Math.min(info.width, region.x + region.width + halo);
  const y1 = Math.min(info.height, region.y + region.height + halo);
  const raster = await src.read({ window: { x: x0, y: y0, width: x1 - x0, height: y1 - y0 } });
  const whole = x0 === 0 && y0 === 0 && x1 === info.width && y1 === info.height;
  const ranges = whole ? undefined : (await wholeImageRanges(src, 0)).ranges;
  const result = await enhanceRaster(raster, {
    modelId: MODEL,
    band: c.band,
    window: region,
    tile: c.tile,
    halo,
    ranges,
  });
  const out = await exportGeotiff({ result, source: { info } });
  await src.close();
  return out;
}

async function stream(c: Case, ahead: 0 | 1 = 0): Promise<StreamedGeotiff & { file: Uint8Array }> {
  const src = await openRaster(`${DIR}/${c.file}`);
  const storage = memoryCogStorage();
  try {
    const r = await streamGeotiffExport(
      src,
      { modelId: MODEL, window: c.window, band: c.band, tile: c.tile, ahead },
      storage,
    );
    return { ...r, file: storage.bytes() };
  } finally {
    await src.close();
  }
}

const CASES: Case[] = [
  { file: 'u16_rgb_cog_deflate_ovr.tif', tile: 48 }, // whole image: ranges from every pixel ('raster')
  { file: 'i16_rgb_deflate_nodata.tif', window: { x: 21, y: 17, width: 60, height: 50 }, tile: 24 },
  { file: 'f32_dsm_none.tif', window: { x: 9, y: 30, width: 70, height: 64 }, band: 0, tile: 24 },
];

describe('streamed GeoTIFF export == in-memory export (real satellite-x2)', () => {
  const written: string[] = [];
  for (const c of CASES)
    it(`${c.file}${c.window ? ' window' : ' whole image'}: same tiles, fields, metadata, provenance; notes`, async () => {
      const want = await inMemory(c);
      const got = await stream(c);
      assert.ok(got.blocks > 1, 'several blocks');
      assert.equal(got.peakBlocks, 1);
      assert.deepEqual(got.notes, want.notes);
      assert.equal(got.bytes, got.file.length);
      await assertSameCog(got.file, want.bytes, c.file);
      const n = got.provenance.normalization[0];
      assert.equal(n?.source, c.window ? 'provided' : 'raster');
      const f = join(tmp, c.file);
      writeFileSync(f, got.file);
      written.push(f);
    });

  it('one block enhanced ahead: at most 2 blocks held, the same file', async () => {
    const c = CASES[2] as Case;
    const [one, two] = [await stream(c, 0), await stream(c, 1)];
    assert.equal(two.peakBlocks, 2);
    await assertSameCog(two.file, one.file, 'ahead 1');
  });

  it('GDAL validates the streamed files as COGs', { skip: cogValidatorMissing }, () => {
    const errors = validateCogs(written);
    assert.deepEqual(
      errors,
      written.map(() => []),
    );
  });

  it('abort mid-way (next block enhancing ahead): ABORTED, no output, no temp files', async () => {
    const dir = mkdtempSync(join(tmp, 'abort-'));
    const src = await openRaster(`${DIR}/f32_dsm_none.tif`);
    const ac = new AbortController();
    const c = CASES[2] as Case;
    const run = streamGeotiffExport(
      src,
      {
        modelId: MODEL,
        window: c.window,
        band: 0,
        tile: c.tile,
        ahead: 1,
        signal: ac.signal,
        onProgress: (p) => p.done >= 4 && ac.abort(),
      },
      fileCogStorage(join(dir, 'out.tif')),
    );
    await assert.rejects(run, { code: 'ABORTED' });
    await src.close();
    assert.deepEqual(readdirSync(dir), []);
  });
});

describe('tilesr enhance --out .tif: streaming (default) and --in-memory agree', () => {
  it('u8 RGB COG window with an overview level, one band: same tiles, fields, metadata; no temp files', async () => {
    const dir = mkdtempSync(join(tmp, 'cli-'));
    const args = ['bin/tilesr.mjs', 'enhance', `${DIR}/u8_rgb_cog_jpeg.tif`, '--model', MODEL];
    const opts = ['--window', '10,12,150,140', '--band', '1', '--tile', '48'];
    for (const [name, extra] of [
      ['s.tif', []],
      ['m.tif', ['--in-memory']],
    ] as const) {
      const r = spawnSync(process.execPath, [...args, ...opts, ...extra, '--out', join(dir, name)], {
        encoding: 'utf8',
        timeout: 120_000,
      });
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stderr, /wrote .*: 300x280x1 satellite_x2_fidelity x2 on node-cpu/);
    }
    assert.deepEqual(readdirSync(dir).sort(), ['m.tif', 's.tif']);
    const [s, m] = [readFileSync(join(dir, 's.tif')), readFileSync(join(dir, 'm.tif'))];
    assert.equal(readIfds(s).length, 2, 'full resolution + one overview');
    await assertSameCog(new Uint8Array(s), new Uint8Array(m), 'CLI');
  });
});
