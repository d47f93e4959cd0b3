/**
 * A whole training run, what `tilesr train` does: decode and split the data (data.ts), resolve
 * `--init`, run the Python trainer (python.ts), check the exported ONNX (parity.ts), write the card
 * (card.ts), validate it through the registry like any `--model-file` card, and publish
 * (workspace.ts). models/ sits below validation/ and the CLI, so what only they can do (list input
 * folders, measure against bicubic) comes in as `TrainDeps`.
 */
import { availableParallelism } from 'node:os';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { sha256Hex } from '../integrity.ts';
import { getModel, loadExternalModel, loadModelBytes } from '../registry.ts';
import { addValidation, buildCard, describeValidation, type HeldOutValidator } from './card.ts';
import { prepareItems, splitByGroup, type Split } from './data.ts';
import { TrainError } from './errors.ts';
import { checkExport } from './parity.ts';
import { describeEvent, findPython, runTrainer } from './python.ts';
import { modelName, PRESETS, trainerConfig, type InitWeights, type TrainOptions } from './recipe.ts';
import { openWorkspace } from './workspace.ts';

/** What a run needs from the layers above models/. */
export interface TrainDeps {
  /** Expands the `data`/`val` inputs (folders, files) into image files. */
  collectFiles: (inputs: string[]) => Promise<string[]>;
  /** Validates the trained model on the held-out images (validation/ lives above models/). */
  validate: HeldOutValidator;
  /** Recorded in the card as `tilesr_version`. */
  tilesrVersion: string;
}

/** What a run wrote. */
export interface TrainOutput {
  onnx: string;
  card: string;
  cardJson: Record<string, unknown>;
}

/** An invalid option: code USAGE, which the CLI reports as its own usage error. */
const usage = (message: string) => new TrainError('USAGE', message);

/** `--init`: a shipped id (fidelity weights) or an external card, both sha256-checked before use. */
async function loadInit(
  o: TrainOptions,
  work: string,
  signal: AbortSignal,
): Promise<InitWeights | undefined> {
  if (!o.init) return undefined;
  const entry = o.init.endsWith('.json')
    ? await loadExternalModel(pathToFileURL(resolve(o.init)))
    : getModel(o.init, 'fidelity');
  if (entry.scale !== o.scale) throw usage(`--init ${o.init} is x${entry.scale}, training x${o.scale}`);
  const onnx = join(work, 'init.onnx');
  await writeFile(onnx, await loadModelBytes(entry, signal));
  // a fast student of a full teacher starts from random weights (distillation): scratch learning rate
  const want = o.arch === 'fast' ? { channels: 32, blocks: 6 } : { channels: 64, blocks: 16 };
  return {
    onnx,
    label: `${entry.key} (sha256 ${entry.sha256.slice(0, 12)}...)`,
    sameArch:
      entry.card.architecture['channels'] === want.channels &&
      entry.card.architecture['blocks'] === want.blocks,
  };
}

/** Decodes `--data` (and `--val`) into normalized items and splits them by subject/series/scene. */
async function prepareSplit(
  o: TrainOptions,
  deps: TrainDeps,
  work: string,
  signal: AbortSignal,
  log: (line: string) => void,
): Promise<{ files: string[]; split: Split }> {
  const preset = PRESETS[o.preset];
  const files = await deps.collectFiles(o.data);
  if (files.length === 0) throw new TrainError('TRAIN_NO_DATA', 'no image files under --data');
  const maxFrames = preset.maxFrames || undefined;
  const items = await prepareItems(files, {
    cacheDir: join(work, 'cache'),
    maxFramesPerFile: maxFrames,
    signal,
    onFile: (k, n, f) => log(`train: decoding [${k + 1}/${n}] ${f}`),
  });
  let split = splitByGroup(items, preset.valFraction, o.seed);
  if (o.val?.length) {
    const valFiles = await deps.collectFiles(o.val);
    const valItems = await prepareItems(valFiles, {
      cacheDir: join(work, 'cache-val'),
      maxFramesPerFile: maxFrames,
      signal,
    });
    split = {
      train: items,
      val: valItems,
      trainGroups: [...new Set(items.map((i) => i.group))].sort(),
      valGroups: [...new Set(valItems.map((i) => i.group))].sort(),
      rule: 'validation from --val (separate files); all --data groups train',
    };
  }
  if (split.train.length === 0) throw new TrainError('TRAIN_NO_DATA', 'the split left no training image');
  log(`train: ${split.train.length} train / ${split.val.length} val image(s); split ${split.rule}`);
  return { files, split };
}

/**
 * Trains, checks, validates and publishes `<out>/<name>.onnx` + `<out>/<name>.json`. Errors are
 * TrainError (ModelError/IntegrityError from `--init`); an abort leaves only `<out>/<name>.ckpt.pt`.
 */
export async function trainModel(o: TrainOptions, deps: TrainDeps): Promise<TrainOutput> {
  const log = o.log ?? ((l: string) => process.stderr.write(l + '\n'));
  const signal = o.signal ?? new AbortController().signal;
  const preset = PRESETS[o.preset];
  const python = await findPython(o.python);
  const name = modelName(o);
  if (!/^[\w.-]+$/.test(name)) throw usage(`--name may hold letters, digits, _ . - only, got "${name}"`);
  const ws = await openWorkspace(o.out, name);
  const { work } = ws;
  const threads = o.threads ?? Math.max(1, availableParallelism());
  const started = Date.now();
  try {
    log(`train: ${python.exe} (torch ${python.torch}), ${threads} thread(s), preset ${o.preset}`);
    const { files, split } = await prepareSplit(o, deps, work, signal, log);
    const init = await loadInit(o, work, signal);
    const config = trainerConfig(o, split, init, threads, work);
    const configPath = join(work, 'config.json');
    await writeFile(configPath, JSON.stringify(config, null, 1));
    try {
      await runTrainer(python.exe, configPath, {
        signal,
        onEvent: (e) => {
          const l = describeEvent(e);
          if (l) log(l);
        },
      });
    } catch (err) {
      // the one thing an interrupted run leaves: its last checkpoint, complete (written atomically)
      if (err instanceof TrainError && err.code === 'ABORTED') await ws.keepCheckpoint();
      throw err;
    }
    const result = JSON.parse(await readFile(join(work, 'result.json'), 'utf8')) as Record<string, unknown>;

    const onnxBytes = new Uint8Array(await readFile(join(work, 'model.onnx')));
    const ops = (result['ops'] as string[]) ?? [];
    const { diff, unexpected } = await checkExport(onnxBytes, ops, o.scale, work, log);

    const sha256 = await sha256Hex(onnxBytes);
    const card = buildCard({
      options: o,
      name,
      files: files.length,
      split,
      result,
      config,
      threads,
      torch: python.torch,
      normalization: getModel(`${o.domain}-x${o.scale}`, 'fidelity').card.normalization,
      onnx: { bytes: onnxBytes.length, ops, unexpected, diff, sha256 },
      tilesrVersion: deps.tilesrVersion,
    });
    // register the card from the work folder, then validate through the same path enhance uses
    const workOnnx = join(work, `${name}.onnx`);
    const workCard = join(work, `${name}.json`);
    await rename(join(work, 'model.onnx'), workOnnx);
    const provisional = { ...card, val_psnr: 0, bicubic_psnr: 0 };
    await writeFile(workCard, JSON.stringify(provisional, null, 1));
    const entry = await loadExternalModel(pathToFileURL(workCard));
    const valItems = split.val.slice(0, o.preset === 'smoke' ? preset.valMax : 64);
    log(`train: validating on ${valItems.length} held-out image(s) (real units, vs bicubic)`);
    const validation = await deps.validate({
      modelId: entry.id,
      variant: o.variant,
      items: valItems,
      scale: o.scale,
      threads,
      signal,
    });
    log(describeValidation(validation));
    addValidation(card, validation, started);
    await writeFile(workCard, JSON.stringify(card, null, 1) + '\n');
    if (signal.aborted) throw new TrainError('ABORTED', 'aborted');
    const final = await ws.publish(workOnnx, workCard);
    log(`train: wrote ${final.onnx} and ${final.card} (sha256 ${sha256.slice(0, 12)}...)`);
    return { ...final, cardJson: card };
  } finally {
    await ws.remove();
  }
}
