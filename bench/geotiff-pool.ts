/**
 * Does a worker pool help GeoTIFF decoding in Node? `node --import tsx bench/geotiff-pool.ts FILE...`
 * compares geotiff.js readRasters in-process with geotiff.js's own worker Pool (sizes 1, 2, 4), and
 * tilesr's block reader in-process and through that pool, for the whole image and a 512x512
 * window, plus the time a fresh pool takes to decode its first block. Prints Markdown.
 * (formats/geotiff/pool.ts records the decision taken from these numbers.)
 */
import { availableParallelism } from 'node:os';
import { fromFile, Pool } from 'geotiff';
import { DEFAULT_LIMITS, openRaster } from '../formats/index.ts';
import { decoderParameters } from '../formats/geotiff/codecs/registry.ts';
import { readLayout } from '../formats/geotiff/info.ts';
import { readRect } from '../formats/geotiff/tiles.ts';
import { timeAsync } from './timing.ts';

const files = process.argv.slice(2);
console.log(`Node ${process.version}, ${availableParallelism()} CPUs available\n`);
console.log(
  '| file | read | geotiff.js in-process ms | geotiff.js pool(1) | pool(2) | pool(4) | tilesr in-process ms | tilesr + pool(2) | tilesr + pool(4) | pool start-up ms |',
);
console.log('|---|---|---|---|---|---|---|---|---|---|');
for (const file of files) {
  const tiff = await fromFile(file);
  const image = await tiff.getImage();
  const W = image.getWidth();
  const H = image.getHeight();
  const pools = [1, 2, 4].map((n) => new Pool(n));
  const t0 = performance.now();
  await image.readRasters({ window: [0, 0, 1, 1], pool: pools[0] });
  const startup = performance.now() - t0;
  const src = await openRaster(file);
  for (const [label, window] of [
    ['whole', undefined],
    ['512x512', [W / 2 - 256, H / 2 - 256, W / 2 + 256, H / 2 + 256]],
  ] as const) {
    if (window && (W < 512 || H < 512)) continue;
    const w = window ? [...window] : undefined;
    const local = await timeAsync(() => image.readRasters({ window: w, interleave: true }));
    const pooled = [];
    for (const pool of pools)
      pooled.push(await timeAsync(() => image.readRasters({ window: w, interleave: true, pool })));
    const ours = await timeAsync(() =>
      src.read(w ? { window: { x: w[0] as number, y: w[1] as number, width: 512, height: 512 } } : {}),
    );
    // tilesr's block reader driven through geotiff.js's worker pool instead of in-process
    const layout = await readLayout(image, DEFAULT_LIMITS);
    const params = await decoderParameters(image.fileDirectory);
    const rect = w
      ? { x0: w[0] as number, y0: w[1] as number, x1: w[2] as number, y1: w[3] as number }
      : { x0: 0, y0: 0, x1: W, y1: H };
    const withPool = [];
    for (const pool of pools.slice(1)) {
      const dec = pool.bindParameters(layout.compression, params as never);
      withPool.push(await timeAsync(() => readRect(image, layout, dec, rect, () => null)));
    }
    const f = (x: number): string => x.toFixed(0);
    console.log(
      `| ${file.split('/').pop()} ${W}x${H} | ${label} | ${f(local)} | ${pooled.map(f).join(' | ')} | ${f(ours)} | ${withPool.map(f).join(' | ')} | ${label === 'whole' ? f(startup) : ''} |`,
    );
  }
  await src.close();
  await Promise.all(pools.map((p) => p.destroy()));
  await tiff.close();
}
