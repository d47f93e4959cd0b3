import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TileScheduler, type Priority } from './scheduler.ts';
import { PipelineError } from './errors.ts';

// A task that finishes when the test says so (or when its signal fires).
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { open, opened };
}

const tick = () => new Promise((r) => setTimeout(r, 0));
const isAborted = (e: unknown) => e instanceof PipelineError && e.code === 'ABORTED';

test('runs queued tasks in priority order (visible > prefetch > validation), FIFO within one', async () => {
  const s = new TileScheduler({ concurrency: 1 });
  const g = gate();
  const blocker = s.submit('blocker', () => g.opened);
  const order: Priority[] = ['validation', 'prefetch', 'visible', 'validation', 'visible', 'prefetch'];
  const all = order.map((p, i) => s.submit(`${p}-${i}`, async () => i, { priority: p }));
  await tick();
  assert.deepEqual(s.started, ['blocker']);
  g.open();
  await Promise.all([blocker, ...all]);
  assert.deepEqual(s.started, [
    'blocker',
    'visible-2',
    'visible-4',
    'prefetch-1',
    'prefetch-5',
    'validation-0',
    'validation-3',
  ]);
});

test('never runs more than `concurrency` tasks at once', async () => {
  for (const concurrency of [1, 3]) {
    const s = new TileScheduler({ concurrency });
    let now = 0;
    let peak = 0;
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        s.submit(`t${i}`, async () => {
          now++;
          peak = Math.max(peak, now);
          await new Promise((r) => setTimeout(r, 2 + (i % 3)));
          now--;
          return i * i;
        }),
      ),
    );
    assert.deepEqual(
      results,
      Array.from({ length: 10 }, (_, i) => i * i),
    );
    assert.equal(peak, concurrency);
  }
});

test('a key already queued or running is joined, not re-run; a more urgent join promotes it', async () => {
  const s = new TileScheduler({ concurrency: 1 });
  const g = gate();
  let runs = 0;
  const blocker = s.submit('blocker', () => g.opened);
  const a = s.submit('tile', async () => ++runs, { priority: 'validation' });
  const other = s.submit('other', async () => 0, { priority: 'prefetch' });
  const b = s.submit('tile', async () => ++runs, { priority: 'visible' });
  g.open();
  await Promise.all([blocker, other]);
  assert.deepEqual([await a, await b], [1, 1]);
  assert.equal(runs, 1);
  assert.deepEqual(s.started, ['blocker', 'tile', 'other']);
});

test('abort drops queued tasks, fires the running task signal, and no progress follows it', async () => {
  const s = new TileScheduler({ concurrency: 2 });
  const controller = new AbortController();
  const started: string[] = [];
  const finished: string[] = [];
  const progress: number[] = [];
  let sawAbort = 0;
  const tasks = Array.from({ length: 8 }, (_, i) => ({
    key: `t${i}`,
    run: (signal: AbortSignal) =>
      new Promise<number>((resolve) => {
        started.push(`t${i}`);
        // the first two tiles finish quickly; the rest would take long
        const timer = setTimeout(
          () => {
            finished.push(`t${i}`);
            resolve(i);
          },
          i < 2 ? 1 : 200,
        );
        signal.addEventListener('abort', () => {
          sawAbort++;
          clearTimeout(timer);
          resolve(-1); // a backend that cannot stop early still returns: the result must be discarded
        });
      }),
  }));
  const batch = s.runAll(tasks, { signal: controller.signal, onProgress: (p) => progress.push(p.done) });
  await new Promise((r) => setTimeout(r, 30));
  controller.abort();
  const abortedAt = progress.length;
  await assert.rejects(batch, isAborted);
  await new Promise((r) => setTimeout(r, 250));
  assert.deepEqual(progress, [1, 2]);
  assert.equal(progress.length, abortedAt, 'no progress after abort');
  assert.equal(started.length, 4, 'two quick + two running when aborted; the other four never start');
  assert.equal(sawAbort, 2, 'both running tasks saw their signal fire');
  assert.deepEqual(finished, ['t0', 't1']);
  assert.equal(s.running, 0);
  assert.equal(s.queued, 0);
});

test('one waiter aborting does not cancel a tile another waiter still wants', async () => {
  const s = new TileScheduler({ concurrency: 1 });
  const c1 = new AbortController();
  let runs = 0;
  const p1 = s.submit(
    'x',
    async () => {
      await tick();
      return ++runs;
    },
    { signal: c1.signal },
  );
  const p2 = s.submit('x', async () => ++runs);
  c1.abort();
  await assert.rejects(p1, isAborted);
  assert.equal(await p2, 1);
  assert.equal(runs, 1);
});

test('runAll reports done/total for every tile exactly once and fails fast on a task error', async () => {
  const s = new TileScheduler({ concurrency: 2 });
  const seen: string[] = [];
  const out = await s.runAll(
    Array.from({ length: 5 }, (_, i) => ({ key: `k${i}`, run: async () => i + 10 })),
    { onProgress: (p) => seen.push(`${p.done}/${p.total}:${p.key}`) },
  );
  assert.deepEqual(out, [10, 11, 12, 13, 14]);
  assert.equal(seen.length, 5);
  assert.deepEqual(
    seen.map((x) => x.split(':')[0]),
    ['1/5', '2/5', '3/5', '4/5', '5/5'],
  );
  assert.deepEqual(new Set(seen.map((x) => x.split(':')[1])).size, 5);

  const boom = new PipelineError('TILE_FAILED', 'tile k1 failed');
  let laterStarted = 0;
  await assert.rejects(
    s.runAll(
      Array.from({ length: 6 }, (_, i) => ({
        key: `e${i}`,
        run: async () => {
          if (i === 1) throw boom;
          if (i > 2) laterStarted++;
          await tick();
          return i;
        },
      })),
    ),
    (e: unknown) => e === boom,
  );
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(laterStarted, 0, 'tiles queued behind the failure never ran');
});

test('an already-aborted signal rejects without running anything', async () => {
  const s = new TileScheduler();
  const c = new AbortController();
  c.abort();
  let ran = false;
  await assert.rejects(
    s.submit('a', async () => (ran = true), { signal: c.signal }),
    isAborted,
  );
  await assert.rejects(
    s.runAll([{ key: 'b', run: async () => (ran = true) }], { signal: c.signal }),
    isAborted,
  );
  assert.equal(ran, false);
});
