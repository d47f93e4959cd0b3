// `queue submit --stow` is idempotent against a real PACS (Debian's Orthanc): the derived series
// carries its key in SeriesDescription (queue/pacs.ts), so a second submit of the same series, model
// and options finds it by QIDO-RS and stores nothing; the study ends with exactly one derived series.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { orthancMissing, startOrthanc } from '../test/testing/orthanc.ts';
import { ROOT, tilesr } from './testing/cli.ts';
import { ready, redisMissing, startRedis, startWorker } from './testing/redis.ts';

test(
  '--stow twice: one derived series (found again by its SeriesDescription tag), second run skipped',
  { skip: redisMissing() || orthancMissing(), timeout: 180_000 },
  async (t) => {
    const redis = await startRedis();
    const pacs = await startOrthanc();
    const w = startWorker(redis.url);
    t.after(async () => {
      if (w.proc.exitCode === null) w.proc.kill('SIGKILL');
      await pacs.stop();
      await redis.stop();
    });
    // small and multi-frame: the derived series holds one instance per source frame (10)
    await pacs.upload([join(ROOT, 'fixtures/dicom/mr64_10frame_12bit_rle.dcm')]);
    const frames = 10;
    const get = async <T>(path: string) => (await (await fetch(`${pacs.url}${path}`)).json()) as T;
    const [seriesId] = await get<string[]>('/series');
    const s = await get<{ ParentStudy: string; MainDicomTags: Record<string, string> }>(
      `/series/${seriesId}`,
    );
    const study = await get<{ MainDicomTags: Record<string, string> }>(`/studies/${s.ParentStudy}`);
    const url = `${pacs.dicomweb}/studies/${study.MainDicomTags.StudyInstanceUID}/series/${s.MainDicomTags.SeriesInstanceUID}`;
    await ready(w);
    const run = async (...extra: string[]) => {
      const sub = await tilesr([
        'queue',
        'submit',
        '--redis',
        redis.url,
        '--model',
        'medical-x2',
        '--stow',
        pacs.dicomweb,
        '--json',
        ...extra,
        url,
      ]);
      assert.equal(sub.status, 0, sub.stderr);
      const { batch } = JSON.parse(sub.stdout) as { batch: string };
      const waited = await tilesr(['queue', 'wait', batch, '--redis', redis.url, '--timeout', '150']);
      assert.equal(waited.status, 0, waited.stdout + waited.stderr);
    };
    const derived = async () => {
      const ids = (await get<{ Series: string[] }>(`/studies/${s.ParentStudy}`)).Series.filter(
        (id) => id !== seriesId,
      );
      return Promise.all(
        ids.map((id) => get<{ Instances: string[]; MainDicomTags: Record<string, string> }>(`/series/${id}`)),
      );
    };
    await run();
    const first = await derived();
    assert.equal(first.length, 1, 'one derived series');
    assert.equal(first[0]?.Instances.length, frames, 'one derived instance per source frame');
    assert.match(
      first[0]?.MainDicomTags.SeriesDescription ?? '',
      /^AI-enhanced x2 (.* )?tilesr:[0-9a-f]{16}$/,
    );
    await run();
    const second = await derived();
    assert.equal(second.length, 1, 'the rerun stored no second derived series');
    assert.equal(second[0]?.Instances.length, frames, 'and no extra instance');
    assert.match(w.log(), /\(up to date: skipped\)/);
    // other options are another key: a new derived series
    await run('--tile', '32');
    assert.equal((await derived()).length, 2, 'a different --tile stores its own series');
  },
);
