/** The external-model part of the extra fuzz corpus: shipped cards and weights, and their mutators. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pngSeeds } from './corpus-extra.ts';
import { bitFlips, int, pick } from './mutate.ts';
import type { Mutant, Rand, SeedFile } from './mutate.ts';

/** Model seeds: three shipped x2 cards with their weights (5 MiB each). */
export function modelSeeds(): { path: string; card: Record<string, unknown>; onnx: Uint8Array }[] {
  const dir = join('models', 'weights');
  return ['medical_x2_fidelity', 'medical_x2_perceptual', 'satellite_x2_fidelity'].map((key) => {
    const card = JSON.parse(readFileSync(join(dir, `${key}.json`), 'utf8')) as Record<string, unknown>;
    const o = card['onnx'] as Record<string, unknown>;
    const onnx = new Uint8Array(readFileSync(join(dir, String(o['file']))));
    // the worker writes the weights next to the card as model.onnx
    card['onnx'] = { ...o, file: 'model.onnx' };
    return { path: join(dir, `${key}.json`), card, onnx };
  });
}

const CARD_FIELDS = [
  'name',
  'domain',
  'scale',
  'phase',
  'params',
  'architecture',
  'normalization',
  'degradation',
  'losses',
  'iterations',
  'val_psnr',
  'bicubic_psnr',
  'receptive_field_lr_px',
  'receptive_field_method',
  'onnx',
  'onnx.file',
  'onnx.sha256',
  'onnx.bytes',
  'onnx.opset',
  'onnx.input',
  'onnx.output',
  'onnx.ops',
  'normalization.range_rule',
];
const ODD_VALUES: unknown[] = [
  null,
  0,
  -1,
  1e308,
  '',
  'x',
  [],
  {},
  true,
  '../../package.json',
  '/etc/passwd',
  'a'.repeat(10_000),
];

function setPath(obj: Record<string, unknown>, path: string, v: unknown, del: boolean): void {
  const [a, b] = path.split('.') as [string, string | undefined];
  if (b === undefined) {
    if (del) delete obj[a];
    else obj[a] = v;
    return;
  }
  const inner = obj[a];
  if (typeof inner !== 'object' || inner === null) return;
  const copy = { ...(inner as Record<string, unknown>) };
  if (del) delete copy[b];
  else copy[b] = v;
  obj[a] = copy;
}

export function mutateModel(r: Rand, s: { card: Record<string, unknown>; onnx: Uint8Array }): Mutant {
  const card = structuredClone(s.card);
  const enc = (c: unknown) => new TextEncoder().encode(JSON.stringify(c));
  const k = int(r, 10);
  if (k === 0)
    return {
      kind: 'model-intact',
      detail: 'card and weights unchanged',
      bytes: enc(card),
      onnx: s.onnx.slice(),
    };
  if (k === 1) {
    const f = pick(r, CARD_FIELDS);
    setPath(card, f, undefined, true);
    return { kind: 'card-missing-field', detail: `no ${f}`, bytes: enc(card), onnx: s.onnx.slice() };
  }
  if (k === 2) {
    const f = pick(r, CARD_FIELDS);
    const v = pick(r, ODD_VALUES);
    setPath(card, f, v, false);
    const shown =
      typeof v === 'string' && v.length > 20 ? `"${v.slice(0, 8)}..." (${v.length})` : JSON.stringify(v);
    return { kind: 'card-field-value', detail: `${f} -> ${shown}`, bytes: enc(card), onnx: s.onnx.slice() };
  }
  if (k === 3) {
    const text = JSON.stringify(card);
    const op = pick(r, ['truncate', 'flip', 'not-json', 'deep', 'array', 'bom'] as const);
    let bytes: Uint8Array;
    if (op === 'truncate') bytes = new TextEncoder().encode(text.slice(0, int(r, text.length)));
    else if (op === 'flip') bytes = bitFlips(r, new TextEncoder().encode(text)).bytes;
    else if (op === 'not-json') bytes = new Uint8Array(int(r, 300)).map(() => int(r, 256));
    else if (op === 'deep') bytes = new TextEncoder().encode('['.repeat(200_000) + ']'.repeat(200_000));
    else if (op === 'array') bytes = enc([card]);
    else bytes = new TextEncoder().encode('\ufeff' + text);
    return { kind: 'card-bytes', detail: op, bytes, onnx: s.onnx.slice() };
  }
  if (k === 4) {
    // a sha256 that is well-formed but not the weights'
    const o = card['onnx'] as Record<string, unknown>;
    const sha = String(o['sha256']);
    const i = int(r, 64);
    const swapped = sha.slice(0, i) + (sha[i] === '0' ? '1' : '0') + sha.slice(i + 1);
    const bad = pick(r, [swapped, sha.toUpperCase(), sha.slice(0, 63), `${sha}0`, 'f'.repeat(64)]);
    card['onnx'] = { ...o, sha256: bad };
    return {
      kind: 'card-sha256',
      detail: `sha256 -> ${bad.slice(0, 12)}...`,
      bytes: enc(card),
      onnx: s.onnx.slice(),
    };
  }
  if (k === 5) {
    const out = bitFlips(r, s.onnx);
    return { kind: 'onnx-bitflip', detail: out.detail, bytes: enc(card), onnx: out.bytes };
  }
  if (k === 6) {
    const n = int(r, s.onnx.length);
    return {
      kind: 'onnx-truncate',
      detail: `weights cut at ${n}`,
      bytes: enc(card),
      onnx: s.onnx.slice(0, n),
    };
  }
  if (k === 7) {
    // oversized: the weights plus up to 64 MiB more (the card's byte count is checked before reading)
    const extra = pick(r, [1, 4096, 2 ** 20, 2 ** 24, 2 ** 26]);
    const out = new Uint8Array(s.onnx.length + extra);
    out.set(s.onnx);
    return { kind: 'onnx-oversized', detail: `weights + ${extra} bytes`, bytes: enc(card), onnx: out };
  }
  if (k === 8) {
    const what = pick(r, ['empty', 'random', 'png'] as const);
    const onnx =
      what === 'empty'
        ? new Uint8Array(0)
        : what === 'random'
          ? new Uint8Array(int(r, 4096)).map(() => int(r, 256))
          : (pngSeeds()[0] as SeedFile).bytes;
    return { kind: 'onnx-replaced', detail: `weights -> ${what}`, bytes: enc(card), onnx };
  }
  // the weights file is missing or points elsewhere
  const o = card['onnx'] as Record<string, unknown>;
  const file = pick(r, [
    'missing.onnx',
    '',
    '.',
    'model.onnx/',
    '%2e%2e/x.onnx',
    'file:///nonexistent/x.onnx',
  ]);
  card['onnx'] = { ...o, file };
  return { kind: 'card-file', detail: `onnx.file -> "${file}"`, bytes: enc(card), onnx: s.onnx.slice() };
}
