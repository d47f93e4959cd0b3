/** Writes the 512x512 normalized CT plane (bench/tiles.ts's fixture and normalization) as raw float32. */
import { readFileSync, writeFileSync } from 'node:fs';
import { fixtureTiles, TILE_FIXTURE } from '../tiles.ts';

const out = process.argv[2];
if (!out) throw new Error('usage: node --import tsx bench/gpu/pack-tiles.ts OUT.f32');
const tile = (await fixtureTiles(new Uint8Array(readFileSync(TILE_FIXTURE)), [512])).get(512);
if (!tile) throw new Error('no 512 px tile');
writeFileSync(out, new Uint8Array(tile.data.buffer, tile.data.byteOffset, tile.data.byteLength));
