// The batch engine for real: Debian's redis-server (with a password), `tilesr worker` processes,
// real DICOM/GeoTIFF fixtures, one worker killed -9 mid-job, a hostile file, and the outputs compared
// with single-machine `tilesr enhance` / `tilesr validate`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, extname, join } from 'node:path';
import { Job, Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { expandInputs } from './inputs.ts';
import { redact, redactUrl, redisOptions } from './redis.ts';
import { orthancMissing, startOrthanc } from '../test/testing/orthanc.ts';
import { ROOT, tilesr } from './testing/cli.ts';
import { redisMissing, startRedis, startWorker, ready, type TestWorker } from './testing/redis.ts';

const BIG = 'fixtures/dicom/mr384_12bit_explicit_le.dcm';
const FILES = [
  'fixtures/dicom/mr64_implicit_le.dcm',
  'fixtures/dicom/mr64_explicit_be.dcm',
  'fixtures/dicom/ct128_signed16_explicit_le.dcm',
  'fixtures/dicom/sc100_rgb_jpeg_baseline_ybr422.dcm',
  BIG,
  'fixtures/dicom/mr64_10frame_12bit_rle.dcm',
  'fixtures/geotiff/f32_dsm_none.tif',
  'fixtures/geotiff/u8_gray_zstd.tif',
  'fixtures/geotiff/u16_rgb_none_tiled64.tif',
  'fixtures/geotiff/f32_dsm_lzw_pred3.tif',
  'fixtures/geotiff/i16_rgb_deflate_nodata.tif',
];

const outName = (f: string) => `${basename(f, extname(f))}_medical-x2.${/\.tif$/.test(f) ? 'tif' : 'dcm'}`;

test('redis URLs: rediss:// means TLS, passwords never printed', () => {
  const o = redisOptions('rediss://worker:p%40ss@redis.example:6380/2');
  assert.equal(o.host, 'redis.example');
  assert.equal(o.port, 6380);
  assert.equal(o.db, 2);
  assert.equal(o.password, 'p@ss');
  assert.equal(o.username, 'worker');
  assert.ok(o.tls, 'rediss:// enables TLS');
  assert.equal(redisOptions('redis://127.0.0.1').tls, undefined);
  assert.equal(
    redactUrl('rediss://worker:p%40ss@redis.example:6380/2'),
    'rediss://worker:***@redis.example:6380/2',
  );
  assert.equal(redact('auth p@ss failed for p%40ss', 'redis://:p%40ss@h'), 'auth *** failed for ***');
  assert.throws(() => redisOptions('http://x'), { code: 'BAD_REDIS_URL' });
});

test('inputs: deterministic names, directory layout kept, clashes and URL credentials refused', async () => {
  const o = {
    outDir: '/o',
    model: 'medical-x2',
    collection: 'c',
    listDir: async (d: string) => [join(d, 'a/x.dcm'), join(d, 'y.tif')],
  };
  const p = await expandInputs([join(ROOT, 'fixtures')], o);
  assert.deepEqual(
    p.map((x) => x.out),
    ['/o/a/x_medical-x2.dcm', '/o/y_medical-x2.tif'],
  );
  await assert.rejects(expandInputs(['/a/x.dcm', '/b/x.dcm'], o), { code: 'OUTPUT_CLASH' });
  await assert.rejects(expandInputs(['https://u:pw@pacs.example/img.tif'], o), (e: Error) => {
    assert.equal((e as Error & { code: string }).code, 'BAD_INPUT');
    assert.ok(!e.message.includes('pw'), e.message);
    return true;
  });
});

/** Every key and value in Redis as text (strings, hashes, lists, sets, sorted sets, streams). */
async function dumpRedis(url: string): Promise<{ text: string; largest: number }> {
  const r = new Redis(url);
  let text = '';
  let largest = 0;
  try {
    for (const key of await r.keys('*')) {
      const type = await r.type(key);
      const v =
        type === 'string'
          ? await r.get(key)
          : type === 'hash'
            ? JSON.stringify(await r.hgetall(key))
            : type === 'list'
              ? JSON.stringify(await r.lrange(key, 0, -1))
              : type === 'set'
                ? JSON.stringify(await r.smembers(key))
                : type === 'zset'
                  ? JSON.stringify(await r.zrange(key, 0, -1))
                  : type === 'stream'
                    ? JSON.stringify(await r.xrange(key, '-', '+'))
                    : '';
      largest = Math.max(largest, (v ?? '').length);
      text += `${key}\n${v ?? ''}\n`;
    }
  } finally {
    r.disconnect();
  }
  return { text, largest };
}

/** All files under `dir`, recursively. */
function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? walk(join(dir, d.name)) : [join(dir, d.name)],
  );
}

const skip = redisMissing();

test(
  'archive batch on 3 workers: one killed -9, a hostile file fails typed, outputs equal single-machine runs, no secret anywhere',
  { skip, timeout: 600_000 },
  async () => {
    const SECRET = `pw-${randomBytes(8).toString('hex')}`;
    const TOKEN = `tok-${randomBytes(8).toString('hex')}`;
    const redis = await startRedis(SECRET);
    const work = mkdtempSync(join(tmpdir(), 'tilesr-queue-'));
    const out = join(work, 'out');
    const hostile = join(work, 'truncated.dcm');
    writeFileSync(hostile, readFileSync(join(ROOT, 'fixtures/dicom/mr64_implicit_le.dcm')).subarray(0, 3000));
    const env = { TILESR_DICOMWEB_TOKEN: TOKEN };
    const workers: TestWorker[] = [0, 1, 2].map(() => startWorker(redis.url, [], env));
    const conn = new Redis(redis.url, { maxRetriesPerRequest: null });
    const q = new Queue('tilesr', { connection: conn });
    const printed: string[] = [];
    const run = async (args: string[]) => {
      const r = await tilesr(args, env);
      printed.push(r.stdout, r.stderr);
      return r;
    };
    try {
      await Promise.all(workers.map((w) => ready(w)));
      const inputs = [...FILES.slice(0, 3), hostile, ...FILES.slice(3)];
      const sub = await run([
        'queue',
        'submit',
        '--redis',
        redis.url,
        '--model',
        'medical-x2',
        // one model over DICOM and GeoTIFF: the GeoTIFFs need the explicit domain override
        '--allow-domain-mismatch',
        '--out',
        out,
        '--attempts',
        '2',
        '--json',
        ...inputs,
      ]);
      assert.equal(sub.status, 0, sub.stderr);
      const { batch, jobs } = JSON.parse(sub.stdout) as { batch: string; jobs: number };
      assert.equal(jobs, inputs.length);

      // kill -9 the worker that holds the big image's job while it runs
      const bigId = `${batch}-${inputs.indexOf(BIG)}`;
      let victim: TestWorker | undefined;
      for (const until = Date.now() + 120_000; !victim && Date.now() < until;) {
        const job = await Job.fromId(q, bigId);
        const pid = Number(job?.processedBy?.split(':').pop());
        if ((await q.getJobState(bigId)) === 'active' && pid) {
          victim = workers.find((w) => w.proc.pid === pid);
          victim?.proc.kill('SIGKILL');
        } else await new Promise((r) => setTimeout(r, 50));
      }
      assert.ok(victim, 'found the worker running the big image');
      assert.equal(await victim.exited, 'SIGKILL');

      const waited = await run(['queue', 'wait', batch, '--redis', redis.url, '--timeout', '300', '--json']);
      assert.equal(waited.status, 1, 'exit 1: the hostile file failed');
      const st = JSON.parse(waited.stdout) as {
        total: number;
        done: number;
        failed: number;
        waiting: number;
        active: number;
        retried: number;
        failures: Array<{ input: string; code: string; attempts: number }>;
      };
      assert.equal(st.total, inputs.length);
      assert.equal(st.done, inputs.length - 1, JSON.stringify(st));
      assert.equal(st.failed, 1);
      assert.equal(st.failures[0]?.input, hostile);
      assert.equal(st.failures[0]?.code, 'LENGTH_BEYOND_FILE', 'typed error of formats/');
      assert.equal(st.failures[0]?.attempts, 2, 'after the configured attempts');
      const big = await Job.fromId(q, bigId);
      assert.ok((big?.stalledCounter ?? 0) >= 1, 'the killed job was taken back by another worker');
      assert.equal(await q.getJobState(bigId), 'completed');
      assert.ok(st.retried >= 2, 'the hostile file and the killed job count as retried');

      // exactly one output per good input, nothing partial left behind
      const files = walk(out).map((f) => basename(f));
      const images = files.filter((f) => /\.(dcm|tif)$/.test(f)).sort();
      assert.deepEqual(images, FILES.map(outName).sort());
      assert.deepEqual(
        files.filter((f) => /\.(tmp|spill)$/.test(f)),
        [],
      );
      for (const f of FILES) {
        const o = join(out, outName(f));
        assert.ok(statSync(o).size > 1000, o);
        const side = JSON.parse(readFileSync(`${o}.tilesr.json`, 'utf8')) as {
          source_sha256: string;
          bytes: number;
        };
        assert.equal(side.bytes, statSync(o).size);
        assert.match(side.source_sha256, /^[0-9a-f]{64}$/);
      }

      // the values equal single-machine `tilesr enhance` (decoded), for a DICOM and a GeoTIFF
      const single = join(work, 'single');
      mkdirSync(single);
      for (const f of [BIG, 'fixtures/geotiff/u16_rgb_none_tiled64.tif']) {
        const mine = join(single, outName(f));
        const single1 = await run([
          'enhance',
          f,
          '--model',
          'medical-x2',
          '--allow-domain-mismatch',
          '--out',
          mine,
        ]);
        assert.equal(single1.status, 0, single1.stderr);
        const a = join(work, 'a.npy');
        const b = join(work, 'b.npy');
        assert.equal((await run(['decode', mine, '--out', a])).status, 0);
        assert.equal((await run(['decode', join(out, outName(f)), '--out', b])).status, 0);
        assert.ok(readFileSync(a).equals(readFileSync(b)), `${f}: same values as tilesr enhance`);
      }

      // a rerun finds everything done: skipped, outputs untouched
      const before = FILES.map((f) => statSync(join(out, outName(f))).mtimeMs);
      const again = await run([
        'queue',
        'submit',
        '--redis',
        redis.url,
        '--model',
        'medical-x2',
        '--allow-domain-mismatch',
        '--out',
        out,
        '--json',
        ...FILES,
      ]);
      const b2 = (JSON.parse(again.stdout) as { batch: string }).batch;
      assert.equal((await run(['queue', 'wait', b2, '--redis', redis.url, '--timeout', '120'])).status, 0);
      for (let i = 0; i < FILES.length; i++) {
        const job = await Job.fromId(q, `${b2}-${i}`);
        assert.equal((job?.returnvalue as { skipped?: boolean }).skipped, true, `${FILES[i]} skipped`);
      }
      assert.deepEqual(
        FILES.map((f) => statSync(join(out, outName(f))).mtimeMs),
        before,
      );

      // a validate batch over the same inputs writes the report `tilesr validate` writes
      const vq = join(work, 'queued.json');
      const vs = join(work, 'single.json');
      const vsub = await run([
        'queue',
        'submit',
        '--validate',
        '--redis',
        redis.url,
        '--gt',
        ...inputs,
        '--model',
        'medical-x2',
        '--json',
        vq,
        '--report',
        join(work, 'queued.html'),
      ]);
      assert.equal(vsub.status, 0, vsub.stderr);
      const vb = (JSON.parse(vsub.stdout) as { batch: string; jobs: number }).batch;
      assert.equal(
        (await run(['validate', '--gt', ...inputs, '--model', 'medical-x2', '--json', vs])).status,
        1,
        'the hostile file is an error',
      );
      assert.equal((await run(['queue', 'wait', vb, '--redis', redis.url, '--timeout', '300'])).status, 0);
      const norm = (p: string) => {
        const r = JSON.parse(readFileSync(p, 'utf8')) as {
          provenance: Record<string, unknown>;
          images: unknown[];
          errors: unknown[];
        };
        delete r.provenance.created_at;
        delete r.provenance.runtime;
        return r;
      };
      const [rq, rs] = [norm(vq), norm(vs)];
      assert.ok(rs.images.length >= FILES.length, 'rows for every good image');
      assert.equal(rs.errors.length, 1);
      assert.deepEqual(rq, rs);
      assert.ok(statSync(join(work, 'queued.html')).size > 10_000);

      // status and logs never show the password; Redis holds metadata only (no pixels, no secrets)
      const badUrl = redis.url.replace(encodeURIComponent(SECRET), `${SECRET}x`);
      const bad = await run(['queue', 'status', batch, '--redis', badUrl]);
      assert.equal(bad.status, 1);
      assert.match(bad.stderr, /error [A-Z_]+:/);
      const statusText = await run(['queue', 'status', batch, '--redis', redis.url]);
      assert.match(statusText.stdout, /LENGTH_BEYOND_FILE/);
      const dump = await dumpRedis(redis.url);
      assert.ok(dump.text.includes(batch), 'the dump sees the batch');
      assert.ok(dump.largest < 200_000, `largest Redis value ${dump.largest} B: rows, not pixels`);
      const outputs = walk(work).map((f) => readFileSync(f).toString('latin1'));
      for (const s of [SECRET, TOKEN]) {
        assert.ok(!dump.text.includes(s), 'no secret in Redis');
        assert.ok(!printed.some((p) => p.includes(s)), 'no secret in CLI output');
        assert.ok(!workers.some((w) => w.log().includes(s)), 'no secret in worker logs');
        assert.ok(!outputs.some((o) => o.includes(s)), 'no secret in outputs');
      }

      // SIGTERM: a worker finishes and exits 0
      const last = workers.find((w) => w !== victim) as TestWorker;
      last.proc.kill('SIGTERM');
      assert.equal(await last.exited, 0);
    } catch (err) {
      for (const w of workers) console.error(`--- worker ${w.proc.pid}\n${w.log().slice(-4000)}`);
      throw err;
    } finally {
      await q.close();
      conn.disconnect();
      for (const w of workers)
        if (w.proc.exitCode === null && w.proc.signalCode === null) w.proc.kill('SIGKILL');
      await redis.stop();
      rmSync(work, { recursive: true, force: true });
    }
  },
);

test(
  'STAC item in: COG assets enhanced, a derived Item beside each COG and a Collection for the batch',
  { skip, timeout: 300_000 },
  async () => {
    const redis = await startRedis();
    const work = mkdtempSync(join(tmpdir(), 'tilesr-stac-'));
    const w = startWorker(redis.url);
    try {
      writeFileSync(join(work, 'gray.tif'), readFileSync(join(ROOT, 'fixtures/geotiff/u8_gray_zstd.tif')));
      const item = {
        type: 'Feature',
        stac_version: '1.0.0',
        id: 'scene-1',
        geometry: {
          type: 'Polygon',
          coordinates: [
            [
              [10, 50],
              [11, 50],
              [11, 51],
              [10, 51],
              [10, 50],
            ],
          ],
        },
        bbox: [10, 50, 11, 51],
        properties: { datetime: '2024-05-01T10:00:00Z' },
        assets: {
          dsm: {
            href: join(ROOT, 'fixtures/geotiff/f32_dsm_none.tif'),
            type: 'image/tiff; application=geotiff',
          },
          gray: { href: './gray.tif', type: 'image/tiff; application=geotiff; profile=cloud-optimized' },
          thumbnail: { href: './thumb.png', type: 'image/png' },
        },
        links: [],
      };
      const itemPath = join(work, 'item.json');
      writeFileSync(itemPath, JSON.stringify(item));
      const out = join(work, 'out');
      const nope = await tilesr([
        'queue',
        'submit',
        '--redis',
        redis.url,
        '--model',
        'satellite-x2',
        '--out',
        out,
        '--bands',
        'nir',
        itemPath,
      ]);
      assert.equal(nope.status, 1);
      assert.match(nope.stderr, /error BAD_INPUT: .*no asset "nir"/);
      await ready(w);
      const sub = await tilesr([
        'queue',
        'submit',
        '--redis',
        redis.url,
        '--model',
        'satellite-x2',
        '--out',
        out,
        '--json',
        itemPath,
      ]);
      assert.equal(sub.status, 0, sub.stderr);
      const { batch, jobs } = JSON.parse(sub.stdout) as { batch: string; jobs: number };
      assert.equal(jobs, 2, 'the two GeoTIFF assets, not the thumbnail');
      assert.equal(
        (await tilesr(['queue', 'wait', batch, '--redis', redis.url, '--timeout', '200'])).status,
        0,
      );
      for (const asset of ['dsm', 'gray']) {
        const name = `scene-1_${asset}_satellite-x2`;
        assert.ok(statSync(join(out, `${name}.tif`)).size > 1000);
        const d = JSON.parse(readFileSync(join(out, `${name}.json`), 'utf8')) as {
          id: string;
          bbox: number[];
          properties: Record<string, unknown>;
          assets: Record<string, { href: string }>;
          links: Array<{ rel: string; href: string }>;
          stac_extensions: string[];
        };
        assert.equal(d.id, name);
        assert.deepEqual(d.bbox, item.bbox);
        assert.equal(d.properties['tilesr:model'], 'satellite-x2');
        assert.equal(d.properties['tilesr:scale'], 2);
        assert.match(String(d.properties['tilesr:model_sha256']), /^[0-9a-f]{64}$/);
        assert.match(String(d.properties['tilesr:source_sha256']), /^[0-9a-f]{64}$/);
        assert.deepEqual(Object.keys(d.properties['processing:software'] as object), ['tilesr']);
        assert.ok(d.stac_extensions.some((e) => e.includes('processing')));
        assert.equal(d.assets[asset]?.href, `./${name}.tif`);
        assert.equal(d.links.find((l) => l.rel === 'derived_from')?.href, `file://${itemPath}`);
      }
      const c = JSON.parse(readFileSync(join(out, 'collection.json'), 'utf8')) as {
        type: string;
        id: string;
        links: Array<{ rel: string; href: string }>;
      };
      assert.equal(c.type, 'Collection');
      assert.equal(c.id, `tilesr-${batch}`);
      assert.deepEqual(
        c.links.filter((l) => l.rel === 'item').map((l) => l.href),
        ['./scene-1_dsm_satellite-x2.json', './scene-1_gray_satellite-x2.json'],
      );
    } finally {
      w.proc.kill('SIGKILL');
      await redis.stop();
      rmSync(work, { recursive: true, force: true });
    }
  },
);

test(
  'DICOMweb series in (Orthanc): one job per series, derived series to --out DIR and by STOW-RS',
  { skip: skip || orthancMissing(), timeout: 300_000 },
  async (t) => {
    const redis = await startRedis();
    const pacs = await startOrthanc();
    const work = mkdtempSync(join(tmpdir(), 'tilesr-dicomweb-'));
    const w = startWorker(redis.url);
    t.after(async () => {
      w.proc.kill('SIGKILL');
      await pacs.stop();
      await redis.stop();
      rmSync(work, { recursive: true, force: true });
    });
    const dir = join(ROOT, 'demo/samples/ct-series');
    const files = readdirSync(dir).filter((f) => f.endsWith('.dcm'));
    await pacs.upload(files.map((f) => join(dir, f)));
    const get = async (path: string) =>
      (await (await fetch(`${pacs.url}${path}`)).json()) as Record<string, unknown>;
    const [seriesId] = (await (await fetch(`${pacs.url}/series`)).json()) as string[];
    const s = await get(`/series/${seriesId}`);
    const studyId = s.ParentStudy as string;
    const study = (await get(`/studies/${studyId}`)).MainDicomTags as Record<string, string>;
    const seriesUid = (s.MainDicomTags as Record<string, string>).SeriesInstanceUID as string;
    const url = `${pacs.dicomweb}/studies/${study.StudyInstanceUID}/series/${seriesUid}`;
    await ready(w);
    const out = join(work, 'out');
    const a = await tilesr([
      'queue',
      'submit',
      '--redis',
      redis.url,
      '--model',
      'medical-x2',
      '--out',
      out,
      '--json',
      url,
    ]);
    const b = await tilesr([
      'queue',
      'submit',
      '--redis',
      redis.url,
      '--model',
      'medical-x2',
      '--stow',
      pacs.dicomweb,
      '--json',
      url,
    ]);
    for (const r of [a, b]) {
      assert.equal(r.status, 0, r.stderr);
      const { batch, jobs } = JSON.parse(r.stdout) as { batch: string; jobs: number };
      assert.equal(jobs, 1, 'one job per series');
      assert.equal(
        (await tilesr(['queue', 'wait', batch, '--redis', redis.url, '--timeout', '200'])).status,
        0,
      );
    }
    const derived = readdirSync(join(out, `${seriesUid}_medical-x2`)).filter((f) => f.endsWith('.dcm'));
    assert.equal(derived.length, files.length, 'one derived instance per source instance');
    assert.ok(statSync(join(out, `${seriesUid}_medical-x2.tilesr.json`)).size > 0);
    const after = (await get(`/studies/${studyId}`)).Series as string[];
    assert.equal(after.length, 2, 'STOW-RS stored one new series in the source study');
  },
);

test(
  'worker stop: a second SIGTERM hands the job in hand back to the queue, nothing written',
  { skip, timeout: 120_000 },
  async (t) => {
    const redis = await startRedis();
    const work = mkdtempSync(join(tmpdir(), 'tilesr-handback-'));
    const w = startWorker(redis.url);
    const conn = new Redis(redis.url, { maxRetriesPerRequest: null });
    const q = new Queue('tilesr', { connection: conn });
    t.after(async () => {
      if (w.proc.exitCode === null) w.proc.kill('SIGKILL');
      await q.close();
      conn.disconnect();
      await redis.stop();
      rmSync(work, { recursive: true, force: true });
    });
    await ready(w);
    const out = join(work, 'out');
    const sub = await tilesr([
      'queue',
      'submit',
      '--redis',
      redis.url,
      '--model',
      'medical-x2',
      '--out',
      out,
      '--json',
      BIG,
    ]);
    const id = `${(JSON.parse(sub.stdout) as { batch: string }).batch}-0`;
    while ((await q.getJobState(id)) !== 'active') await new Promise((r) => setTimeout(r, 50));
    w.proc.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 200));
    w.proc.kill('SIGTERM');
    assert.equal(await w.exited, 0);
    assert.match(w.log(), /handed back/);
    assert.equal(await q.getJobState(id), 'waiting');
    assert.equal((await Job.fromId(q, id))?.attemptsMade, 0, 'no attempt used up');
    assert.deepEqual(readdirSync(out), [], 'no output, no temp file');
  },
);
