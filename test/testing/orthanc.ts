/**
 * A real PACS for tests: Debian's Orthanc with its DICOMweb plugin, started on 127.0.0.1 on a free
 * HTTP port with a temporary config and storage (DICOM server off, remote access off), stopped at
 * the end. Usage:
 *
 *   const skip = orthancMissing();            // a reason string where Orthanc is not installed
 *   test('…', { skip }, async (t) => {
 *     const pacs = await startOrthanc();       // or startOrthanc({ users: { alice: 'pw' } })
 *     t.after(() => pacs.stop());
 *     await pacs.upload(['demo/samples/ct-series/…dcm']);
 *     // pacs.dicomweb is the DICOMweb root, e.g. http://127.0.0.1:PORT/dicom-web
 *   });
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Debian's Orthanc binary and DICOMweb plugin (apt-get install orthanc orthanc-dicomweb). */
export const ORTHANC_BIN = '/usr/sbin/Orthanc';
export const DICOMWEB_PLUGIN = '/usr/share/orthanc/plugins/libOrthancDicomWeb.so';

/** Why Orthanc tests cannot run here, or undefined when they can (pass as node:test's `skip`). */
export function orthancMissing(): string | undefined {
  if (!existsSync(ORTHANC_BIN))
    return `Orthanc not installed (${ORTHANC_BIN}): apt-get install orthanc orthanc-dicomweb`;
  if (!existsSync(DICOMWEB_PLUGIN))
    return `Orthanc DICOMweb plugin missing (${DICOMWEB_PLUGIN}): apt-get install orthanc-dicomweb`;
  return undefined;
}

/** Options of startOrthanc. */
export interface OrthancOptions {
  /** HTTP Basic users (turns authentication on); without it every local request is allowed. */
  users?: Record<string, string>;
}

/** A running Orthanc. */
export interface Orthanc {
  /** http://127.0.0.1:PORT (Orthanc's REST API). */
  url: string;
  /** The DICOMweb root, `${url}/dicom-web`. */
  dicomweb: string;
  /** `Authorization: Basic …` of the first configured user ({} without users). */
  auth: Record<string, string>;
  /** Stores files (POST /instances); returns the Orthanc ids. */
  upload(files: (string | Uint8Array)[]): Promise<string[]>;
  /** Kills the process at once (SIGKILL), for "PACS down mid-series" tests; storage stays until stop(). */
  kill(): void;
  /** Stops Orthanc and removes its temporary storage; safe to call twice. */
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** Starts Orthanc and waits until /system answers (at most 20 s). */
export async function startOrthanc(o: OrthancOptions = {}): Promise<Orthanc> {
  const dir = await mkdtemp(join(tmpdir(), 'tilesr-orthanc-'));
  const port = await freePort();
  const config = {
    Name: 'tilesr-test',
    StorageDirectory: join(dir, 'db'),
    IndexDirectory: join(dir, 'db'),
    HttpPort: port,
    DicomServerEnabled: false,
    RemoteAccessAllowed: false,
    AuthenticationEnabled: o.users !== undefined,
    RegisteredUsers: o.users ?? {},
    HttpCompressionEnabled: false,
    ConcurrentJobs: 1,
    Plugins: [DICOMWEB_PLUGIN],
    DicomWeb: { Enable: true, Root: '/dicom-web/', EnableWado: false, Ssl: false },
  };
  await writeFile(join(dir, 'orthanc.json'), JSON.stringify(config));
  const url = `http://127.0.0.1:${port}`;
  const [user, pass] = Object.entries(o.users ?? {})[0] ?? [];
  const auth: Record<string, string> =
    user === undefined
      ? {}
      : { Authorization: `Basic ${Buffer.from(`${user}:${pass ?? ''}`).toString('base64')}` };
  let log = '';
  const proc: ChildProcess = spawn(ORTHANC_BIN, [join(dir, 'orthanc.json')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (b: Buffer) => (log = (log + b.toString()).slice(-4000));
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  let stopped = false;
  const stop = async () => {
    if (!stopped) {
      stopped = true;
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGTERM');
        const t = setTimeout(() => proc.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(t);
      }
    }
    await rm(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (proc.exitCode !== null) {
      await stop();
      throw new Error(`Orthanc exited at start (code ${proc.exitCode}):\n${log}`);
    }
    const ok = await fetch(`${url}/system`, { headers: auth }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`Orthanc did not answer on ${url} within 20 s:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    dicomweb: `${url}/dicom-web`,
    auth,
    async upload(files) {
      const ids: string[] = [];
      for (const f of files) {
        const body = typeof f === 'string' ? await readFile(f) : f;
        const r = await fetch(`${url}/instances`, { method: 'POST', body: body as BodyInit, headers: auth });
        if (!r.ok) throw new Error(`Orthanc refused an upload: HTTP ${r.status} ${await r.text()}`);
        ids.push(((await r.json()) as { ID: string }).ID);
      }
      return ids;
    },
    kill() {
      proc.kill('SIGKILL');
    },
    stop,
  };
}
