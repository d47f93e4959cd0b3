/** Runs the `tilesr` CLI as a child process for the queue tests, without blocking the test process. */
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');
export const BIN = join(ROOT, 'bin/tilesr.mjs');

/** `tilesr ARGS` with `env` added; resolves with its exit status and output (the workers' pipes keep draining). */
export async function tilesr(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ status: number | null; stdout: string; stderr: string; out: string }> {
  const p = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  let out = '';
  p.stdout.on('data', (b: Buffer) => ((stdout += b.toString()), (out += b.toString())));
  p.stderr.on('data', (b: Buffer) => ((stderr += b.toString()), (out += b.toString())));
  const status = await new Promise<number | null>((res) => p.once('close', (code) => res(code)));
  return { status, stdout, stderr, out };
}
