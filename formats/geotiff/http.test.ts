// URL input with HTTP range requests, against a local server on 127.0.0.1 that honours Range and
// records what it served: a windowed read of a tiled file must fetch only the covering tiles.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { openRaster, type Raster } from '../index.ts';
import { HTTP_BLOCK_SIZE } from './open.ts';

const FILE = 'fixtures/geotiff/u16_rgb_none_tiled64.tif';
const bytes = readFileSync(FILE);
let served: Array<[number, number]> = [];
let server: Server;
let url = '';
/** When set, the server ignores Range and answers every request with the whole file (200). */
let ignoreRange = false;

const same = (a: Raster, b: Raster): boolean =>
  Buffer.from(a.data.buffer, a.data.byteOffset, a.data.byteLength).equals(
    Buffer.from(b.data.buffer, b.data.byteOffset, b.data.byteLength),
  );

/** Byte ranges of the file's four 64x64 tiles, from its own TileOffsets/TileByteCounts (IFD0). */
function tileRanges(): Array<[number, number]> {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const ifd = dv.getUint32(4, true);
  const n = dv.getUint16(ifd, true);
  const arrayOf = (tag: number): number[] => {
    for (let i = 0; i < n; i++) {
      const at = ifd + 2 + i * 12;
      if (dv.getUint16(at, true) !== tag) continue;
      const count = dv.getUint32(at + 4, true);
      const off = dv.getUint32(at + 8, true);
      return Array.from({ length: count }, (_, k) => dv.getUint32(off + 4 * k, true));
    }
    throw new Error(`tag ${tag} missing`);
  };
  const offs = arrayOf(324);
  const counts = arrayOf(325);
  return offs.map((o, i) => [o, o + (counts[i] as number)]);
}

describe('GeoTIFF over HTTP range requests', () => {
  before(async () => {
    server = createServer((req, res) => {
      const m = /bytes=(\d+)-(\d*)/.exec(req.headers.range ?? '');
      if (!m || ignoreRange) {
        served.push([0, bytes.length]);
        res.writeHead(200, { 'Content-Length': bytes.length, 'Accept-Ranges': 'bytes' });
        res.end(bytes);
        return;
      }
      const start = Number(m[1]);
      const end = Math.min(m[2] ? Number(m[2]) : bytes.length - 1, bytes.length - 1);
      served.push([start, end + 1]);
      res.writeHead(206, {
        'Content-Range': `bytes ${start}-${end}/${bytes.length}`,
        'Content-Length': end - start + 1,
        'Accept-Ranges': 'bytes',
      });
      res.end(bytes.subarray(start, end + 1));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/x.tif`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  it('a one-tile window fetches that tile and the header, not the other tiles', async () => {
    served = [];
    const src = await openRaster(url);
    const win = { x: 70, y: 80, width: 40, height: 30 }; // inside tile 3 (bottom right)
    const r = await src.read({ window: win });
    await src.close();
    const local = await openRaster(FILE);
    assert.ok(same(r, await local.read({ window: win })), 'URL and path decode differ');
    await local.close();
    const total = served.reduce((s, [a, b]) => s + b - a, 0);
    const tiles = tileRanges();
    console.log(
      `# served ${total} of ${bytes.length} bytes in ${served.length} requests: ${JSON.stringify(served)}`,
    );
    assert.equal(served.length > 0, true);
    const covered = (lo: number, hi: number): boolean => served.some(([a, b]) => a <= lo && b >= hi);
    const [t3a, t3b] = tiles[3] as [number, number];
    assert.ok(covered(t3a, t3b) || served.some(([a, b]) => a < t3b && b > t3a), 'tile 3 was not fetched');
    for (const [i, [a, b]] of tiles.entries())
      if (i !== 3) assert.ok(!covered(a, b), `tile ${i} (${a}..${b}) was fetched but is not needed`);
    // sniffed head + one header block + the tile, plus at most one block of alignment slack
    const bound = 132 + HTTP_BLOCK_SIZE + (t3b - t3a) + HTTP_BLOCK_SIZE;
    assert.ok(total <= bound, `${total} bytes served, more than ${bound}`);
  });

  it('the whole image over HTTP equals the local decode', async () => {
    const src = await openRaster(new URL(url));
    const local = await openRaster(FILE);
    assert.ok(same(await src.read(), await local.read()));
    await Promise.all([src.close(), local.close()]);
  });

  it('a server that ignores Range sends the file once or twice, not once per block', async () => {
    ignoreRange = true;
    served = [];
    try {
      const src = await openRaster(url);
      const local = await openRaster(FILE);
      assert.ok(same(await src.read(), await local.read()));
      assert.ok(
        same(
          await src.read({ window: { x: 3, y: 70, width: 90, height: 20 } }),
          await local.read({ window: { x: 3, y: 70, width: 90, height: 20 } }),
        ),
      );
      await Promise.all([src.close(), local.close()]);
      // the sniffing request, geotiff.js's header request (refused: full file) and one download
      assert.ok(served.length <= 3, `${served.length} whole-file responses`);
    } finally {
      ignoreRange = false;
    }
  });
});
