import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TileCache, tileCacheKey, type TileKeyParts } from './cache.ts';

test('LRU eviction is by bytes, least recently used first', () => {
  const c = new TileCache(1000);
  c.set('a', new Float32Array(100)); // 400 B
  c.set('b', new Float32Array(100)); // 800 B
  assert.equal(c.bytes, 800);
  assert.ok(c.get('a')); // a is now the most recent
  c.set('c', new Float32Array(100)); // 1200 B > 1000: evict the LRU, which is b
  assert.equal(c.has('b'), false);
  assert.equal(c.has('a'), true);
  assert.equal(c.has('c'), true);
  assert.equal(c.bytes, 800);
  assert.equal(c.evictions, 1);
  c.set('big', new Float32Array(200)); // 800 B: needs both out
  assert.deepEqual([c.has('a'), c.has('c'), c.has('big')], [false, false, true]);
  assert.equal(c.bytes, 800);
  c.set('huge', new Float32Array(300)); // larger than the cache: not stored, nothing evicted
  assert.equal(c.has('huge'), false);
  assert.equal(c.has('big'), true);
  c.set('big', new Float32Array(10)); // replacing an entry updates the byte count
  assert.equal(c.bytes, 40);
  c.clear();
  assert.equal(c.size, 0);
  assert.equal(c.bytes, 0);
});

test('keys differ whenever the enhanced pixels could differ', () => {
  const base: TileKeyParts = {
    imageId: 'img',
    frame: 0,
    band: 0,
    input: { x: 0, y: 0, width: 80, height: 80 },
    core: { x: 0, y: 0, width: 64, height: 64 },
    modelId: 'medical_x2_fidelity',
    variant: 'fidelity',
    sha256: 'e76a',
    backend: 'node-cpu',
    range: [0, 1000],
  };
  const variants: Array<Partial<TileKeyParts>> = [
    { imageId: 'img2' },
    { frame: 1 },
    { band: 2 },
    { input: { x: 0, y: 0, width: 80, height: 81 } },
    { core: { x: 1, y: 0, width: 64, height: 64 } },
    { modelId: 'medical_x4_fidelity' },
    { variant: 'perceptual' },
    { sha256: 'ffff' },
    { backend: 'webgpu' },
    { range: [0, 999] },
  ];
  const keys = new Set([tileCacheKey(base), ...variants.map((v) => tileCacheKey({ ...base, ...v }))]);
  assert.equal(keys.size, variants.length + 1);
  assert.equal(tileCacheKey({ ...base }), tileCacheKey(base));
});

test('kept entries are not evicted; deleteWhere frees what a closed image held', () => {
  const c = new TileCache(1000);
  c.set('img1|a', new Float32Array(100));
  c.set('img1|b', new Float32Array(100));
  // 1200 B: the LRU entry is kept, so the next one goes
  c.set('img2|c', new Float32Array(100), (k) => k === 'img1|a');
  assert.deepEqual([c.has('img1|a'), c.has('img1|b'), c.has('img2|c')], [true, false, true]);
  // only kept entries left to evict: the cache stays over its bound rather than drop them
  c.set('img2|d', new Float32Array(150), () => true);
  assert.equal(c.bytes, 1400);
  assert.equal(c.size, 3);
  // the next set without keep brings it back under
  c.set('img2|e', new Float32Array(10));
  assert.ok(c.bytes <= 1000, `${c.bytes}`);
  assert.deepEqual(
    [...c.entries()].map(([k]) => k),
    ['img2|d', 'img2|e'],
  );
  assert.equal(
    c.deleteWhere((k) => k.startsWith('img2|')),
    2,
  );
  assert.equal(c.bytes, 0);
  assert.deepEqual([...c.entries()], []);
});
