// rediss:// for real: Debian's redis-server with a TLS port only (a throwaway CA + server cert made by
// openssl at test time) and a password; submit + one `tilesr worker` + wait over TLS with the CA
// trusted through TILESR_REDIS_CA_FILE; an untrusted CA is refused; the password is printed nowhere.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REDIS_CA_ENV } from './redis.ts';
import { tilesr } from './testing/cli.ts';
import { ready, startRedis, startWorker, tlsMissing } from './testing/redis.ts';

test(
  'rediss:// (TLS + password): submit, one worker, wait; CA from TILESR_REDIS_CA_FILE',
  {
    skip: tlsMissing(),
    timeout: 120_000,
  },
  async (t) => {
    const password = `tls-secret-${process.pid}`;
    const redis = await startRedis(password, { tls: true });
    const work = mkdtempSync(join(tmpdir(), 'tilesr-tls-'));
    const env = { [REDIS_CA_ENV]: redis.tls?.ca ?? '' };
    assert.match(redis.url, /^rediss:\/\//);
    assert.equal(redis.cli('PING').trim(), 'PONG', 'redis-cli over TLS');
    const w = startWorker(redis.url, [], env);
    t.after(async () => {
      if (w.proc.exitCode === null) w.proc.kill('SIGKILL');
      await redis.stop();
      rmSync(work, { recursive: true, force: true });
    });
    // without the CA the server's certificate is not trusted: refused, typed, password not shown
    const untrusted = await tilesr(['queue', 'status', 'nope', '--redis', redis.url], { [REDIS_CA_ENV]: '' });
    assert.notEqual(untrusted.status, 0);
    assert.match(untrusted.out, /REDIS_UNREACHABLE|certificate/i, untrusted.out);
    await ready(w);
    const out = join(work, 'out');
    const sub = await tilesr(
      [
        'queue',
        'submit',
        '--redis',
        redis.url,
        '--model',
        'medical-x2',
        '--out',
        out,
        '--json',
        'fixtures/dicom/mr64_implicit_le.dcm',
      ],
      env,
    );
    assert.equal(sub.status, 0, sub.out);
    const { batch } = JSON.parse(sub.out.split('\n')[0] ?? '') as { batch: string };
    const waited = await tilesr(
      ['queue', 'wait', batch, '--redis', redis.url, '--timeout', '90', '--json'],
      env,
    );
    assert.equal(waited.status, 0, waited.out);
    const s = JSON.parse(waited.out.split('\n')[0] ?? '') as { done: number; failed: number };
    assert.deepEqual([s.done, s.failed], [1, 0]);
    assert.deepEqual(readdirSync(out).sort(), [
      'mr64_implicit_le_medical-x2.dcm',
      'mr64_implicit_le_medical-x2.dcm.tilesr.json',
    ]);
    w.proc.kill('SIGTERM');
    assert.equal(await w.exited, 0);
    for (const text of [untrusted.out, sub.out, waited.out, w.log()])
      assert.ok(!text.includes(password), text);
    assert.match(w.log(), /done in/);
  },
);
