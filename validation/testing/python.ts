/**
 * Test support: runs /usr/bin/python3 (Debian's, with numpy/scipy/skimage/PIL) as an oracle.
 * Arrays go over as float64 .npy files in a temp dir; the script prints one JSON value.
 * Node-only; used by tests and bench/, never by the library.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The interpreter with the oracle modules (the PATH `python3` is a bare pyenv). */
export const PYTHON = '/usr/bin/python3';

/** An array to hand to Python: shape + float64 (or float32) data. */
export interface PyArray {
  shape: number[];
  data: Float64Array | Float32Array;
}

/** Encodes a float array as .npy (v1.0, little-endian). */
export function npyBytes(a: PyArray): Uint8Array {
  const descr = a.data instanceof Float32Array ? '<f4' : '<f8';
  const shape = a.shape.length === 1 ? `(${a.shape[0]},)` : `(${a.shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  header += ' '.repeat((64 - ((11 + header.length) % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + header.length + a.data.byteLength);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  out.set(new Uint8Array(a.data.buffer, a.data.byteOffset, a.data.byteLength), 10 + header.length);
  return out;
}

/** Reads a float64 .npy written by the oracle (np.save of a float64 array). */
export function readNpyF64(path: string): { shape: number[]; data: Float64Array } {
  const b = readFileSync(path);
  const hlen = b.readUInt16LE(8);
  const header = b.subarray(10, 10 + hlen).toString('latin1');
  if (!header.includes("'<f8'")) throw new Error(`expected <f8 in ${header}`);
  const shape = (/'shape':\s*\(([^)]*)\)/.exec(header)?.[1] ?? '')
    .split(',')
    .filter((s) => s.trim())
    .map(Number);
  const body = b.subarray(10 + hlen);
  const data = new Float64Array(body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength));
  return { shape, data };
}

/** Whether the oracle interpreter has the given modules (tests skip with a reason when not). */
export function pythonHas(...modules: string[]): boolean {
  const r = spawnSync(PYTHON, ['-c', modules.map((m) => `import ${m}`).join('; ')], { encoding: 'utf8' });
  return r.status === 0;
}

/**
 * Runs `script` with the arrays saved as `<name>.npy` in the working directory; returns the
 * parsed JSON of its last stdout line, plus the directory's float64 outputs when asked.
 */
export function runPython<T>(script: string, arrays: Record<string, PyArray> = {}, outputs: string[] = []) {
  const dir = mkdtempSync(join(tmpdir(), 'tilesr-oracle-'));
  try {
    for (const [name, a] of Object.entries(arrays)) writeFileSync(join(dir, `${name}.npy`), npyBytes(a));
    const r = spawnSync(PYTHON, ['-c', script], { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 28 });
    if (r.status !== 0)
      throw new Error(`python failed (${r.status ?? r.signal ?? r.error?.message}): ${r.stderr}`);
    const lines = r.stdout.trim().split('\n');
    const json = JSON.parse(lines[lines.length - 1] ?? 'null') as T;
    const files = Object.fromEntries(outputs.map((o) => [o, readNpyF64(join(dir, `${o}.npy`))]));
    return { json, files };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
