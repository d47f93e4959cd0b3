// bench/gpu/run.sh on a machine without an NVIDIA GPU: a clear message and exit 3, nothing measured
// or written (the GPU path itself needs a lent GPU machine: bench/gpu/README.md).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const hasGpu =
  existsSync('/dev/nvidia0') || spawnSync('nvidia-smi', ['-L'], { encoding: 'utf8' }).stdout?.includes('GPU');

test(
  'bench/gpu/run.sh says there is no GPU and exits 3',
  { skip: hasGpu && 'an NVIDIA GPU is present' },
  () => {
    const out = mkdtempSync(join(tmpdir(), 'tilesr-gpu-'));
    const r = spawnSync('bash', ['bench/gpu/run.sh', out], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 3, r.stderr);
    assert.match(r.stderr, /no NVIDIA GPU on this machine/);
    assert.deepEqual(readdirSync(out), []);
  },
);
