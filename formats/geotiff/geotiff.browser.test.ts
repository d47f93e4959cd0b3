// Chromium: every GeoTIFF fixture decodes through the shared worker pool, from a URL (served by the
// test server) and from a File, to exactly the bytes Node's decoder produces (compared live via
// the node-decode server command's sha256). Also: an AbortSignal cancels a read, and reads of a few
// blocks (the fixtures' size; screen-sized overviews, enhancement cells) decode in-process by default.
import { expect } from '@esm-bundle/chai';
import { digest, nodeDigest, type RasterDigest } from '../../test/raster-digest.ts';
import { FormatError, openRaster, type PixelWindow } from '../index.ts';
import { getSharedPool } from './pool.ts';
import { setInProcessMaxBlocks } from './source.ts';

/** source.ts's default: reads of up to this many blocks skip the pool. */
const IN_PROCESS_DEFAULT = 32;

const FILES = [
  'f32_dsm_deflate_pred3_tiled.tif',
  'f32_dsm_lerc_0.01.tif',
  'f32_dsm_lerc_zstd_lossless.tif',
  'f32_dsm_lzw_pred3.tif',
  'f32_dsm_none.tif',
  'f32_dsm_zstd_pred3.tif',
  'f64_dsm_deflate_pred3.tif',
  'i16_rgb_deflate_nodata.tif',
  'u16_rgb_bigtiff_deflate.tif',
  'u16_rgb_cog_deflate_ovr.tif',
  'u16_rgb_deflate_pred2_striped.tif',
  'u16_rgb_deflate_tiled_planar.tif',
  'u16_rgb_lerc_deflate.tif',
  'u16_rgb_lerc_lossless.tif',
  'u16_rgb_lerc_zstd.tif',
  'u16_rgb_lzma.tif',
  'u16_rgb_lzw_pred2_tiled.tif',
  'u16_rgb_lzw_striped.tif',
  'u16_rgb_none_striped.tif',
  'u16_rgb_none_tiled64.tif',
  'u16_rgb_packbits.tif',
  'u16_rgb_zstd_pred2_tiled.tif',
  'u8_gray_zstd.tif',
  'u8_rgb_cog_jpeg.tif',
  'u8_rgb_jpeg_tiled.tif',
  'u8_rgb_jpeg_ycbcr_tiled.tif',
  'u8_rgb_webp_lossless_tiled.tif',
  'u8_rgbn_deflate_pred2_tiled.tif',
  'u8_rgbn_lzw_planar.tif',
  'u8_rgbn_none_striped.tif',
];

type Size = { width: number; height: number };

function nodeTiffDigest(path: string, window?: PixelWindow, targetSize?: Size): Promise<RasterDigest> {
  return nodeDigest({ path, ...(window ? { window } : {}), ...(targetSize ? { targetSize } : {}) });
}

describe('GeoTIFF in Chromium equals Node', () => {
  // every fixture has <= 20 blocks: send all of them through the pool here
  before(() => setInProcessMaxBlocks(0));
  after(() => setInProcessMaxBlocks(IN_PROCESS_DEFAULT));

  it('decodes through the shared worker pool', () => {
    expect(getSharedPool()).to.not.equal(null);
    expect(getSharedPool()).to.equal(getSharedPool());
  });

  for (const file of FILES) {
    const path = `fixtures/geotiff/${file}`;
    it(`${file}: URL and File decode to Node's bytes`, async () => {
      const win = { x: 37, y: 21, width: 50, height: 45 };
      const [whole, part] = await Promise.all([nodeTiffDigest(path), nodeTiffDigest(path, win)]);
      const fromUrl = await openRaster(new URL(`/${path}`, location.href));
      expect(await digest(await fromUrl.read())).to.deep.equal(whole);
      expect(await digest(await fromUrl.read({ window: win }))).to.deep.equal(part);
      await fromUrl.close();
      const bytes = await (await fetch(`/${path}`)).arrayBuffer();
      const fromFile = await openRaster(new File([bytes], file));
      expect(await digest(await fromFile.read())).to.deep.equal(whole);
      await fromFile.close();
    });
  }

  for (const [file, targetSize] of [
    ['u16_rgb_cog_deflate_ovr.tif', { width: 60, height: 60 }],
    ['u8_rgb_cog_jpeg.tif', { width: 40, height: 40 }],
  ] as const) {
    it(`${file}: overview chosen by targetSize equals Node's`, async () => {
      const path = `fixtures/geotiff/${file}`;
      const src = await openRaster(new URL(`/${path}`, location.href));
      const r = await src.read({ targetSize });
      expect(r.width).to.be.below(src.info.width);
      expect(r.width).to.be.at.least(targetSize.width);
      expect(await digest(r)).to.deep.equal(await nodeTiffDigest(path, undefined, targetSize));
      await src.close();
    });
  }

  it('the decoding ran in the pool workers (jobs were submitted to them)', async () => {
    // geotiff.js Pool internals: each WorkerWrapper numbers the jobs it was given
    const pool = getSharedPool() as unknown as {
      workerWrappers: Promise<Array<{ jobIdCounter: number }>> | null;
    };
    expect(pool.workerWrappers).to.not.equal(null);
    const jobs = (await pool.workerWrappers!).reduce((n, w) => n + w.jobIdCounter, 0);
    expect(jobs).to.be.greaterThan(100);
  });

  it('an AbortSignal cancels a read with ABORTED', async () => {
    const src = await openRaster(new URL('/fixtures/geotiff/u8_rgbn_lzw_planar.tif', location.href));
    const ac = new AbortController();
    const p = src.read({ signal: ac.signal });
    ac.abort();
    let err: unknown;
    try {
      await p;
    } catch (e) {
      err = e;
    }
    expect(err).to.be.instanceOf(FormatError);
    expect((err as FormatError).code).to.equal('ABORTED');
    // the source still works after an aborted read
    const r = await src.read({ window: { x: 0, y: 0, width: 8, height: 8 } });
    expect(r.data.length).to.equal(8 * 8 * 4);
    await src.close();
  });

  it('by default a read of a few blocks decodes in-process (no pool job) to the same bytes', async () => {
    setInProcessMaxBlocks(IN_PROCESS_DEFAULT);
    try {
      const pool = getSharedPool() as unknown as { workerWrappers: Promise<Array<{ jobIdCounter: number }>> };
      const jobs = async () => (await pool.workerWrappers).reduce((n, w) => n + w.jobIdCounter, 0);
      const jobsBefore = await jobs();
      for (const file of ['u8_rgb_jpeg_ycbcr_tiled.tif', 'u16_rgb_lzw_pred2_tiled.tif']) {
        const path = `fixtures/geotiff/${file}`;
        const src = await openRaster(new URL(`/${path}`, location.href));
        expect(await digest(await src.read())).to.deep.equal(await nodeTiffDigest(path));
        await src.close();
      }
      expect(await jobs()).to.equal(jobsBefore);
    } finally {
      setInProcessMaxBlocks(0);
    }
  });
});
