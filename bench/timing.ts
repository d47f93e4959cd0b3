/** Timing helpers shared by the benchmarks: repeat until a minimum time, report the median. */
import { spawnSync } from 'node:child_process';

/** Median of a list of numbers. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** Runs `fn` at least `minRuns` times and until `minMs` elapsed; returns the median ms per run. */
export async function timeAsync(fn: () => Promise<unknown>, minRuns = 3, minMs = 300): Promise<number> {
  await fn(); // warm-up: codec initialisation and JIT are not what we measure
  const times: number[] = [];
  const start = performance.now();
  while (times.length < minRuns || performance.now() - start < minMs) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  return median(times);
}

/** Median wall time (ms) of a whole process, or null when the command fails or is missing. */
export function timeProcess(cmd: string, args: string[], runs = 3): number | null {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const r = spawnSync(cmd, args, { stdio: 'ignore' });
    if (r.status !== 0) return null;
    times.push(performance.now() - t0);
  }
  return median(times);
}

/** Formats a number for a Markdown table cell. */
export function fmt(x: number | null, digits = 1): string {
  return x === null || !Number.isFinite(x) ? 'n/a' : x.toFixed(digits);
}
