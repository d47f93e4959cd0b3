/**
 * The DICOMweb client core, on `fetch` (browser and Node 18+): one request path with the caller's
 * headers, a per-request timeout, bounded retries with backoff on 5xx/429 (and, for GETs, on timeouts
 * and unreachable servers), a bounded number of requests in flight, and typed errors. Header values
 * (tokens) never reach a message: messages name the method and the URL without its query.
 * QIDO-RS and WADO-RS live here; STOW-RS in ./stow.ts. Why not `dicomweb-client`: see README.md.
 */
import { DicomWebError } from './errors.ts';
import { parseDicomJson, type DicomJson } from './json.ts';
import { safeUrl } from './url.ts';

/** How to reach one DICOMweb service. */
export interface DicomWebOptions {
  /** The service root, e.g. `http://pacs.example/dicom-web` (QIDO, WADO and STOW share it). */
  root: string;
  /** Sent with every request (Authorization, custom headers); never printed, logged or stored. */
  headers?: Record<string, string>;
  /** A `fetch` to use instead of the global one (a proxy agent, a test double, a service worker). */
  fetch?: typeof fetch;
  /** Per-request timeout in ms (default 60000). */
  timeoutMs?: number;
  /** Retries after the first try on 5xx/429 (and for GETs timeouts/unreachable); default 3, at most 10. */
  retries?: number;
  /** First backoff in ms, doubled per retry (default 500; a Retry-After of up to 30 s wins). */
  backoffMs?: number;
  /** Requests in flight at once over this client (default 4). */
  concurrency?: number;
}

/** A configured client: pass it to the QIDO/WADO/STOW functions. */
export interface DicomWebClient {
  readonly root: string;
  /** One request through the limiter, retries and error mapping (exposed for the other modules). */
  request(req: DicomWebRequest): Promise<DicomWebResponse>;
}

/** One request. `path` is appended to the root (leading slash). */
export interface DicomWebRequest {
  method?: 'GET' | 'POST';
  path: string;
  query?: Record<string, string | string[]>;
  accept: string;
  body?: Uint8Array;
  contentType?: string;
  /** Statuses returned to the caller instead of thrown (STOW-RS 409 lists the failures). */
  okStatuses?: number[];
  /** What the request is, for messages ("QIDO-RS series search"). */
  what: string;
  signal?: AbortSignal;
}

/** A response read whole. */
export interface DicomWebResponse {
  status: number;
  contentType: string;
  body: Uint8Array;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(aborted());
    const t = setTimeout(done, ms);
    function done() {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }
    function onAbort() {
      clearTimeout(t);
      reject(aborted());
    }
    signal?.addEventListener('abort', onAbort, { once: true });
  });

const aborted = () => new DicomWebError('ABORTED', 'DICOMweb request aborted');

/** A counting semaphore: at most `n` holders at once, FIFO. */
function limiter(n: number) {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async <T>(fn: () => Promise<T>): Promise<T> => {
    if (active >= n) await new Promise<void>((r) => waiting.push(r));
    active++;
    try {
      return await fn();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}

/** Removes every caller header value from `text` (servers may echo requests in error bodies). */
function redactor(headers: Record<string, string>) {
  const secrets = Object.values(headers)
    .flatMap((v) => [v, ...v.split(/\s+/)])
    .filter((s) => s.length >= 6);
  return (text: string) => secrets.reduce((t, s) => t.split(s).join('***'), text);
}

/** Creates a client for one DICOMweb root. */
export function createClient(o: DicomWebOptions): DicomWebClient {
  const root = o.root.replace(/\/+$/, '');
  const doFetch = o.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  const headers = { ...(o.headers ?? {}) };
  const timeoutMs = o.timeoutMs ?? 60_000;
  const retries = Math.max(0, Math.min(10, o.retries ?? 3));
  const backoffMs = o.backoffMs ?? 500;
  const limit = limiter(Math.max(1, o.concurrency ?? 4));
  const redact = redactor(headers);

  async function attempt(req: DicomWebRequest, url: string): Promise<DicomWebResponse> {
    const method = req.method ?? 'GET';
    const where = `${req.what}: ${method} ${safeUrl(url)}`;
    const ctl = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      ctl.abort();
    }, timeoutMs);
    const onAbort = () => ctl.abort();
    req.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const init: RequestInit = {
        method,
        headers: {
          ...headers,
          Accept: req.accept,
          ...(req.contentType ? { 'Content-Type': req.contentType } : {}),
        },
        signal: ctl.signal,
      };
      if (req.body) init.body = req.body as BodyInit;
      let res: Response;
      try {
        res = await doFetch(url, init);
      } catch (e) {
        if (req.signal?.aborted) throw aborted();
        if (timedOut) throw new DicomWebError('DICOMWEB_TIMEOUT', `${where}: no answer in ${timeoutMs} ms`);
        throw new DicomWebError('DICOMWEB_UNREACHABLE', `${where}: server unreachable`, { cause: e });
      }
      let body: Uint8Array;
      try {
        body = new Uint8Array(await res.arrayBuffer());
      } catch (e) {
        if (req.signal?.aborted) throw aborted();
        if (timedOut)
          throw new DicomWebError('DICOMWEB_TIMEOUT', `${where}: body not read in ${timeoutMs} ms`);
        throw new DicomWebError('DICOMWEB_UNREACHABLE', `${where}: connection lost while reading`, {
          cause: e,
        });
      }
      const status = res.status;
      if (status === 401 || status === 403)
        throw new DicomWebError(
          'DICOMWEB_AUTH',
          `${where}: HTTP ${status}, the credentials were refused (token wrong or expired?)`,
          { status },
        );
      if (!res.ok && !(req.okStatuses ?? []).includes(status)) {
        const text = new TextDecoder().decode(body.subarray(0, 300)).replace(/\s+/g, ' ').trim();
        const err = new DicomWebError(
          'DICOMWEB_HTTP',
          redact(`${where}: HTTP ${status}${text ? ` (${text})` : ''}`),
          { status },
        );
        (err as { retryAfterMs?: number }).retryAfterMs = retryAfter(res.headers.get('retry-after'));
        throw err;
      }
      return { status, contentType: res.headers.get('content-type') ?? '', body };
    } finally {
      clearTimeout(timer);
      req.signal?.removeEventListener('abort', onAbort);
    }
  }

  function retryable(e: unknown, method: string): boolean {
    if (!(e instanceof DicomWebError)) return false;
    if (e.code === 'DICOMWEB_HTTP') return e.status === 429 || (e.status !== undefined && e.status >= 500);
    // a POST that may have reached the server is not re-sent after a timeout or a lost connection
    return method === 'GET' && (e.code === 'DICOMWEB_TIMEOUT' || e.code === 'DICOMWEB_UNREACHABLE');
  }

  async function request(req: DicomWebRequest): Promise<DicomWebResponse> {
    const url = root + req.path + queryString(req.query);
    return limit(async () => {
      for (let n = 0; ; n++) {
        if (req.signal?.aborted) throw aborted();
        try {
          return await attempt(req, url);
        } catch (e) {
          if (n >= retries || !retryable(e, req.method ?? 'GET')) throw e;
          const hinted = (e as { retryAfterMs?: number }).retryAfterMs;
          const wait = hinted ?? backoffMs * 2 ** n * (0.75 + Math.random() * 0.5);
          await sleep(wait, req.signal);
        }
      }
    });
  }

  return { root, request };
}

/** Retry-After in ms (seconds form only), capped at 30 s. */
function retryAfter(v: string | null): number | undefined {
  const s = v === null ? NaN : Number(v);
  return Number.isFinite(s) && s >= 0 ? Math.min(30, s) * 1000 : undefined;
}

function queryString(q: Record<string, string | string[]> | undefined): string {
  if (!q) return '';
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) for (const x of Array.isArray(v) ? v : [v]) p.append(k, x);
  const s = p.toString();
  return s ? `?${s}` : '';
}

const seg = (uid: string) => encodeURIComponent(uid);

/** QIDO-RS search parameters: attribute matches (keyword or tag), includefield, limit, offset, fuzzymatching. */
export type QidoQuery = Record<string, string | string[]>;

async function qido(c: DicomWebClient, path: string, what: string, query?: QidoQuery, signal?: AbortSignal) {
  const res = await c.request({ path, query, accept: 'application/dicom+json', what, signal });
  // 204 No Content: nothing matched
  return res.status === 204 ? [] : parseDicomJson(new TextDecoder().decode(res.body), what);
}

/** QIDO-RS: studies matching `query`. */
export function searchStudies(
  c: DicomWebClient,
  query?: QidoQuery,
  signal?: AbortSignal,
): Promise<DicomJson[]> {
  return qido(c, '/studies', 'QIDO-RS study search', query, signal);
}

/** QIDO-RS: series of one study (or of all studies when `study` is undefined). */
export function searchSeries(
  c: DicomWebClient,
  study: string | undefined,
  query?: QidoQuery,
  signal?: AbortSignal,
): Promise<DicomJson[]> {
  const path = study === undefined ? '/series' : `/studies/${seg(study)}/series`;
  return qido(c, path, 'QIDO-RS series search', query, signal);
}

/** QIDO-RS: instances of one series (or study, or all). */
export function searchInstances(
  c: DicomWebClient,
  study: string | undefined,
  series: string | undefined,
  query?: QidoQuery,
  signal?: AbortSignal,
): Promise<DicomJson[]> {
  const path =
    study === undefined
      ? '/instances'
      : series === undefined
        ? `/studies/${seg(study)}/instances`
        : `/studies/${seg(study)}/series/${seg(series)}/instances`;
  return qido(c, path, 'QIDO-RS instance search', query, signal);
}

/** WADO-RS metadata (DICOM JSON, bulk data as URIs) of every instance of a series. */
export function retrieveSeriesMetadata(
  c: DicomWebClient,
  study: string,
  series: string,
  signal?: AbortSignal,
): Promise<DicomJson[]> {
  return qido(
    c,
    `/studies/${seg(study)}/series/${seg(series)}/metadata`,
    'WADO-RS series metadata',
    undefined,
    signal,
  );
}

/** WADO-RS metadata of one instance. */
export async function retrieveInstanceMetadata(
  c: DicomWebClient,
  study: string,
  series: string,
  instance: string,
  signal?: AbortSignal,
): Promise<DicomJson> {
  const path = `/studies/${seg(study)}/series/${seg(series)}/instances/${seg(instance)}/metadata`;
  const [ds] = await qido(c, path, 'WADO-RS instance metadata', undefined, signal);
  if (!ds)
    throw new DicomWebError('DICOMWEB_PARSE', `WADO-RS instance metadata: empty answer for ${instance}`);
  return ds;
}
