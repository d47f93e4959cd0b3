/**
 * `npm run bench -- lzw`: TIFF LZW throughput on the large real Landsat band in ../shared/data
 * (skipped with a message when absent), against GDAL:
 * - codec only: every tile's LZW block decoded by our decoder (formats/geotiff/codecs/lzw.ts) and by
 *   geotiff.js's own, MP/s of decoded pixels;
 * - whole read in-process: `openRaster(bytes).read()` (decode, predictor, copy) vs GDAL's
 *   `ReadAsArray` timed inside one Python process (no start-up);
 * - whole process: `gdal_translate -of ENVI` wall time (start-up included), the figure issue 12 names.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fromArrayBuffer, type BaseDecoder } from 'geotiff';
import { openRaster } from '../formats/index.ts';
import { lzwDecode } from '../formats/geotiff/codecs/lzw.ts';
import type { SuiteOutput } from './report.ts';
import { fmt, timeAsync, timeProcess } from './timing.ts';

const BAND = fileURLToPath(
  new URL(
    '../../shared/data/train/satellite/landsat8_rio_pansharpen/LC81070352015122LGN00/LC81070352015122LGN00_B2.tif',
    import.meta.url,
  ),
);

type DecoderCtor = new (p: Record<string, unknown>) => BaseDecoder;

/** GDAL's in-process ReadAsArray, median ms over 7 runs (after one warm-up). */
function gdalInProcessMs(path: string): number | null {
  const py = [
    'import sys, time',
    'from osgeo import gdal',
    'ds = gdal.Open(sys.argv[1]); ds.ReadAsArray(); ts = []',
    'for _ in range(7):',
    '    ds = gdal.Open(sys.argv[1]); t = time.perf_counter(); ds.ReadAsArray(); ts.append(time.perf_counter() - t)',
    'ts.sort(); print(ts[3] * 1000)',
  ].join('\n');
  try {
    return Number(execFileSync('/usr/bin/python3', ['-c', py, path], { encoding: 'utf8' }).trim());
  } catch {
    return null;
  }
}

/** Runs the benchmark and returns a Markdown section. */
export async function benchLzw(): Promise<SuiteOutput> {
  if (!existsSync(BAND)) return `skipped: ${BAND} is not present (the shared data set is not mounted)`;
  const bytes = readFileSync(BAND);
  const ab = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);

  // codec only: the raw tiles, decoded by both decoders
  const tiff = await fromArrayBuffer(ab);
  const image = await tiff.getImage(0);
  const fd = image.fileDirectory;
  const width = image.getWidth();
  const height = image.getHeight();
  const tw = image.getTileWidth();
  const th = image.getTileHeight();
  const spp = image.getSamplesPerPixel();
  const bps = (image.getBitsPerSample() as number) / 8;
  const nTiles = Math.ceil(width / tw) * Math.ceil(height / th) * spp;
  const blocks: Uint8Array[] = [];
  for (let i = 0; i < nTiles; i++) {
    const off = Number(await fd.loadValueIndexed('TileOffsets', i));
    const len = Number(await fd.loadValueIndexed('TileByteCounts', i));
    blocks.push(new Uint8Array(ab, off, len));
  }
  const limit = tw * th * bps * (Number(fd.getValue('PlanarConfiguration') ?? 1) === 2 ? 1 : spp);
  const ours = await timeAsync(async () => {
    for (const b of blocks) lzwDecode(b, limit);
  });
  // geotiff.js's own decoder, imported by file (the package exports only its entry point)
  const gtUrl = new URL('../node_modules/geotiff/dist-module/compression/lzw.js', import.meta.url).href;
  const Old = ((await import(gtUrl)) as { default: DecoderCtor }).default;
  const old = new Old({
    tileWidth: tw,
    tileHeight: th,
    predictor: 1,
    bitsPerSample: [16],
    planarConfiguration: 1,
  });
  const theirs = await timeAsync(async () => {
    for (const b of blocks) await old.decodeBlock(b.slice().buffer);
  }, 2);
  // byte-exact with geotiff.js on every tile (GDAL byte-exactness is in geotiff.oracle.test.ts)
  for (const b of blocks) {
    const a = lzwDecode(b, limit);
    const o = new Uint8Array((await old.decodeBlock(b.slice().buffer)) as ArrayBuffer);
    if (!Buffer.from(a).equals(Buffer.from(o))) throw new Error('LZW decoders disagree');
  }

  // whole read in-process
  const src = await openRaster(new Uint8Array(ab));
  const readMs = await timeAsync(() => src.read());
  await src.close();
  const gdalMs = gdalInProcessMs(BAND);
  const dir = mkdtempSync(join(tmpdir(), 'bench-lzw-'));
  const procMs = timeProcess('gdal_translate', ['-q', '-of', 'ENVI', BAND, join(dir, 'out.raw')], 5);
  rmSync(dir, { recursive: true, force: true });

  const mp = (width * height) / 1e6;
  const mps = (ms: number | null) => (ms === null ? null : mp / (ms / 1000));
  const rows = [
    ['codec only: tilesr lzw.ts', ours, mps(ours)],
    ['codec only: geotiff.js LZWDecoder', theirs, mps(theirs)],
    ['whole read in-process: tilesr `openRaster().read()`', readMs, mps(readMs)],
    ['whole read in-process: GDAL `ReadAsArray` (Python)', gdalMs, mps(gdalMs)],
    ['whole process: `gdal_translate -of ENVI`', procMs, mps(procMs)],
  ] as const;
  const lines = [
    `File: ${basename(BAND)}, ${width}x${height}x${spp} uint16, ${tw}x${th} tiles, LZW, ${mp.toFixed(2)} MP; median of repeated runs.`,
    '',
    '| decoder | ms | MP/s |',
    '|---|---|---|',
    ...rows.map(([name, ms, r]) => `| ${name} | ${fmt(ms)} | ${fmt(r)} |`),
    '',
    `tilesr whole read / gdal_translate process: ${fmt(procMs === null ? null : procMs / readMs, 2)}x the throughput (target >= 0.5x); ` +
      `/ GDAL in-process: ${fmt(gdalMs === null ? null : gdalMs / readMs, 2)}x; codec speed-up over geotiff.js: ${fmt(theirs / ours, 1)}x.`,
  ];
  return {
    markdown: lines.join('\n'),
    ratios: {
      vsGdalTranslateProcess: procMs === null ? null : procMs / readMs,
      vsGdalInProcess: gdalMs === null ? null : gdalMs / readMs,
      codecSpeedupOverGeotiffJs: theirs / ours,
    },
  };
}
