/**
 * Redis connections for the batch engine: a URL (redis:// or rediss:// for TLS, password in the URL
 * or in a file) turned into ioredis options, and the redaction every printed URL or message goes
 * through so a password never reaches logs, status output or reports.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { Redis, type RedisOptions } from 'ioredis';
import { QueueError } from './errors.ts';

/** A PEM file of the CA(s) that rediss:// servers are checked against (default: the system's CAs). */
export const REDIS_CA_ENV = 'TILESR_REDIS_CA_FILE';

/** Where a URL comes from when `--redis` is not given (keeps passwords out of process listings). */
export const REDIS_URL_ENV = 'TILESR_REDIS_URL';

/**
 * Options a BullMQ connection needs (workers block on Redis: no per-request retry limit). `forever`:
 * reconnect without end (a worker outlives a Redis restart); else give up after ~40 s (the CLI).
 */
export function redisOptions(url: string, forever = false): RedisOptions {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new QueueError('BAD_REDIS_URL', `not a redis:// or rediss:// URL: ${redactUrl(url)}`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:')
    throw new QueueError('BAD_REDIS_URL', `not a redis:// or rediss:// URL: ${redactUrl(url)}`);
  const db = u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0;
  if (!Number.isInteger(db) || db < 0)
    throw new QueueError('BAD_REDIS_URL', `bad database in ${redactUrl(url)}`);
  const passwordFile = process.env.TILESR_REDIS_PASSWORD_FILE;
  const password = u.password
    ? decodeURIComponent(u.password)
    : passwordFile
      ? readFileSync(passwordFile, 'utf8').trim()
      : undefined;
  const ca = process.env[REDIS_CA_ENV];
  const host = u.hostname.replace(/^\[|\]$/g, '');
  return {
    host,
    port: u.port ? Number(u.port) : 6379,
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password,
    db,
    // rediss://: TLS with the system CAs, or the CA file operators point us to (instead of them);
    // the certificate must name the host (an IP: a SAN IP entry); SNI is sent for names only (RFC 6066)
    tls:
      u.protocol === 'rediss:'
        ? { ...(isIP(host) ? {} : { servername: host }), ...(ca ? { ca: readFileSync(ca) } : {}) }
        : undefined,
    maxRetriesPerRequest: null,
    retryStrategy: (times) => (!forever && times > 20 ? null : Math.min(times * 200, forever ? 5000 : 2000)),
  };
}

/** Opens a connection; the first command fails typed (REDIS_UNREACHABLE) when Redis cannot be reached. */
export async function connect(url: string): Promise<Redis> {
  const redis = new Redis({ ...redisOptions(url), lazyConnect: true });
  // ioredis logs connection errors itself unless someone listens: they are reported by connect()
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    redis.disconnect();
    throw new QueueError(
      'REDIS_UNREACHABLE',
      `cannot reach ${redactUrl(url)}: ${redact((err as Error).message, url)}`,
    );
  }
  return redis;
}

/** The URL with its password replaced by `***` (what logs and errors may show). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
  }
}

/** `text` with any password of `url` (raw or URL-encoded) replaced by `***`. */
export function redact(text: string, url: string | undefined): string {
  if (!url) return text;
  let password: string;
  try {
    password = new URL(url).password;
  } catch {
    return text;
  }
  if (!password) return text;
  let out = text.split(password).join('***');
  const decoded = decodeURIComponent(password);
  if (decoded !== password) out = out.split(decoded).join('***');
  return out;
}
