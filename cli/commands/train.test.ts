// `tilesr train` end to end on committed fixtures (smoke preset, fast arch, a few iterations):
// the card + ONNX it writes run through `enhance --model-file`, onnxruntime-node matches PyTorch to
// 1e-4 (recomputed here from the checkpoint, not taken from the card), a tampered ONNX is refused
// with the IntegrityError, missing Python/torch are typed errors, Ctrl-C leaves no model behind, and
// the Python degradation equals validation/degrade.ts on a real image. Skips, saying why, where
// Debian's python3-torch is absent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmod, copyFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { openRaster, toModalityValues } from '../../formats/index.ts';
import { decodeNpy, encodeNpy } from '../../formats/npy.ts';
import { createNodeCpuBackend } from '../../models/backend/ort-node.ts';
import { IntegrityError } from '../../models/errors.ts';
import { computeRange, normalize } from '../../models/normalize.ts';
import { loadExternalModel, loadModelBytes } from '../../models/registry.ts';
import { TrainError } from '../../models/train/errors.ts';
import { DEGRADE_SCRIPT, findPython, type PythonInfo } from '../../models/train/python.ts';
import { downsample } from '../../validation/degrade.ts';
import { main } from '../main.ts';
import { runTrain } from './train.ts';

const execFileP = promisify(execFile);
// no __pycache__ in the source tree
const run = (exe: string, args: string[]) =>
  execFileP(exe, args, { env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
const FIX = 'fixtures/dicom';
const DATA = [
  `${FIX}/mr64_10frame_12bit_explicit_le.dcm`,
  `${FIX}/mr384_12bit_explicit_le.dcm`,
  `${FIX}/mr64_implicit_le.dcm`,
];

/** The card fields this test reads. */
interface CardShape {
  onnx: { sha256: string; bytes: number; ops: string[] };
  architecture: { channels: number };
  iterations: number;
  data: { split: { val_groups: string[]; train_groups: string[] } };
  validation: { images: number; model: { psnr: number }; bicubic: { psnr: number } };
  val_psnr: number;
}

let python: PythonInfo | undefined;
let skipReason: string | false = false;
try {
  python = await findPython();
} catch (err) {
  skipReason = `python3-torch is not installed (${(err as Error).message.split(';')[0]})`;
}

test(
  'tilesr train smoke: card + ONNX that enhance --model-file runs; ONNX == PyTorch; tampering refused',
  { skip: skipReason },
  async () => {
    const out = await mkdtemp(join(tmpdir(), 'tilesr-train-'));
    try {
      const lines: string[] = [];
      const r = await runTrain({
        domain: 'medical',
        scale: 2,
        data: DATA,
        out,
        preset: 'smoke',
        variant: 'fidelity',
        arch: 'fast',
        degradation: 'bicubic',
        seed: 0,
        threads: 2,
        log: (l) => lines.push(l),
      });
      assert.ok(
        lines.some((l) => /it 30\/30/.test(l)),
        'progress lines reach the last iteration',
      );
      assert.deepEqual((await readdir(out)).sort(), [
        'medical_x2_fast_fidelity.ckpt.pt',
        'medical_x2_fast_fidelity.json',
        'medical_x2_fast_fidelity.onnx',
      ]);
      const card = JSON.parse(await readFile(r.card, 'utf8')) as CardShape;
      const onnx = new Uint8Array(await readFile(r.onnx));
      const { createHash } = await import('node:crypto');
      assert.equal(card.onnx.sha256, createHash('sha256').update(onnx).digest('hex'));
      assert.equal(card.onnx.bytes, onnx.length);
      for (const op of card.onnx.ops)
        assert.ok(['Conv', 'Relu', 'PRelu', 'Add', 'Mul', 'DepthToSpace'].includes(op), op);
      assert.equal(card.architecture.channels, 32);
      assert.equal(card.iterations, 30);
      // the split is by subject/series: no group and no file on both sides
      const split = card.data.split;
      assert.ok(split.val_groups.length >= 1 && split.train_groups.length >= 1);
      assert.equal(split.val_groups.filter((g: string) => split.train_groups.includes(g)).length, 0);
      assert.ok(card.validation.images >= 1);
      assert.ok(Number.isFinite(card.validation.model.psnr) && Number.isFinite(card.validation.bicubic.psnr));
      assert.equal(card.val_psnr, card.validation.model.psnr);

      // ONNX == PyTorch to 1e-4, recomputed independently from the saved checkpoint
      const input = new Float32Array(1 * 1 * 21 * 27).map((_, i) => (Math.sin(i * 0.37) + 1) / 2);
      const inNpy = join(out, 'in.npy');
      const torchNpy = join(out, 'torch.npy');
      await writeFile(inNpy, encodeNpy({ shape: [1, 1, 21, 27], dtype: 'float32', data: input }));
      const script = `import sys, numpy as np, torch; sys.path.insert(0, 'models/train'); from srmodels import SRResNet
m = SRResNet(2, 32, 6); m.load_state_dict(torch.load(sys.argv[1])['model']); m.eval()
with torch.no_grad(): np.save(sys.argv[3], m(torch.from_numpy(np.load(sys.argv[2]))).numpy())`;
      await run(python!.exe, ['-c', script, join(out, 'medical_x2_fast_fidelity.ckpt.pt'), inNpy, torchNpy]);
      const expected = decodeNpy(new Uint8Array(await readFile(torchNpy))).data as Float32Array;
      const session = await createNodeCpuBackend({ threads: 1 }).createSession({
        id: 't',
        scale: 2,
        bytes: onnx,
      });
      const got = await session.run({ data: input, width: 27, height: 21 });
      await session.dispose();
      assert.equal(got.data.length, expected.length);
      let maxDiff = 0;
      for (let i = 0; i < expected.length; i++)
        maxDiff = Math.max(maxDiff, Math.abs((got.data[i] as number) - (expected[i] as number)));
      assert.ok(maxDiff <= 1e-4, `onnxruntime vs PyTorch ${maxDiff}`);

      // enhance --model-file runs the trained model through the real CLI
      const enhanced = join(out, 'sr.npy');
      assert.equal(await main(['enhance', DATA[2] as string, '--model-file', r.card, '--out', enhanced]), 0);
      assert.deepEqual(decodeNpy(new Uint8Array(await readFile(enhanced))).shape, [128, 128]);

      // a tampered ONNX next to the same card: the IntegrityError, from the registry and from the CLI
      const bad = await mkdtemp(join(tmpdir(), 'tilesr-train-bad-'));
      try {
        await copyFile(r.card, join(bad, 'medical_x2_fast_fidelity.json'));
        const tampered = Uint8Array.from(onnx);
        tampered[tampered.length - 5] = (tampered[tampered.length - 5] as number) ^ 1;
        await writeFile(join(bad, 'medical_x2_fast_fidelity.onnx'), tampered);
        const entry = await loadExternalModel(pathToFileURL(join(bad, 'medical_x2_fast_fidelity.json')));
        await assert.rejects(
          loadModelBytes(entry),
          (e: unknown) => e instanceof IntegrityError && e.code === 'INTEGRITY_MISMATCH',
        );
        assert.equal(
          await main([
            'enhance',
            DATA[2] as string,
            '--model-file',
            join(bad, 'medical_x2_fast_fidelity.json'),
            '--out',
            join(bad, 'x.npy'),
          ]),
          1,
        );
        assert.deepEqual((await readdir(bad)).sort(), [
          'medical_x2_fast_fidelity.json',
          'medical_x2_fast_fidelity.onnx',
        ]);
      } finally {
        await rm(bad, { recursive: true, force: true });
      }
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  },
);

test(
  'an interrupted run writes no model, only its complete last checkpoint',
  { skip: skipReason },
  async () => {
    const out = await mkdtemp(join(tmpdir(), 'tilesr-train-abort-'));
    try {
      const ac = new AbortController();
      const p = runTrain({
        domain: 'medical',
        scale: 2,
        data: [DATA[1] as string],
        out,
        preset: 'smoke',
        iterations: 100000,
        variant: 'fidelity',
        arch: 'fast',
        degradation: 'bicubic',
        seed: 0,
        threads: 1,
        signal: ac.signal,
        log: (l) => {
          if (/it 5\//.test(l)) ac.abort();
        },
      });
      await assert.rejects(p, (e: unknown) => e instanceof TrainError && e.code === 'ABORTED');
      assert.deepEqual(await readdir(out), ['medical_x2_fast_fidelity.ckpt.pt']);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  },
);

test('missing Python or torch: typed errors naming the Debian packages', { skip: skipReason }, async () => {
  await assert.rejects(
    findPython('/nonexistent/python3'),
    (e: unknown) =>
      e instanceof TrainError && e.code === 'TRAIN_PYTHON_MISSING' && /python3-torch/.test(e.message),
  );
  // the real interpreter without its site packages: Debian's torch is then not importable
  const dir = await mkdtemp(join(tmpdir(), 'tilesr-nopy-'));
  try {
    const fake = join(dir, 'python-without-torch');
    await writeFile(fake, `#!/bin/sh\nexec ${python!.exe} -S "$@"\n`);
    await chmod(fake, 0o755);
    await assert.rejects(
      findPython(fake),
      (e: unknown) =>
        e instanceof TrainError &&
        e.code === 'TRAIN_DEPS_MISSING' &&
        /apt-get install .*python3-torch/.test(e.message),
    );
    // through the CLI: one line with the code, exit 1, no output folder contents
    assert.equal(
      await main([
        'train',
        '--domain',
        'medical',
        '--scale',
        '2',
        '--data',
        DATA[0] as string,
        '--out',
        join(dir, 'o'),
        '--python',
        fake,
      ]),
      1,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test(
  'Python degradation == validation/degrade.ts (antialiased bicubic) to 1e-4 on a real image',
  { skip: skipReason },
  async () => {
    const src = await openRaster(`${FIX}/mr384_12bit_explicit_le.dcm`);
    const raster = await src.read({ frame: 0 });
    await src.close();
    const values = toModalityValues(raster);
    const hr = Float64Array.from(normalize(values, computeRange(values)));
    const dir = await mkdtemp(join(tmpdir(), 'tilesr-degrade-'));
    try {
      for (const scale of [2, 4]) {
        await writeFile(
          join(dir, 'hr.npy'),
          encodeNpy({ shape: [raster.height, raster.width], dtype: 'float64', data: hr }),
        );
        await run(python!.exe, [DEGRADE_SCRIPT, join(dir, 'hr.npy'), String(scale), join(dir, 'lr.npy')]);
        const py = decodeNpy(new Uint8Array(await readFile(join(dir, 'lr.npy'))));
        const ts = downsample({ width: raster.width, height: raster.height, data: hr }, scale, {
          degradation: 'torch',
        });
        assert.deepEqual(py.shape, [ts.height, ts.width]);
        let max = 0;
        const d = py.data as ArrayLike<number>;
        for (let i = 0; i < ts.data.length; i++)
          max = Math.max(max, Math.abs((d[i] as number) - (ts.data[i] as number)));
        assert.ok(max <= 1e-4, `x${scale}: Python vs TS LR differ by ${max}`);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
);

test('--batch, --patch, --lr: bad values are usage errors, raised before any Python runs', async () => {
  const base = ['train', '--domain', 'medical', '--scale', '2', '--data', DATA[0] as string, '--out'];
  const dir = await mkdtemp(join(tmpdir(), 'tilesr-trainargs-'));
  try {
    for (const bad of [
      ['--patch', '4'],
      ['--patch', '12.5'],
      ['--batch', '0'],
      ['--batch', '0.5'],
      ['--lr', '0'],
    ]) {
      const written: string[] = [];
      const write = process.stderr.write.bind(process.stderr);
      process.stderr.write = (chunk: string | Uint8Array) => (written.push(String(chunk)), true);
      let code: number;
      try {
        code = await main([...base, join(dir, 'o'), ...bad, '--python', '/nonexistent/python3']);
      } finally {
        process.stderr.write = write;
      }
      assert.equal(code, 1);
      // a usage error, raised before the interpreter is looked for (else TRAIN_PYTHON_MISSING)
      assert.match(written.join(''), /^error USAGE: --(patch|batch|lr) /, bad.join(' '));
      assert.deepEqual(await readdir(dir), [], `${bad.join(' ')} created output`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
