/**
 * Test helpers: Debian's redis-server on 127.0.0.1 on a free port (persistence off, temp dir, an
 * optional password) and `tilesr worker` processes started as real child processes.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** Where Debian installs it. */
export const REDIS_SERVER = '/usr/bin/redis-server';

/** Why Redis tests skip here, or false when they can run. */
export function redisMissing(): string | false {
  return existsSync(REDIS_SERVER) ? false : `${REDIS_SERVER} is not installed (apt-get install redis-server)`;
}

async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => res(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

/** A running redis-server. */
export interface TestRedis {
  url: string;
  port: number;
  password?: string;
  /** Runs redis-cli against it (auth included) and returns stdout. */
  cli(...args: string[]): string;
  stop(): Promise<void>;
}

/** TLS material of startRedis({ tls: true }): a throwaway CA and a server cert for 127.0.0.1. */
export interface TestTls {
  /** PEM file of the CA that signed the server cert (what clients must trust). */
  ca: string;
}

/** Why TLS Redis tests skip here, or false when they can run. */
export function tlsMissing(): string | false {
  const missing = redisMissing();
  if (missing) return missing;
  if (spawnSync('openssl', ['version']).status !== 0) return 'openssl is not installed';
  // Debian's redis-server is built with TLS (BUILD_TLS=yes): it links libssl
  const ldd = spawnSync('ldd', [REDIS_SERVER], { encoding: 'utf8' }).stdout ?? '';
  return /libssl/.test(ldd) ? false : `${REDIS_SERVER} was built without TLS (no libssl)`;
}

/** Makes a CA and a CA-signed server cert (SAN IP:127.0.0.1) in `dir` with openssl. */
function makeCerts(dir: string): { ca: string; cert: string; key: string } {
  const f = (n: string) => join(dir, n);
  const run = (...args: string[]) => {
    const r = spawnSync('openssl', args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`openssl ${args[0]} failed: ${r.stderr}`);
  };
  run(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=tilesr test CA',
    '-keyout',
    f('ca.key'),
    '-out',
    f('ca.crt'),
  );
  run(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    '/CN=127.0.0.1',
    '-keyout',
    f('redis.key'),
    '-out',
    f('redis.csr'),
  );
  writeFileSync(f('san.ext'), 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  run(
    'x509',
    '-req',
    '-in',
    f('redis.csr'),
    '-CA',
    f('ca.crt'),
    '-CAkey',
    f('ca.key'),
    '-CAcreateserial',
    '-days',
    '1',
    '-extfile',
    f('san.ext'),
    '-out',
    f('redis.crt'),
  );
  return { ca: f('ca.crt'), cert: f('redis.crt'), key: f('redis.key') };
}

/**
 * Starts redis-server; resolves once it answers PING. `tls`: plain port off, a TLS port with a
 * throwaway CA (clients need not present certs); the URL is then rediss:// and `tls.ca` the CA file.
 */
export async function startRedis(
  password?: string,
  opts: { tls?: boolean } = {},
): Promise<TestRedis & { tls?: TestTls }> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'tilesr-redis-'));
  const certs = opts.tls ? makeCerts(dir) : undefined;
  const listen = certs
    ? [
        '--port',
        '0',
        '--tls-port',
        String(port),
        '--tls-cert-file',
        certs.cert,
        '--tls-key-file',
        certs.key,
        '--tls-ca-cert-file',
        certs.ca,
        '--tls-auth-clients',
        'no',
      ]
    : ['--port', String(port)];
  const args = [...listen, '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir];
  if (password) args.push('--requirepass', password);
  const proc = spawn(REDIS_SERVER, args, { stdio: 'ignore' });
  const cli = (...a: string[]) => {
    const r = spawnSync(
      'redis-cli',
      [
        '-p',
        String(port),
        ...(certs ? ['--tls', '--cacert', certs.ca] : []),
        '--no-auth-warning',
        ...(password ? ['-a', password] : []),
        ...a,
      ],
      {
        encoding: 'utf8',
      },
    );
    return r.stdout;
  };
  for (let i = 0; cli('PING').trim() !== 'PONG'; i++) {
    if (i > 100) throw new Error('redis-server did not start');
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: `${certs ? 'rediss' : 'redis'}://${password ? `:${encodeURIComponent(password)}@` : ''}127.0.0.1:${port}`,
    port,
    password,
    ...(certs ? { tls: { ca: certs.ca } } : {}),
    cli,
    stop: async () => {
      proc.kill('SIGTERM');
      await new Promise((r) => proc.once('exit', r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const BIN = resolve(import.meta.dirname, '../../bin/tilesr.mjs');

/** A `tilesr worker` child process and what it printed. */
export interface TestWorker {
  proc: ChildProcess;
  log: () => string;
  /** Resolves with the exit code (or signal name). */
  exited: Promise<number | string>;
}

/** Starts `tilesr worker` with short locks so a killed worker's job comes back within ~20 s. */
export function startWorker(url: string, extra: string[] = [], env: NodeJS.ProcessEnv = {}): TestWorker {
  const proc = spawn(
    process.execPath,
    [
      BIN,
      'worker',
      '--redis',
      url,
      // a tile's inference blocks the event loop (lock renewal): leave room on a loaded 2-core VM
      '--lock-duration',
      '15000',
      '--stalled-interval',
      '3000',
      '--max-stalled',
      '3',
      ...extra,
    ],
    { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  proc.stdout?.on('data', (b: Buffer) => (out += b.toString()));
  proc.stderr?.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<number | string>((res) =>
    proc.once('exit', (code, sig) => res(code ?? sig ?? -1)),
  );
  return { proc, log: () => out, exited };
}

/** Resolves when `w` has logged `ready`. */
export async function ready(w: TestWorker, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!/ready on queue/.test(w.log())) {
    if (Date.now() > until) throw new Error(`worker not ready:\n${w.log()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
