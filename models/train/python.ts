/**
 * The Python side of `tilesr train`: finding an interpreter with PyTorch, and running
 * models/train/train.py with progress events (one JSON object per stdout line) and cancellation.
 * Nothing here throws a raw spawn error: a missing interpreter, missing packages or a failed run all
 * become TrainError with a code that names what to install.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { TRAIN_DEBIAN_PACKAGES, TrainError } from './errors.ts';

/** Path of the trainer script (next to this module). */
export const TRAIN_SCRIPT = fileURLToPath(new URL('./train.py', import.meta.url));
/** Path of the degradation module (its __main__ is the validation parity check). */
export const DEGRADE_SCRIPT = fileURLToPath(new URL('./degrade.py', import.meta.url));

/** A usable interpreter and the versions it reported. */
export interface PythonInfo {
  exe: string;
  torch: string;
  numpy: string;
}

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  missing: boolean;
}

function run(exe: string, args: string[]): Promise<RunResult> {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    // no __pycache__ written into the source tree
    const child = spawn(exe, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
    });
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (err: NodeJS.ErrnoException) =>
      resolve({
        code: null,
        stdout,
        stderr: err.message,
        missing: err.code === 'ENOENT' || err.code === 'EACCES',
      }),
    );
    child.on('close', (code) => resolve({ code, stdout, stderr, missing: false }));
  });
}

/**
 * Finds a Python 3 with torch, onnx and numpy: `explicit` (the --python option), else $TILESR_PYTHON,
 * else `python3` then `/usr/bin/python3` (Debian's packages live in the system interpreter, which a
 * pyenv/venv `python3` on PATH may hide). Throws TRAIN_PYTHON_MISSING or TRAIN_DEPS_MISSING.
 */
export async function findPython(explicit?: string): Promise<PythonInfo> {
  const chosen = explicit ?? process.env['TILESR_PYTHON'];
  const candidates = chosen ? [chosen] : ['python3', '/usr/bin/python3'];
  const problems: string[] = [];
  let anyFound = false;
  for (const exe of candidates) {
    const r = await run(exe, [TRAIN_SCRIPT, '--check']);
    if (r.missing) {
      problems.push(`${exe}: not found`);
      continue;
    }
    anyFound = true;
    if (r.code === 0) {
      try {
        const v = JSON.parse(r.stdout.trim().split('\n').pop() ?? '') as { torch: string; numpy: string };
        return { exe, torch: v.torch, numpy: v.numpy };
      } catch {
        problems.push(`${exe}: unexpected answer`);
        continue;
      }
    }
    const why = r.stderr.trim().split('\n').pop() ?? `exit ${r.code}`;
    problems.push(`${exe}: ${why}`);
  }
  if (!anyFound)
    throw new TrainError(
      'TRAIN_PYTHON_MISSING',
      `no Python interpreter (${problems.join('; ')}); install with: apt-get install ${TRAIN_DEBIAN_PACKAGES}`,
    );
  throw new TrainError(
    'TRAIN_DEPS_MISSING',
    `Python lacks PyTorch/ONNX/NumPy (${problems.join('; ')}); install with: apt-get install ${TRAIN_DEBIAN_PACKAGES}`,
  );
}

/** One progress line of train.py. */
export interface TrainerEvent {
  event: string;
  [key: string]: unknown;
}

/**
 * Runs `exe train.py config` to completion. Abort sends SIGTERM: the trainer checkpoints and exits,
 * and this rejects with ABORTED. A non-zero exit becomes TRAIN_FAILED with the trainer's message.
 */
export function runTrainer(
  exe: string,
  configPath: string,
  opts: { signal?: AbortSignal; onEvent?: (e: TrainerEvent) => void; env?: NodeJS.ProcessEnv } = {},
): Promise<TrainerEvent[]> {
  return new Promise((resolve, reject) => {
    if (opts.signal?.aborted) return reject(new TrainError('ABORTED', 'aborted'));
    const events: TrainerEvent[] = [];
    let stderr = '';
    let buf = '';
    const child = spawn(exe, [TRAIN_SCRIPT, configPath], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...opts.env, PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1' },
    });
    const onAbort = () => child.kill('SIGTERM');
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (!line.startsWith('{')) continue;
        try {
          const e = JSON.parse(line) as TrainerEvent;
          events.push(e);
          opts.onEvent?.(e);
        } catch {
          // a stray print from a library: not ours to parse
        }
      }
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000);
    });
    child.on('error', (err) => {
      opts.signal?.removeEventListener('abort', onAbort);
      reject(new TrainError('TRAIN_PYTHON_MISSING', `cannot start ${exe}: ${err.message}`, { cause: err }));
    });
    child.on('close', (code) => {
      opts.signal?.removeEventListener('abort', onAbort);
      if (opts.signal?.aborted)
        return reject(new TrainError('ABORTED', 'training interrupted; last checkpoint kept'));
      if (code === 0) return resolve(events);
      const err = events.find((e) => e.event === 'error');
      const msg = typeof err?.['message'] === 'string' ? err['message'] : stderr.trim().split('\n').pop();
      reject(new TrainError('TRAIN_FAILED', `trainer exited with ${code}: ${msg ?? 'no message'}`));
    });
  });
}

/** The progress line of a trainer event, or undefined to stay quiet. */
export function describeEvent(e: TrainerEvent): string | undefined {
  if (e.event === 'data')
    return `train: ${String(e['train_images'])} training image(s) (${String(e['train_megapixels'])} MP), ${String(e['val_images'])} for the trainer's own validation`;
  if (e.event === 'progress') {
    const vp = e['val_psnr'] !== undefined ? ` · val ${String(e['val_psnr'])} dB` : '';
    return `train: it ${String(e['it'])}/${String(e['of'])} loss ${String(e['loss'])}${vp} · ${String(e['elapsed'])} s, ETA ${String(e['eta'])} s`;
  }
  if (e.event === 'aborted') return `train: interrupted at it ${String(e['it'])}; checkpoint written`;
  return undefined;
}
