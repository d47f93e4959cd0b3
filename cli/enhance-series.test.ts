/**
 * `tilesr enhance <DICOMweb series URL>` and `tilesr inspect <series URL>` as a user runs them: real
 * processes against a real Orthanc holding the bundled CT series (cropped to 48x48 to stay fast), the
 * result read back over QIDO/WADO and decoded with formats/, compared with the local-file path.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openRaster, toModalityValues } from '../formats/index.ts';
import {
  createClient,
  items,
  retrieveInstance,
  retrieveSeriesMetadata,
  searchInstances,
  searchSeries,
  str,
  TAGS,
} from '../dicomweb/index.ts';
import { getModel } from '../models/registry.ts';
import { getWriter } from '../plugin/export/index.ts';
import { orthancMissing, startOrthanc, type Orthanc } from '../test/testing/orthanc.ts';
import { smallCtSeries } from '../test/testing/small-series.ts';
import { enhanceFile } from './commands/enhance.ts';

const STUDY = '1.3.46.670589.33.1.27492712521914879309.27169771283235650014';
const SERIES = '1.3.46.670589.33.1.18734725841080964938.23067202722091553970';
const skip = orthancMissing();
type Run = SpawnSyncReturns<string>;

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'tilesr-series-test-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const cli = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  spawnSync(process.execPath, ['bin/tilesr.mjs', ...args], {
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, TILESR_DICOMWEB_TOKEN: '', ...env },
  });

/** Starts a CLI run and calls `onLine` for each stderr line; resolves with status and output. */
function cliLive(args: string[], onLine: (line: string, kill: (s: NodeJS.Signals) => void) => void) {
  const child = spawn(process.execPath, ['bin/tilesr.mjs', ...args], {
    env: { ...process.env, TILESR_DICOMWEB_TOKEN: '' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr.on('data', (b: Buffer) => {
    stderr += b.toString();
    for (const line of b.toString().split('\n')) onLine(line, (s) => child.kill(s));
  });
  return new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (status) => resolve({ status, stdout, stderr })),
  );
}

/** The last JSON line of stdout (the report). */
const report = (stdout: string) =>
  JSON.parse(
    stdout
      .trim()
      .split('\n')
      .filter((l) => l.startsWith('{"complete"'))
      .pop() ?? 'null',
  ) as {
    complete: boolean;
    series_instance_uid: string;
    total: number;
    stored: { sop_instance_uid: string; source_sop_instance_uid: string; frame: number; path?: string }[];
  };

/** The code of the `{"error":{…}}` line --json prints on failure. */
const jsonError = (stdout: string) =>
  (JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as { error?: { code: string } }).error?.code;

async function pacsWithSeries(
  users?: Record<string, string>,
): Promise<{ pacs: Orthanc; files: Uint8Array[] }> {
  const pacs = await startOrthanc(users ? { users } : {});
  const files = await smallCtSeries(48);
  await pacs.upload(files);
  return { pacs, files };
}

async function modality(bytes: Uint8Array): Promise<{ v: Float64Array | Float32Array; slope: number }> {
  const src = await openRaster(bytes);
  try {
    return { v: toModalityValues(await src.read()), slope: src.info.valueMapping.slope };
  } finally {
    await src.close();
  }
}

test(
  'enhance --stow stores ONE derived series of N instances in the source study, equal to the file path',
  { skip },
  async (t) => {
    const { pacs, files } = await pacsWithSeries();
    t.after(() => pacs.stop());
    const dir = tempDir(t);
    const url = `${pacs.dicomweb}/studies/${STUDY}/series/${SERIES}`;
    const run = cli(['enhance', url, '--model', 'medical-x2', '--stow', pacs.dicomweb, '--json']);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stderr, /^\[5\/5\] stored /m, 'progress per instance');
    const r = report(run.stdout);
    assert.equal(r.complete, true);
    assert.equal(r.stored.length, 5);

    const c = createClient({ root: pacs.dicomweb });
    const series = (await searchSeries(c, STUDY)).map((s) => str(s, TAGS.SeriesInstanceUID));
    assert.deepEqual(
      series.sort(),
      [SERIES, r.series_instance_uid].sort(),
      'one new series in the source study',
    );
    assert.equal((await searchInstances(c, STUDY, r.series_instance_uid)).length, 5);
    const meta = await retrieveSeriesMetadata(c, STUDY, r.series_instance_uid);
    const sources = new Set<string>();
    for (const ds of meta) {
      assert.equal(str(ds, TAGS.StudyInstanceUID), STUDY);
      assert.equal(str(ds, TAGS.SeriesInstanceUID), r.series_instance_uid);
      assert.equal(str(ds, '00080008'), 'DERIVED');
      assert.ok(
        items(ds, '00089215').some(
          (code) => str(code, '00080100') === '113085' && str(code, '00080102') === 'DCM',
        ),
        'DerivationCodeSequence holds DCM 113085',
      );
      const refs = items(ds, '00082112').map((i) => str(i, TAGS.ReferencedSOPInstanceUID));
      assert.equal(refs.length, 1, 'one SourceImageSequence item per instance');
      sources.add(refs[0] as string);
    }
    assert.equal(sources.size, 5, 'each derived instance references its own source');

    // the same sources through the local-file path (the one `tilesr enhance FILE --out X.dcm` runs)
    const entry = getModel('medical-x2', 'fidelity');
    const writer = await getWriter('dicom');
    for (const s of r.stored) {
      const src = files.find((f) => Buffer.from(f).includes(Buffer.from(s.source_sop_instance_uid)));
      assert.ok(src);
      writeFileSync(join(dir, 'src.dcm'), src);
      const signal = new AbortController().signal;
      await enhanceFile(join(dir, 'src.dcm'), join(dir, 'local.dcm'), {
        entry,
        writer,
        frame: 0,
        backend: 'auto',
        signal,
      });
      const local = await modality(new Uint8Array(readFileSync(join(dir, 'local.dcm'))));
      const remote = await modality(
        await retrieveInstance(c, STUDY, r.series_instance_uid, s.sop_instance_uid),
      );
      assert.equal(remote.v.length, 96 * 96);
      let worst = 0;
      for (let i = 0; i < local.v.length; i++)
        worst = Math.max(worst, Math.abs((local.v[i] ?? 0) - (remote.v[i] ?? 0)));
      assert.ok(worst <= Math.max(local.slope, remote.slope) / 2 + 1e-9, `max |diff| ${worst} HU`);
    }

    // a derived series is refused exactly as a derived file is (ALREADY_ENHANCED once that rule is in)
    const derivedUrl = `${pacs.dicomweb}/studies/${STUDY}/series/${r.series_instance_uid}`;
    const again = cli(['enhance', derivedUrl, '--model', 'medical-x2', '--stow', pacs.dicomweb, '--json']);
    const first = r.stored[0]?.sop_instance_uid as string;
    writeFileSync(join(dir, 'derived.dcm'), await retrieveInstance(c, STUDY, r.series_instance_uid, first));
    const file = cli([
      'enhance',
      join(dir, 'derived.dcm'),
      '--model',
      'medical-x2',
      '--out',
      join(dir, 'x.dcm'),
    ]);
    // `error CODE:` on stderr, or with --json `{"error":{"code":...}}` on stdout
    const code = (o: string) =>
      /^error ([A-Z_]+):|"code":"([A-Z_]+)"/m.exec(o)?.slice(1).find(Boolean) ?? 'none';
    assert.equal(
      code(again.stderr + again.stdout),
      code(file.stderr),
      `series: ${again.stderr}${again.stdout}\nfile: ${file.stderr}`,
    );
    assert.equal(code(file.stderr), 'ALREADY_ENHANCED');
    assert.equal(again.status, file.status);
    assert.equal((await searchSeries(c, STUDY)).length, 2, 'nothing stored for a refused series');
  },
);

test(
  'auth: headers and TILESR_DICOMWEB_TOKEN work, a wrong token is DICOMWEB_AUTH, no secret is ever printed or written',
  { skip },
  async (t) => {
    const password = 'pw-Zq81-correct';
    const { pacs } = await pacsWithSeries({ radiology: password });
    t.after(() => pacs.stop());
    const dir = tempDir(t);
    const work = join(dir, 'tmp');
    const out = join(dir, 'out');
    const basic = pacs.auth.Authorization as string;
    const secrets = [
      password,
      basic.split(' ')[1] as string,
      'tenant-secret-7731',
      'env-token-9f8e7d',
      'expired-tok-4c3b',
    ];
    const url = `${pacs.dicomweb}/studies/${STUDY}/series/${SERIES}`;
    const headers = ['--header', `Authorization: ${basic}`, '--header', 'X-Tenant-Key: tenant-secret-7731'];
    mkdirSync(work);
    const runs = [
      cli(['enhance', url, '--model', 'medical-x2', '--out', out, '--json', ...headers], {
        TMPDIR: work,
        TILESR_DICOMWEB_TOKEN: 'env-token-9f8e7d',
      }),
      cli(['inspect', url, ...headers]),
      cli(['enhance', url, '--model', 'medical-x2', '--stow', pacs.dicomweb], {
        TILESR_DICOMWEB_TOKEN: 'expired-tok-4c3b',
      }),
      cli(['inspect', url, '--header', 'Authorization: Bearer expired-tok-4c3b']),
    ];
    const [ok, inspect, expired, inspectExpired] = runs as [Run, Run, Run, Run];
    assert.equal(ok.status, 0, ok.stderr);
    const written = readdirSync(out);
    assert.equal(written.length, 5);
    assert.deepEqual(
      written.sort(),
      report(ok.stdout)
        .stored.map((s) => `${s.sop_instance_uid}.dcm`)
        .sort(),
    );
    assert.equal(inspect.status, 0, inspect.stderr);
    const listed = JSON.parse(inspect.stdout) as {
      instances: { rows: number; frames: number; transfer_syntax_uid: string }[];
    };
    assert.deepEqual(
      listed.instances.map((i) => [i.rows, i.frames, i.transfer_syntax_uid]),
      Array(5).fill([48, 1, '1.2.840.10008.1.2.1']),
    );
    for (const bad of [expired, inspectExpired]) {
      assert.equal(bad.status, 1);
      assert.match(bad.stderr, /^error DICOMWEB_AUTH: .*HTTP 401/m);
    }
    const texts = [
      ...runs.flatMap((r) => [r.stdout, r.stderr]),
      ...written.map((f) => readFileSync(join(out, f)).toString('latin1')),
      ...readdirSync(work, { recursive: true }).map(String),
    ];
    for (const s of secrets)
      for (const text of texts) assert.ok(!text.includes(s), `a secret (${s.slice(0, 4)}…) leaked`);
    const leftovers = readdirSync(work).filter((n) => n.startsWith('tilesr-'));
    assert.deepEqual(leftovers, [], 'no temporary files left behind');
  },
);

test(
  'PACS killed mid-series: typed error and the report of what was stored; Ctrl-C stores nothing half',
  { skip },
  async (t) => {
    const { pacs } = await pacsWithSeries();
    t.after(() => pacs.stop());
    const url = `${pacs.dicomweb}/studies/${STUDY}/series/${SERIES}`;
    const args = ['enhance', url, '--model', 'medical-x2', '--stow', pacs.dicomweb, '--json'];

    // Ctrl-C after the second instance: exit 1, ABORTED, and the PACS holds exactly what is reported
    const stopped = await cliLive(args, (line, kill) => {
      if (line.startsWith('[2/5] stored')) kill('SIGINT');
    });
    assert.equal(stopped.status, 1, stopped.stderr);
    assert.equal(jsonError(stopped.stdout), 'ABORTED');
    const partial = report(stopped.stdout);
    assert.equal(partial.complete, false);
    assert.ok(partial.stored.length >= 2 && partial.stored.length < 5, `${partial.stored.length} stored`);
    assert.match(
      stopped.stderr,
      new RegExp(`stopped: ${partial.stored.length} of 5 derived instances stored`),
    );
    const c = createClient({ root: pacs.dicomweb });
    const inPacs = (await searchInstances(c, STUDY, partial.series_instance_uid)).map((i) =>
      str(i, TAGS.SOPInstanceUID),
    );
    assert.deepEqual(inPacs.sort(), partial.stored.map((s) => s.sop_instance_uid).sort());

    // the PACS dies after the first instance: a typed DICOMweb error, exit 1, the report names what is stored
    const down = await cliLive(args, (line) => {
      if (line.startsWith('[1/5] stored')) pacs.kill();
    });
    assert.equal(down.status, 1, down.stderr);
    assert.equal(jsonError(down.stdout), 'DICOMWEB_UNREACHABLE');
    const r = report(down.stdout);
    assert.equal(r.complete, false);
    assert.equal(r.total, 5);
    assert.ok(r.stored.length >= 1 && r.stored.length < 5);
    assert.match(
      down.stderr,
      new RegExp(`stopped: ${r.stored.length} of 5 .*${r.stored[0]?.sop_instance_uid}`),
    );
  },
);
