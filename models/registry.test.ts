import assert from 'node:assert/strict';
import { copyFile, mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { summarizeCard } from './card.ts';
import { CATALOG } from './catalog.ts';
import { IntegrityError, ModelError } from './errors.ts';
import { sha256Hex } from './integrity.ts';
import {
  getModel,
  listModels,
  loadFullCard,
  loadModel,
  loadModelBytes,
  MODEL_IDS,
  type ModelEntry,
} from './registry.ts';
import { catalogSource, readCards } from './tools/sync-catalog.ts';
import { createNodeCpuBackend } from './backend/ort-node.ts';

describe('registry', () => {
  it('lists 4 fidelity and 4 perceptual entries, perceptual flagged, fidelity the default', () => {
    const all = listModels();
    assert.equal(all.length, 8);
    assert.equal(new Set(all.map((e) => e.key)).size, 8);
    for (const id of MODEL_IDS) {
      const def = getModel(id);
      assert.equal(def.variant, 'fidelity');
      assert.equal(def.perceptual, false);
      const p = getModel(id, 'perceptual');
      assert.equal(p.perceptual, true);
      assert.equal(p.card.phase, 'perceptual');
      assert.equal(def.scale, Number(id.slice(-1)));
      assert.equal(def.domain, id.split('-')[0]);
      assert.ok(
        def.receptiveFieldLrPx >= 8 && def.receptiveFieldLrPx <= 40,
        `${id} rf ${def.receptiveFieldLrPx}`,
      );
      assert.match(def.onnxUrl, /^file:.*\/models\/weights\/[a-z]+_x[24]_fidelity\.onnx$/);
    }
  });

  it('rejects unknown ids and variants with UNKNOWN_MODEL', () => {
    for (const [id, v] of [
      ['medical-x3', undefined],
      ['ct-x2', undefined],
      ['medical-x2', 'sharp'],
    ] as const)
      assert.throws(
        () => getModel(id, v as never),
        (e: unknown) => e instanceof ModelError && e.code === 'UNKNOWN_MODEL',
      );
  });

  it('catalog.ts matches the JSON cards on disk (regenerate with tools/sync-catalog.ts)', async () => {
    const cards = await readCards();
    assert.deepEqual(Object.keys(cards).sort(), Object.keys(CATALOG).sort());
    assert.deepEqual(cards, JSON.parse(JSON.stringify(CATALOG)));
    assert.ok(catalogSource(cards).includes('receptive_field_lr_px'));
  });

  it('card summaries reject malformed cards', () => {
    const good = JSON.parse(JSON.stringify(CATALOG['medical_x2_fidelity'])) as Record<string, unknown>;
    assert.doesNotThrow(() => summarizeCard(good, 'good'));
    assert.throws(() => summarizeCard({ ...good, domain: 'ocean' }, 'bad'), /unknown domain/);
    assert.throws(
      () => summarizeCard({ ...good, onnx: { ...(good['onnx'] as object), sha256: 'abc' } }, 'bad'),
      /sha256/,
    );
    assert.throws(() => summarizeCard({ ...good, scale: '2' }, 'bad'), /"scale"/);
  });

  it('loads the full JSON card next to the weights', async () => {
    const card = await loadFullCard(getModel('satellite-x4'));
    assert.equal(card['name'], 'satellite_x4');
    assert.ok(Array.isArray(card['history']));
  });
});

describe('integrity', () => {
  let dir = '';
  let entry: ModelEntry;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tilesr-integrity-'));
    entry = getModel('medical-x2');
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const at = (file: string): ModelEntry => ({ ...entry, onnxUrl: pathToFileURL(join(dir, file)).href });

  it('every shipped file hashes to its card sha256', async () => {
    for (const e of listModels()) {
      const bytes = await loadModelBytes(e);
      assert.equal(bytes.length, e.card.onnx.bytes);
      assert.equal(await sha256Hex(bytes), e.sha256);
    }
  });

  it('a copy with flipped bytes fails with IntegrityError before any session exists', async () => {
    const bytes = new Uint8Array(await readFile(new URL(entry.onnxUrl)));
    // flip bytes deep inside the weights: the protobuf still parses, so only the hash can catch it
    for (const i of [bytes.length >> 1, (bytes.length >> 1) + 7]) bytes[i] = (bytes[i] ?? 0) ^ 0xff;
    await writeFile(join(dir, 'flipped.onnx'), bytes);
    const cpu = createNodeCpuBackend();
    // prove the corruption is one a session would silently accept
    const s = await cpu.createSession({ id: 'flipped', scale: 2, bytes });
    await s.dispose();
    await assert.rejects(loadModel(at('flipped.onnx')), (e: unknown) => {
      assert.ok(e instanceof IntegrityError);
      assert.equal(e.code, 'INTEGRITY_MISMATCH');
      assert.equal(e.expected, entry.sha256);
      assert.notEqual(e.actual, entry.sha256);
      return true;
    });
  });

  it('a truncated copy fails with IntegrityError', async () => {
    await copyFile(new URL(entry.onnxUrl), join(dir, 'short.onnx'));
    await truncate(join(dir, 'short.onnx'), 4096);
    await assert.rejects(loadModelBytes(at('short.onnx')), (e: unknown) => e instanceof IntegrityError);
  });

  it('a missing file fails with MODEL_LOAD_FAILED, an aborted load with ABORTED', async () => {
    await assert.rejects(loadModelBytes(at('absent.onnx')), (e: unknown) => {
      return e instanceof ModelError && e.code === 'MODEL_LOAD_FAILED' && /absent\.onnx/.test(e.message);
    });
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(
      loadModelBytes(entry, ac.signal),
      (e: unknown) => e instanceof ModelError && e.code === 'ABORTED',
    );
  });
});
