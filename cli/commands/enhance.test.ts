/**
 * `tilesr models` and `tilesr enhance` as a user runs them: real processes, real fixtures, real
 * models; .npy checked with our reader, .png with Pillow (Debian python3-pil).
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openRaster, toModalityValues } from '../../formats/index.ts';
import { decodeNpy } from '../../formats/npy.ts';
import { renderForDisplay } from '../../plugin/export/render.ts';

const tmp = mkdtempSync(join(tmpdir(), 'tilesr-enhance-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const cli = (...args: string[]) =>
  spawnSync(process.execPath, ['bin/tilesr.mjs', ...args], { encoding: 'utf8', timeout: 120_000 });
const PY = '/usr/bin/python3';
const hasPil = spawnSync(PY, ['-c', 'import PIL, numpy'], { stdio: 'ignore' }).status === 0;

const CT = 'fixtures/dicom/ct128_signed16_explicit_le.dcm';
const COG = 'fixtures/geotiff/u16_rgb_cog_deflate_ovr.tif';

/** Whole-frame modality values of a file, with min and max. */
async function frameValues(file: string) {
  const src = await openRaster(file);
  try {
    const r = await src.read();
    const v = toModalityValues(r);
    let min = Infinity;
    let max = -Infinity;
    for (const x of v) if (Number.isFinite(x)) [min, max] = [Math.min(min, x), Math.max(max, x)];
    return { r, v, min, max };
  } finally {
    await src.close();
  }
}

test('models lists the 8 shipped generators with their cards; sha256 matches the weight files', () => {
  const text = cli('models');
  assert.equal(text.status, 0, text.stderr);
  const rows = text.stdout.split('\n').filter((l) => /^(medical|satellite)-x[24]\s/.test(l));
  assert.equal(rows.length, 8);
  const json = cli('models', '--json');
  assert.equal(json.status, 0, json.stderr);
  const list = JSON.parse(json.stdout) as Array<Record<string, unknown>>;
  assert.equal(list.length, 8);
  assert.equal(new Set(list.map((m) => `${m.id}/${m.variant}`)).size, 8);
  for (const m of list) {
    const file = `models/weights/${String(m.id).replace('-', '_')}_${m.variant}.onnx`;
    const sha = createHash('sha256').update(readFileSync(file)).digest('hex');
    assert.equal(m.sha256, sha, file);
    assert.ok((m.valPsnr as number) > 20 && (m.receptiveFieldLrPx as number) > 0);
    assert.equal(m.scale, Number(/x(\d)/.exec(String(m.id))?.[1]));
  }
});

test('enhance a DICOM window to .npy: float32 [2h, 2w] in the original units (HU)', async () => {
  const out = join(tmp, 'ct.npy');
  const r = cli(
    'enhance',
    CT,
    '--model',
    'medical-x2',
    '--window',
    '20,30,50,40',
    '--tile',
    '32',
    '--out',
    out,
  );
  assert.equal(r.status, 0, r.stderr);
  const a = decodeNpy(readFileSync(out));
  assert.deepEqual(a.shape, [80, 100]);
  assert.equal(a.dtype, 'float32');
  const { r: src, v, min, max } = await frameValues(CT);
  let sum = 0;
  // real units with the frame's extremes kept (the range rule): within 3% of its span of [min, max]
  const slack = 0.03 * (max - min);
  for (const x of a.data) {
    assert.ok(x >= min - slack && x <= max + slack, `${x} outside the frame's [${min}, ${max}]`);
    sum += x;
  }
  // the SR mean matches the LR window's mean: units, offset and window position are right
  let lr = 0;
  for (let y = 30; y < 70; y++) for (let x = 20; x < 70; x++) lr += v[y * src.width + x] as number;
  const d = Math.abs(sum / a.data.length - lr / 2000);
  assert.ok(d < 0.02 * (max - min), `mean differs by ${d}`);
});

test('enhance a GeoTIFF window to .npy: [2h, 2w, 3] per band in original units', async () => {
  const out = join(tmp, 'cog.npy');
  const r = cli('enhance', COG, '--model', 'satellite-x2', '--window', '60,50,40,30', '--out', out);
  assert.equal(r.status, 0, r.stderr);
  const a = decodeNpy(readFileSync(out));
  assert.deepEqual(a.shape, [60, 80, 3]);
  assert.equal(a.dtype, 'float32');
  const { r: src, v } = await frameValues(COG);
  for (let c = 0; c < 3; c++) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = c; i < v.length; i += 3)
      [lo, hi] = [Math.min(lo, v[i] as number), Math.max(hi, v[i] as number)];
    let sr = 0;
    for (let i = c; i < a.data.length; i += 3) {
      assert.ok((a.data[i] as number) >= lo && (a.data[i] as number) <= hi);
      sr += a.data[i] as number;
    }
    let lr = 0;
    for (let y = 50; y < 80; y++)
      for (let x = 60; x < 100; x++) lr += v[(y * src.width + x) * 3 + c] as number;
    assert.ok(Math.abs(sr / (a.data.length / 3) - lr / 1200) < 0.02 * (hi - lo), `band ${c} mean`);
  }
});

test(
  'enhance to .png: decodes, carries provenance, and differs from the plain render only by the label',
  { skip: !hasPil && 'python3-pil missing' },
  async () => {
    const npy = join(tmp, 'ct-label.npy');
    const png = join(tmp, 'ct-label.png');
    const args = [CT, '--model', 'medical-x2', '--window', '10,60,70,50'];
    assert.equal(cli('enhance', ...args, '--out', npy).status, 0);
    const r = cli('enhance', ...args, '--out', png);
    assert.equal(r.status, 0, r.stderr);
    const py = spawnSync(
      PY,
      [
        '-c',
        'import sys,json,numpy as np; from PIL import Image; im=Image.open(sys.argv[1]); print(json.dumps({"mode":im.mode,"size":im.size,"text":dict(im.text),"px":np.asarray(im).reshape(-1).tolist()}))',
        png,
      ],
      { encoding: 'utf8', maxBuffer: 64 << 20 },
    );
    assert.equal(py.status, 0, py.stderr);
    const got = JSON.parse(py.stdout) as {
      mode: string;
      size: number[];
      text: Record<string, string>;
      px: number[];
    };
    assert.equal(got.mode, 'L');
    assert.deepEqual(got.size, [140, 100]);
    const prov = JSON.parse(got.text['tilesr:provenance'] as string);
    assert.equal(prov.modelId, 'medical-x2');
    assert.equal(prov.scale, 2);
    assert.equal(prov.aiEnhanced, true);
    assert.match(got.text['Description'] as string, /^AI-enhanced - medical-x2 - x2$/);

    // the same pixels rendered without the burn-in step
    const a = decodeNpy(readFileSync(npy));
    const src = await openRaster(CT);
    const info = src.info;
    await src.close();
    const plain = renderForDisplay(
      { data: a.data as Float32Array, width: 140, height: 100, samples: 1 },
      { photometric: info.photometric, windows: info.windows },
    ).image.data;
    const box = prov.watermark.box as { x: number; y: number; width: number; height: number };
    let ink = 0;
    let changed = 0;
    for (let y = 0; y < 100; y++)
      for (let x = 0; x < 140; x++) {
        const i = y * 140 + x;
        const inBox = x >= box.x && x < box.x + box.width && y >= box.y && y < box.y + box.height;
        if (!inBox) assert.equal(got.px[i], plain[i], `pixel ${x},${y} differs outside the label`);
        else {
          if (got.px[i] !== plain[i]) changed++;
          if (got.px[i] === 255) ink++;
        }
      }
    assert.ok(ink > 100, `${ink} label pixels`);
    assert.ok(changed > box.width * box.height * 0.5, 'the label box is visibly burned in');
  },
);

test(
  '--png-bits 16 writes a 16-bit gray PNG; perceptual warns',
  { skip: !hasPil && 'python3-pil missing' },
  () => {
    const png = join(tmp, 'p16.png');
    const r = cli(
      'enhance',
      'fixtures/dicom/mr64_implicit_le.dcm',
      '--model',
      'medical-x2',
      '--variant',
      'perceptual',
      '--png-bits',
      '16',
      '--out',
      png,
    );
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /warning: .*perceptual.*invent/);
    const py = spawnSync(
      PY,
      [
        '-c',
        'import sys; from PIL import Image; im=Image.open(sys.argv[1]); print(im.mode, im.size, im.getextrema(), im.text["Description"])',
        png,
      ],
      { encoding: 'utf8' },
    );
    assert.equal(py.status, 0, py.stderr);
    assert.match(
      py.stdout,
      /^I(;16)? \(128, 128\) \(\d+, 65535\) AI-enhanced - medical-x2 perceptual - x2$/m,
    );
  },
);

test('a bad model id exits 1 with the error line and writes nothing', () => {
  const dir = mkdtempSync(join(tmp, 'bad-'));
  const out = join(dir, 'x.npy');
  const r = cli('enhance', CT, '--model', 'medical-x3', '--out', out);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^error UNKNOWN_MODEL: unknown model "medical-x3"/);
  assert.equal(existsSync(out), false);
  assert.deepEqual(readdirSync(dir), []);
  const w = cli('enhance', CT, '--model', 'medical-x2', '--window', '100,100,64,64', '--out', out);
  assert.equal(w.status, 1);
  assert.match(w.stderr, /^error WINDOW_OUT_OF_BOUNDS: /);
  assert.deepEqual(readdirSync(dir), []);
});

test('progress: a bar on a terminal (via script(1)), nothing but the summary in a pipe; --json prints provenance', () => {
  const out = join(tmp, 'bar.npy');
  const args = [
    'enhance',
    'fixtures/dicom/mr64_implicit_le.dcm',
    '--model',
    'medical-x2',
    '--tile',
    '32',
    '--out',
    out,
  ];
  const piped = cli(...args, '--json');
  assert.equal(piped.status, 0, piped.stderr);
  assert.doesNotMatch(piped.stderr, /tiles ·/);
  assert.match(piped.stderr, /^wrote .*bar\.npy: 128x128x1 medical_x2_fidelity x2 on node-cpu, 4 tiles/m);
  const j = JSON.parse(piped.stdout) as {
    out: string;
    provenance: { tile: { count: number }; modelId: string };
  };
  assert.equal(j.out, out);
  assert.equal(j.provenance.tile.count, 4);
  assert.equal(j.provenance.modelId, 'medical-x2');
  if (spawnSync('script', ['--version'], { stdio: 'ignore' }).status !== 0) return;
  const cmd = [process.execPath, 'bin/tilesr.mjs', ...args].map((a) => `'${a}'`).join(' ');
  const tty = spawnSync('script', ['-qec', cmd, '/dev/null'], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(tty.status, 0, tty.stdout);
  for (let i = 1; i <= 4; i++) assert.match(tty.stdout, new RegExp(`\\] ${i}/4 tiles · node-cpu`));
});
