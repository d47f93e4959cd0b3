// retry-failed on a validate batch whose merge already ran: the failed part runs again, then a new
// merge rewrites the report from every part (the untouched ones read back from their jobs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tilesr } from './testing/cli.ts';
import { ready, redisMissing, startRedis, startWorker } from './testing/redis.ts';

test(
  'retry-failed: a validate part that failed for good runs again and the report is rewritten',
  {
    skip: redisMissing(),
    timeout: 120_000,
  },
  async (t) => {
    const redis = await startRedis();
    const work = mkdtempSync(join(tmpdir(), 'tilesr-retry-'));
    t.after(async () => {
      await redis.stop();
      rmSync(work, { recursive: true, force: true });
    });
    const json = join(work, 'v.json');
    const files = ['fixtures/dicom/mr64_implicit_le.dcm', 'fixtures/geotiff/u8_gray_zstd.tif'];
    const sub = await tilesr([
      'queue',
      'submit',
      '--validate',
      '--redis',
      redis.url,
      '--attempts',
      '1',
      '--gt',
      ...files,
      '--model',
      'medical-x2',
      '--json',
      json,
      '--report',
      join(work, 'v.html'),
    ]);
    assert.equal(sub.status, 0, sub.stderr);
    const { batch } = JSON.parse(sub.stdout) as { batch: string };
    // a file where the parts' figures directory goes: every part that has figures fails (ENOTDIR)
    const blocker = join(work, `.${batch}.figures`);
    writeFileSync(blocker, 'not a directory');
    const w = startWorker(redis.url);
    t.after(() => (w.proc.exitCode === null ? w.proc.kill('SIGKILL') : undefined));
    await ready(w);
    const wait = () => tilesr(['queue', 'wait', batch, '--redis', redis.url, '--timeout', '90', '--json']);
    const first = await wait();
    assert.equal(first.status, 1, first.stdout + first.stderr);
    const s1 = JSON.parse(first.stdout) as { failed: number; done: number };
    assert.ok(s1.failed >= 1, first.stdout);
    type Report = { images: unknown[]; errors: unknown[] };
    const r1 = JSON.parse(readFileSync(json, 'utf8')) as Report;
    assert.equal(r1.errors.length, s1.failed, 'the first report lists the failed parts');
    rmSync(blocker);
    const again = await tilesr(['queue', 'retry-failed', batch, '--redis', redis.url]);
    assert.equal(again.status, 0, again.stderr);
    const second = await wait();
    assert.equal(second.status, 0, second.stdout + second.stderr + w.log());
    const s2 = JSON.parse(second.stdout) as { failed: number; done: number; total: number };
    assert.deepEqual([s2.done, s2.failed, s2.total], [files.length + 1, 0, files.length + 1]);
    const r2 = JSON.parse(readFileSync(json, 'utf8')) as Report;
    assert.deepEqual(
      [r2.errors.length, r2.images.length >= files.length],
      [0, true],
      JSON.stringify(r2.errors),
    );
    assert.ok(!existsSync(blocker), 'figures handed to the report and removed');
    assert.ok(readFileSync(join(work, 'v.html'), 'utf8').length > 0);
  },
);
