/**
 * Where a training run writes: a hidden work folder inside the output folder, renamed into place
 * only at the end, so an error or Ctrl-C never leaves a half-written model. Same folder, same file
 * system: every publish step is an atomic rename.
 */
import { mkdir, rename, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';

/** The work folder of one run and the moves out of it. */
export interface Workspace {
  /** The output folder (absolute). */
  outDir: string;
  /** The work folder: `<outDir>/.<name>.train-<pid>`. */
  work: string;
  /** Moves the trainer's last checkpoint (if any) to `<outDir>/<name>.ckpt.pt`. */
  keepCheckpoint(): Promise<void>;
  /** Moves the weights, then the card, then the checkpoint into `outDir`; returns the final paths. */
  publish(onnx: string, card: string): Promise<{ onnx: string; card: string }>;
  /** Removes the work folder and whatever is left in it. */
  remove(): Promise<void>;
}

/** Creates (or empties) the work folder of a run named `name` writing into `out`. */
export async function openWorkspace(out: string, name: string): Promise<Workspace> {
  const outDir = resolve(out);
  await mkdir(outDir, { recursive: true });
  const work = join(outDir, `.${name}.train-${process.pid}`);
  await rm(work, { recursive: true, force: true });
  await mkdir(work, { recursive: true });
  // the trainer writes checkpoint.pt atomically, so whatever is there is complete
  const keepCheckpoint = () =>
    rename(join(work, 'checkpoint.pt'), join(outDir, `${name}.ckpt.pt`)).catch(() => undefined);
  return {
    outDir,
    work,
    keepCheckpoint,
    async publish(onnx, card) {
      // weights first, card last: a card never points at missing weights
      const finalOnnx = join(outDir, `${name}.onnx`);
      const finalCard = join(outDir, `${name}.json`);
      await rename(onnx, finalOnnx);
      await rename(card, finalCard);
      await keepCheckpoint();
      return { onnx: finalOnnx, card: finalCard };
    },
    remove: () => rm(work, { recursive: true, force: true }),
  };
}
