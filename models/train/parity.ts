/**
 * The exported ONNX checked before it may become a model: only the ops the shipped generators use,
 * and onnxruntime-node (what `enhance` runs) equal to PyTorch on train.py's probe to 1e-4.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeNpy } from '../../formats/npy.ts';
import { createNodeCpuBackend } from '../backend/ort-node.ts';
import { TrainError } from './errors.ts';

/** The ops an exported generator may use (those of the shipped models). */
export const ALLOWED_OPS: readonly string[] = ['Conv', 'Relu', 'PRelu', 'Add', 'Mul', 'DepthToSpace'];

/** The largest |onnxruntime - PyTorch| accepted. */
export const PARITY_LIMIT = 1e-4;

/** Runs the ONNX through onnxruntime-node on PyTorch's probe input; returns the max |difference|. */
export async function ortParity(onnx: Uint8Array, scale: number, work: string): Promise<number> {
  const input = decodeNpy(new Uint8Array(await readFile(join(work, 'probe_in.npy'))));
  const expected = decodeNpy(new Uint8Array(await readFile(join(work, 'probe_torch.npy'))));
  const [, , h, w] = input.shape as [number, number, number, number];
  const session = await createNodeCpuBackend({ threads: 1 }).createSession({
    id: 'parity',
    scale,
    bytes: onnx,
  });
  try {
    const out = await session.run({
      data: Float32Array.from(input.data as ArrayLike<number>),
      width: w,
      height: h,
    });
    const exp = expected.data as ArrayLike<number>;
    if (out.data.length !== exp.length)
      throw new TrainError(
        'TRAIN_PARITY_FAILED',
        `onnxruntime gave ${out.data.length} values, PyTorch ${exp.length}`,
      );
    let max = 0;
    for (let i = 0; i < exp.length; i++)
      max = Math.max(max, Math.abs((out.data[i] as number) - (exp[i] as number)));
    return max;
  } finally {
    await session.dispose();
  }
}

/**
 * Checks the graph's ops, then parity; throws TRAIN_EXPORT_INVALID or TRAIN_PARITY_FAILED. Returns the
 * measured difference and the (empty) list of unexpected ops, both recorded in the card.
 */
export async function checkExport(
  onnx: Uint8Array,
  ops: string[],
  scale: number,
  work: string,
  log: (line: string) => void,
): Promise<{ diff: number; unexpected: string[] }> {
  const unexpected = ops.filter((op) => !ALLOWED_OPS.includes(op));
  if (unexpected.length)
    throw new TrainError('TRAIN_EXPORT_INVALID', `exported graph uses ${unexpected.join(', ')}`);
  const diff = await ortParity(onnx, scale, work);
  log(`train: onnxruntime-node vs PyTorch max |diff| ${diff.toExponential(2)} (limit 1e-4)`);
  if (!(diff <= PARITY_LIMIT))
    throw new TrainError('TRAIN_PARITY_FAILED', `onnxruntime-node differs from PyTorch by ${diff} (> 1e-4)`);
  return { diff, unexpected };
}
