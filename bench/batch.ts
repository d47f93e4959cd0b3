/**
 * `npm run bench -- batch`: the distributed batch engine (queue/) on this machine. A batch of copies
 * of a real DICOM (fixtures/dicom/ct128_signed16_explicit_le.dcm, 128x128 -> 256x256, medical-x2)
 * through Debian's redis-server and 1, 2 and 4 `tilesr worker` processes (one onnxruntime thread
 * each, so worker count = cores asked for): images per minute, peak RSS per worker (VmHWM), the
 * per-job cost of the queue against the same enhancement in one process with one session, against a
 * `tilesr enhance` process per image, and the cost of a rerun whose outputs are all up to date.
 * BATCH_IMAGES (default 24) sets the batch size. Never part of `npm test`.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { enhanceFile, writerFor } from '../cli/commands/enhance.ts';
import { createSession } from '../models/backend/select.ts';
import { getModel, loadModel } from '../models/registry.ts';
import { ready, redisMissing, startRedis, startWorker, type TestWorker } from '../queue/testing/redis.ts';
import { Job, Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { DEFAULT_QUEUE } from '../queue/jobs.ts';
import type { SuiteOutput } from './report.ts';
import { fmt, median } from './timing.ts';

const ROOT = resolve(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin/tilesr.mjs');
const SOURCE = join(ROOT, 'fixtures/dicom/ct128_signed16_explicit_le.dcm');
const MODEL = 'medical-x2';

async function tilesr(args: string[]): Promise<{ status: number | null; stdout: string }> {
  const p = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] });
  let stdout = '';
  p.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
  const status = await new Promise<number | null>((res) => p.once('close', res));
  return { status, stdout };
}

/** Peak resident set of a live process in MiB (VmHWM), or NaN when it is gone. */
function peakRssMiB(pid: number | undefined): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/**
 * Submits `inputs` to `url` and waits; returns the wall time in ms from submit to all done (two CLI
 * processes included) and the workers' own span (first job taken -> last job finished).
 */
async function runBatch(
  url: string,
  inputs: string[],
  out: string,
): Promise<{ ms: number; spanMs: number; jobMs: number; gapMs: number }> {
  const t0 = performance.now();
  const sub = await tilesr([
    'queue',
    'submit',
    '--redis',
    url,
    '--model',
    MODEL,
    '--out',
    out,
    '--json',
    ...inputs,
  ]);
  if (sub.status !== 0) throw new Error('submit failed');
  const { batch } = JSON.parse(sub.stdout) as { batch: string };
  const w = await tilesr(['queue', 'wait', batch, '--redis', url, '--timeout', '1800']);
  if (w.status !== 0) throw new Error(`batch ${batch} had failures`);
  const ms = performance.now() - t0;
  const redis = new Redis(url);
  const q = new Queue(DEFAULT_QUEUE, { connection: redis });
  try {
    const jobs = await Promise.all(inputs.map((_, i) => Job.fromId(q, `${batch}-${i}`)));
    const times = jobs
      .map((j) => ({ on: j?.processedOn ?? NaN, off: j?.finishedOn ?? NaN }))
      .sort((a, b) => a.on - b.on);
    const start = Math.min(...times.map((t) => t.on));
    const end = Math.max(...times.map((t) => t.off));
    // one worker: the gap between a job's end and the next one's start is the queue's own time
    const gaps = times.slice(1).map((t, i) => t.on - (times[i]?.off ?? NaN));
    return { ms, spanMs: end - start, jobMs: median(times.map((t) => t.off - t.on)), gapMs: median(gaps) };
  } finally {
    await q.close();
    redis.disconnect();
  }
}

/** Per-image ms of the same enhancement in this process, one session (threads 1) for all. */
async function direct(inputs: string[], out: string): Promise<number> {
  const entry = getModel(MODEL);
  const session = await createSession(await loadModel(entry), { preference: 'node-cpu', nodeThreads: 1 });
  const times: number[] = [];
  try {
    for (const [i, f] of inputs.entries()) {
      const o = join(out, `direct-${i}.dcm`);
      const t0 = performance.now();
      const writer = await writerFor(o, 8);
      await enhanceFile(f, o, {
        entry,
        writer,
        frame: 0,
        backend: 'node-cpu',
        session,
        signal: new AbortController().signal,
      });
      times.push(performance.now() - t0);
    }
  } finally {
    await session.dispose();
  }
  return median(times.slice(1));
}

/** Runs the suite. */
export async function benchBatch(): Promise<SuiteOutput> {
  const missing = redisMissing();
  if (missing) return `skipped: ${missing}`;
  const n = Number(process.env.BATCH_IMAGES ?? 24);
  const work = mkdtempSync(join(tmpdir(), 'tilesr-bench-batch-'));
  const inputs = Array.from({ length: n }, (_, i) => {
    const p = join(work, `img${String(i).padStart(3, '0')}.dcm`);
    copyFileSync(SOURCE, p);
    return p;
  });
  const rows: string[] = [];
  const ratios: Record<string, number | null> = {};
  const load: number[] = [loadavg()[0] ?? NaN];
  try {
    mkdirSync(join(work, 'direct'));
    const directMs = await direct(inputs.slice(0, 6), join(work, 'direct'));
    const cliRuns: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      await tilesr([
        'enhance',
        inputs[i] as string,
        '--model',
        MODEL,
        '--backend',
        'node-cpu',
        '--out',
        join(work, 'direct', `cli-${i}.dcm`),
      ]);
      cliRuns.push(performance.now() - t0);
    }
    const cliMs = median(cliRuns);
    let oneWorkerMs = NaN;
    let jobMs = NaN;
    let gapMs = NaN;
    let rerunMs = NaN;
    for (const workers of [1, 2, 4]) {
      const redis = await startRedis();
      const procs: TestWorker[] = Array.from({ length: workers }, () =>
        startWorker(redis.url, ['--threads', '1', '--backend', 'node-cpu']),
      );
      try {
        await Promise.all(procs.map((p) => ready(p, 120_000)));
        const out = join(work, `out-${workers}`);
        const { ms, spanMs, ...one } = await runBatch(redis.url, inputs, out);
        if (workers === 1) {
          oneWorkerMs = spanMs / n;
          jobMs = one.jobMs;
          gapMs = one.gapMs;
          rerunMs = (await runBatch(redis.url, inputs, out)).spanMs / n;
        }
        const rss = procs.map((p) => peakRssMiB(p.proc.pid));
        const perMin = (n / ms) * 60_000;
        ratios[`images_per_min_${workers}w`] = perMin;
        ratios[`peak_rss_mib_${workers}w`] = Math.max(...rss);
        const workerPerMin = (n / spanMs) * 60_000;
        ratios[`worker_images_per_min_${workers}w`] = workerPerMin;
        rows.push(
          `| ${workers} | ${n} | ${fmt(ms / 1000, 1)} | ${fmt(perMin, 1)} | ${fmt(workerPerMin, 1)} | ${fmt(Math.max(...rss), 0)} |`,
        );
      } finally {
        for (const p of procs) p.proc.kill('SIGTERM');
        await Promise.all(procs.map((p) => p.exited));
        await redis.stop();
      }
      load.push(loadavg()[0] ?? NaN);
    }
    ratios.direct_ms_per_image = directMs;
    ratios.cli_process_ms_per_image = cliMs;
    ratios.queue_1w_ms_per_image = oneWorkerMs;
    ratios.queue_job_median_ms = jobMs;
    ratios.queue_gap_median_ms = gapMs;
    ratios.queue_overhead_ms_per_job = jobMs + gapMs - directMs;
    ratios.rerun_skip_ms_per_job = rerunMs;
    const markdown = [
      `${n} copies of ct128_signed16_explicit_le.dcm (128x128 -> 256x256 DICOM, ${MODEL}), workers with one onnxruntime thread each, ${cpus().length} cores; 1-min load average ${load.map((l) => l.toFixed(1)).join(' -> ')}.`,
      '',
      '| workers | images | wall s (submit -> all done) | images/min | images/min (workers busy: first taken -> last done) | peak RSS per worker MiB |',
      '|---:|---:|---:|---:|---:|---:|',
      ...rows,
      '',
      '| per image | ms |',
      '|---|---:|',
      `| in one process, one session (enhanceFile) | ${fmt(directMs, 0)} |`,
      `| through the queue, 1 worker: mean (span / images, first job's model load and load spikes included) | ${fmt(oneWorkerMs, 0)} |`,
      `| through the queue, 1 worker: median job (hash, enhance, sidecar) + median gap between jobs | ${fmt(jobMs, 0)} + ${fmt(gapMs, 0)} |`,
      `| queue overhead per job (median job + gap - direct) | ${fmt(jobMs + gapMs - directMs, 0)} |`,
      `| a \`tilesr enhance\` process per image | ${fmt(cliMs, 0)} |`,
      `| rerun, outputs up to date (skipped) | ${fmt(rerunMs, 0)} |`,
    ].join('\n');
    return { markdown, ratios };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
