/**
 * Byte-level building blocks of the fuzz corpus (test/fuzz/corpus.ts and its per-format mutators):
 * random picks, bit flips, truncation, integer reads and writes, splicing, and compression bombs.
 */
import { Deflate } from 'pako';

/** A uniform random source on [0, 1) (validation/testing/random.ts `rng`). */
export type Rand = () => number;

/** A uniform integer on [0, n). */
export const int = (r: Rand, n: number): number => Math.floor(r() * n);

/** A uniform element of `xs`. */
export function pick<T>(r: Rand, xs: readonly T[]): T {
  return xs[int(r, xs.length)] as T;
}

/** A seed input: its name (a path, or a description of a generated one) and bytes. */
export interface SeedFile {
  path: string;
  bytes: Uint8Array;
}

/** A seed file with its parsed structure (test/fuzz/structure.ts). */
export interface Seed<S> extends SeedFile {
  structure: S;
}

/** A generated input. */
export interface Mutant {
  kind: string;
  detail: string;
  /** The file; model cases: the card JSON. */
  bytes: Uint8Array;
  /** Model cases: the weights written next to the card as `model.onnx`. */
  onnx?: Uint8Array;
}

/** 1 to 8 random bits flipped in the first `span` bytes. */
export function bitFlips(r: Rand, b: Uint8Array, span = b.length): Mutant {
  const out = b.slice();
  const n = 1 + int(r, 8);
  const at: number[] = [];
  for (let k = 0; k < n; k++) {
    const p = int(r, span);
    at.push(p);
    out[p] = (out[p] as number) ^ (1 << int(r, 8));
  }
  return { kind: 'bitflip', detail: `bits at ${at.join(',')}`, bytes: out };
}

/** The bytes cut at a random length. */
export function truncateRandom(r: Rand, b: Uint8Array): Mutant {
  const n = int(r, b.length);
  return { kind: 'truncate-random', detail: `cut at ${n}`, bytes: b.slice(0, n) };
}

/** Writes an unsigned integer of 1, 2, 4 or 8 bytes at `at` (nothing when it does not fit). */
export function writeUint(b: Uint8Array, at: number, bytes: number, v: number, le: boolean): void {
  if (at < 0 || at + bytes > b.length) return;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (bytes === 1) dv.setUint8(at, v & 0xff);
  else if (bytes === 2) dv.setUint16(at, v & 0xffff, le);
  else if (bytes === 4) dv.setUint32(at, v >>> 0, le);
  else dv.setBigUint64(at, BigInt(Math.max(0, Math.floor(v))), le);
}

/** `b` with `remove` bytes at `at` replaced by `insert`. */
export function splice(b: Uint8Array, at: number, remove: number, insert: Uint8Array): Uint8Array {
  const out = new Uint8Array(b.length - remove + insert.length);
  out.set(b.subarray(0, at));
  out.set(insert, at);
  out.set(b.subarray(at + remove), at + insert.length);
  return out;
}

/** Reads an unsigned integer of 1, 2, 4 or 8 bytes at `at` (0 when it does not fit). */
export function readUint(b: Uint8Array, at: number, bytes: number, le: boolean): number {
  if (at < 0 || at + bytes > b.length) return 0;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (bytes === 1) return dv.getUint8(at);
  if (bytes === 2) return dv.getUint16(at, le);
  if (bytes === 4) return dv.getUint32(at, le);
  return Number(dv.getBigUint64(at, le));
}

/** `parts` one after the other. */
export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Streams `size` zero bytes through a compressor without holding them all. */
export function deflateBomb(size: number, raw: boolean): Uint8Array {
  const d = new Deflate({ level: 9, raw });
  const chunk = new Uint8Array(1 << 20);
  for (let done = 0; done < size; done += chunk.length) d.push(chunk, done + chunk.length >= size);
  return d.result as Uint8Array;
}

/** The bomb `name` from `cache`, made once per corpus. */
export function bomb(cache: Map<string, Uint8Array>, name: string, make: () => Uint8Array): Uint8Array {
  let b = cache.get(name);
  if (!b) cache.set(name, (b = make()));
  return b;
}
