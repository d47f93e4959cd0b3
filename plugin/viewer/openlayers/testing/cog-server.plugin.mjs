// A @web/test-runner plugin for the OpenLayers tests: makes a larger COG with GDAL (not committed:
// written under build/) and serves it from a localhost HTTP server with Range support that logs
// every request, so a test can count the range requests and bytes a view fetched.
// Browser side: executeServerCommand('ol-cog')     -> { url, size } or { skip: reason }
//               executeServerCommand('ol-cog-log') -> { requests: [{ range, bytes, status }] } (then cleared)
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import {
  existsSync,
  mkdirSync,
  openSync,
  readSync,
  closeSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { resolve } from 'node:path';

const DIR = resolve('build/ol-test');
const FILE = resolve(DIR, 'large_nodata_cog.tif');
const SOURCE = resolve('fixtures/geotiff/u16_rgb_cog_deflate_ovr.tif');

/** 2048x2048 uint16 RGB: the fixture upsampled x16, a nodata (0) square burnt in the top-left. */
function makeCog() {
  if (existsSync(FILE)) return;
  mkdirSync(DIR, { recursive: true });
  const tmp = resolve(DIR, 'large_tmp.tif');
  const poly = resolve(DIR, 'nodata.geojson');
  // the fixture's top-left is (637575, 1343505), 60 m px; upsampled x16: 3.75 m px. Square: image px 0..400
  const [x0, y0, d] = [637575, 1343505, 400 * 3.75];
  writeFileSync(
    poly,
    JSON.stringify({
      type: 'FeatureCollection',
      crs: { type: 'name', properties: { name: 'urn:ogc:def:crs:EPSG::32620' } },
      features: [
        {
          type: 'Feature',
          properties: {},
          geometry: {
            type: 'Polygon',
            coordinates: [
              [
                [x0, y0],
                [x0 + d, y0],
                [x0 + d, y0 - d],
                [x0, y0 - d],
                [x0, y0],
              ],
            ],
          },
        },
      ],
    }),
  );
  const run = (cmd, args) => {
    const r = spawnSync(cmd, args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr || r.error}`);
  };
  run('gdal_translate', ['-q', '-outsize', '2048', '2048', '-r', 'bilinear', '-a_nodata', '0', SOURCE, tmp]);
  run('gdal_rasterize', [
    '-q',
    '-burn',
    '0',
    '-burn',
    '0',
    '-burn',
    '0',
    '-b',
    '1',
    '-b',
    '2',
    '-b',
    '3',
    poly,
    tmp,
  ]);
  run('gdal_translate', ['-q', '-of', 'COG', '-co', 'COMPRESS=DEFLATE', '-co', 'BLOCKSIZE=256', tmp, FILE]);
  rmSync(tmp);
  rmSync(poly);
}

/** The plugin object for web-test-runner.config.mjs. */
export function olCogServerPlugin() {
  let server;
  let origin;
  let log = [];
  const start = () =>
    new Promise((done) => {
      server = createServer((req, res) => {
        res.setHeader('Access-Control-Allow-Origin', '*');
        res.setHeader('Access-Control-Allow-Headers', 'Range');
        res.setHeader('Access-Control-Expose-Headers', 'Content-Range, Content-Length, Accept-Ranges');
        res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
        if (req.method === 'OPTIONS') return void res.writeHead(204).end();
        const size = statSync(FILE).size;
        const m = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
        const start = m ? Number(m[1]) : 0;
        const end = m ? Math.min(size - 1, m[2] ? Number(m[2]) : size - 1) : size - 1;
        const n = Math.max(0, end - start + 1);
        const buf = Buffer.alloc(n);
        const fd = openSync(FILE, 'r');
        readSync(fd, buf, 0, n, start);
        closeSync(fd);
        log.push({ range: req.headers.range ?? null, bytes: n, status: m ? 206 : 200 });
        res.setHeader('Accept-Ranges', 'bytes');
        res.setHeader('Content-Length', String(n));
        if (m) res.setHeader('Content-Range', `bytes ${start}-${end}/${size}`);
        res.writeHead(m ? 206 : 200, { 'Content-Type': 'image/tiff' });
        res.end(req.method === 'HEAD' ? undefined : buf);
      });
      server.listen(0, '127.0.0.1', () => {
        origin = `http://127.0.0.1:${server.address().port}`;
        done();
      });
    });
  return {
    name: 'ol-cog-server',
    async executeCommand({ command }) {
      if (command === 'ol-cog') {
        for (const tool of ['gdal_translate', 'gdal_rasterize'])
          if (spawnSync(tool, ['--version']).status !== 0) return { skip: `${tool} is not installed` };
        makeCog();
        if (!server) await start();
        return { url: `${origin}/large_nodata_cog.tif`, size: statSync(FILE).size };
      }
      if (command === 'ol-cog-log') {
        const requests = log;
        log = [];
        return { requests };
      }
      return undefined;
    },
    async serverStop() {
      await new Promise((done) => (server ? server.close(done) : done()));
    },
  };
}
