// The DICOMweb client against a real Orthanc (QIDO, WADO metadata/instances/frames with transcoding
// fallback, STOW, auth) and against small local HTTP servers for what Orthanc will not do on demand
// (503/429 then success, no answer, an error body echoing the token, concurrency).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { errorCode } from '../core/errors.ts';
import { openRaster } from '../formats/index.ts';
import { orthancMissing, startOrthanc } from '../test/testing/orthanc.ts';
import { smallCtSeries } from '../test/testing/small-series.ts';
import {
  checkStored,
  createClient,
  parseMultipart,
  buildMultipart,
  parseSeriesUrl,
  part10TransferSyntax,
  retrieveFrames,
  retrieveInstance,
  retrieveInstanceMetadata,
  retrieveSeriesMetadata,
  searchInstances,
  searchSeries,
  searchStudies,
  stow,
  str,
  TAGS,
  type DicomWebClient,
} from './index.ts';

const CT_STUDY = '1.3.46.670589.33.1.27492712521914879309.27169771283235650014';
const CT_SERIES = '1.3.46.670589.33.1.18734725841080964938.23067202722091553970';
const RLE = 'fixtures/dicom/mr64_10frame_12bit_rle.dcm';
const skip = orthancMissing();

/** Rejects with the error's code (and status when it has one). */
async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    const status = (e as { status?: number }).status;
    return `${errorCode(e) ?? 'NONE'}${status ? ` ${status}` : ''}`;
  }
  return 'no error';
}

async function pixels(bytes: Uint8Array, frame = 0): Promise<number[]> {
  const src = await openRaster(bytes);
  try {
    return Array.from((await src.read({ frame })).data, Number);
  } finally {
    await src.close();
  }
}

test('parseSeriesUrl splits root, study and series; refuses other URLs and credentials', () => {
  assert.deepEqual(
    parseSeriesUrl('https://pacs.example:8443/orthanc/dicom-web/studies/1.2.3/series/4.5.6/'),
    {
      root: 'https://pacs.example:8443/orthanc/dicom-web',
      study: '1.2.3',
      series: '4.5.6',
    },
  );
  for (const bad of [
    'ftp://x/studies/1/series/2',
    'http://x/studies/1',
    'http://x/studies/a.b/series/2',
    'nope',
  ])
    assert.throws(
      () => parseSeriesUrl(bad),
      (e) => errorCode(e) === 'DICOMWEB_URL',
      bad,
    );
  assert.throws(
    () => parseSeriesUrl('http://user:s3cr3t-pw@x/studies/1/series/2'),
    (e) => errorCode(e) === 'DICOMWEB_URL' && !(e as Error).message.includes('s3cr3t-pw'),
  );
});

test('multipart/related round-trips binary parts; a cut body is DICOMWEB_PARSE', () => {
  const a = new Uint8Array([0, 13, 10, 45, 45, 255]);
  const b = new TextEncoder().encode('\r\n--not-the-boundary\r\n');
  const { body, contentType } = buildMultipart([a, b], 'application/dicom');
  const parts = parseMultipart(body, contentType);
  assert.deepEqual(
    parts.map((p) => [p.headers['content-type'], Array.from(p.body)]),
    [
      ['application/dicom', Array.from(a)],
      ['application/dicom', Array.from(b)],
    ],
  );
  assert.throws(
    () => parseMultipart(body.subarray(0, body.length - 30), contentType),
    (e) => errorCode(e) === 'DICOMWEB_PARSE',
  );
});

test('QIDO, WADO and STOW against Orthanc', { skip }, async (t) => {
  const pacs = await startOrthanc();
  t.after(() => pacs.stop());
  const series = await smallCtSeries(16);
  const rle = new Uint8Array(await readFile(RLE));
  await pacs.upload([...series, rle]);
  let requests = 0;
  const c = createClient({
    root: pacs.dicomweb,
    fetch: (input, init) => {
      requests++;
      return fetch(input, init);
    },
  });

  const studies = await searchStudies(c, { StudyInstanceUID: CT_STUDY });
  assert.equal(studies.length, 1);
  assert.equal(str(studies[0] ?? {}, TAGS.StudyInstanceUID), CT_STUDY);
  assert.equal((await searchSeries(c, CT_STUDY)).length, 1);
  assert.deepEqual(await searchStudies(c, { PatientID: 'no-such-patient' }), []);
  const instances = await searchInstances(c, CT_STUDY, CT_SERIES);
  assert.equal(instances.length, 5);
  const metadata = await retrieveSeriesMetadata(c, CT_STUDY, CT_SERIES);
  assert.deepEqual(metadata.map((m) => str(m, TAGS.Rows)).sort(), ['16', '16', '16', '16', '16']);
  assert.ok(requests >= 5, 'the fetch hook carried the requests');

  // an instance comes back byte for byte in its stored (decodable) syntax
  const uid = str(instances[0] ?? {}, TAGS.SOPInstanceUID) as string;
  const got = await retrieveInstance(c, CT_STUDY, CT_SERIES, uid);
  const sent = series.find((s) => Buffer.from(s).includes(Buffer.from(uid)));
  assert.ok(sent && Buffer.from(got).equals(Buffer.from(sent)), 'WADO-RS instance equals the uploaded file');

  // RLE the caller does not take: the PACS transcodes to Explicit VR Little Endian, same values
  const [rleMeta] = await searchInstances(c, undefined, undefined, { Modality: 'MR' });
  assert.ok(rleMeta, 'the RLE instance is found');
  const [s, se, i] = [TAGS.StudyInstanceUID, TAGS.SeriesInstanceUID, TAGS.SOPInstanceUID].map(
    (k) => str(rleMeta, k) as string,
  ) as [string, string, string];
  const asIs = await retrieveInstance(c, s, se, i);
  assert.equal(part10TransferSyntax(asIs), '1.2.840.10008.1.2.5');
  const transcoded = await retrieveInstance(c, s, se, i, { accept: (ts) => ts !== '1.2.840.10008.1.2.5' });
  assert.equal(part10TransferSyntax(transcoded), '1.2.840.10008.1.2.1');
  assert.deepEqual(await pixels(transcoded, 4), await pixels(rle, 4));
  const frames = await retrieveFrames(c, s, se, i, [2, 5], { accept: (ts) => ts === '1.2.840.10008.1.2.1' });
  assert.deepEqual(
    frames.map((f) => [f.transferSyntaxUID, f.bytes.length]),
    [
      ['1.2.840.10008.1.2.1', 64 * 64 * 2],
      ['1.2.840.10008.1.2.1', 64 * 64 * 2],
    ],
  );
  assert.deepEqual(Array.from(new Uint16Array(frames[1]!.bytes.slice().buffer)), await pixels(rle, 4));
  assert.equal(str(await retrieveInstanceMetadata(c, s, se, i), TAGS.NumberOfFrames), '10');

  // STOW: stored into its own study; refused into another (409 is an answer, checkStored throws)
  const ct128 = new Uint8Array(await readFile('fixtures/dicom/ct128_signed16_explicit_le.dcm'));
  const ok = await stow(c, [ct128]);
  assert.equal(ok.stored.length, 1);
  assert.doesNotThrow(() => checkStored(ok, [ok.stored[0]?.sopInstanceUID as string]));
  const wrong = await stow(c, [ct128], { study: CT_STUDY });
  assert.equal(wrong.stored.length, 0);
  assert.equal(
    await codeOf(Promise.resolve().then(() => checkStored(wrong, ['x']))),
    `DICOMWEB_STOW_FAILED ${wrong.status}`,
  );
  assert.equal(await codeOf(searchSeries(c, '1.2.3', undefined, AbortSignal.abort())), 'ABORTED');
});

test(
  'Orthanc with authentication: no or wrong credentials are DICOMWEB_AUTH, right ones pass',
  { skip },
  async (t) => {
    const pacs = await startOrthanc({ users: { radiology: 'correct-horse-battery' } });
    t.after(() => pacs.stop());
    const root = pacs.dicomweb;
    assert.equal(await codeOf(searchStudies(createClient({ root }))), 'DICOMWEB_AUTH 401');
    const bearer = createClient({ root, headers: { Authorization: 'Bearer expired-token-123456' } });
    const e = await searchStudies(bearer).catch((x: unknown) => x as Error);
    assert.equal(errorCode(e), 'DICOMWEB_AUTH');
    assert.ok(!String((e as Error).message).includes('expired-token-123456'), (e as Error).message);
    assert.deepEqual(await searchStudies(createClient({ root, headers: pacs.auth })), []);
  },
);

/** A local HTTP server answering with `handle`; returns its URL and a closer. */
async function server(handle: (req: IncomingMessage, res: ServerResponse, n: number) => void) {
  let n = 0;
  const s = createServer((req, res) => handle(req, res, ++n));
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const a = s.address();
  const port = typeof a === 'object' && a ? a.port : 0;
  return {
    url: `http://127.0.0.1:${port}/dicom-web`,
    count: () => n,
    close: () => new Promise<void>((r) => (s.closeAllConnections(), s.close(() => r()))),
  };
}

test('5xx and 429 are retried with bounded backoff; timeouts and echoes are typed and redacted', async (t) => {
  const flaky = await server((_q, res, n) => {
    if (n <= 2) res.writeHead(n === 1 ? 503 : 429, { 'Retry-After': '0' }).end('busy');
    else res.writeHead(200, { 'Content-Type': 'application/dicom+json' }).end('[]');
  });
  t.after(flaky.close);
  const quick = { backoffMs: 5 };
  assert.deepEqual(await searchStudies(createClient({ root: flaky.url, ...quick })), []);
  assert.equal(flaky.count(), 3);

  const down = await server((_q, res) => res.writeHead(502).end());
  t.after(down.close);
  assert.equal(
    await codeOf(searchStudies(createClient({ root: down.url, retries: 2, ...quick }))),
    'DICOMWEB_HTTP 502',
  );
  assert.equal(down.count(), 3, 'one try and two retries, no more');

  const silent = await server(() => undefined);
  t.after(silent.close);
  const c: DicomWebClient = createClient({ root: silent.url, timeoutMs: 150, retries: 1, ...quick });
  assert.equal(await codeOf(searchStudies(c)), 'DICOMWEB_TIMEOUT');
  assert.equal(silent.count(), 2);

  const echo = await server((q, res) =>
    res.writeHead(400).end(`bad request from ${q.headers.authorization}`),
  );
  t.after(echo.close);
  const token = 'Bearer eyJhbGciOi.secret-part.sig';
  const e = await searchStudies(createClient({ root: echo.url, headers: { Authorization: token } })).catch(
    (x: unknown) => x as Error,
  );
  assert.equal(errorCode(e), 'DICOMWEB_HTTP');
  assert.ok(!String((e as Error).message).includes('secret-part'), (e as Error).message);
});

test('requests in flight never exceed the concurrency bound', async (t) => {
  let active = 0;
  let peak = 0;
  const slow = await server((_q, res) => {
    peak = Math.max(peak, ++active);
    setTimeout(() => {
      active--;
      res.writeHead(200, { 'Content-Type': 'application/dicom+json' }).end('[]');
    }, 30);
  });
  t.after(slow.close);
  const c = createClient({ root: slow.url, concurrency: 2 });
  await Promise.all(Array.from({ length: 8 }, () => searchStudies(c)));
  assert.equal(peak, 2);
  assert.equal(slow.count(), 8);
});
