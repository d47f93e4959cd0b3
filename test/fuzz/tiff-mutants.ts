/** The TIFF mutators of the fuzz corpus (test/fuzz/corpus.ts): tags, offsets, counts, bombs. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TiffSeedStructure } from './structure.ts';
import { bitFlips, bomb, deflateBomb, int, pick, readUint, truncateRandom, writeUint } from './mutate.ts';
import type { Mutant, Rand, Seed } from './mutate.ts';

const TIFF_TAG_VALUES: Record<number, [string, number[]]> = {
  254: ['NewSubfileType', [0, 1, 4, 5, 0xffffffff]],
  256: ['ImageWidth', [0, 1, 3, 65535, 1 << 20, 0x7fffffff, 0xffffffff]],
  257: ['ImageLength', [0, 1, 3, 65535, 1 << 20, 0x7fffffff, 0xffffffff]],
  258: ['BitsPerSample', [0, 1, 2, 4, 7, 12, 24, 32, 64, 128, 255, 65535]],
  259: [
    'Compression',
    [0, 1, 2, 5, 6, 7, 8, 32773, 32946, 34712, 34887, 34925, 50000, 50001, 50002, 99, 65535],
  ],
  262: ['PhotometricInterpretation', [0, 1, 2, 3, 4, 5, 6, 8, 9, 32844, 65535]],
  277: ['SamplesPerPixel', [0, 1, 2, 3, 4, 5, 255, 65535]],
  278: ['RowsPerStrip', [0, 1, 0x7fffffff, 0xffffffff]],
  284: ['PlanarConfiguration', [0, 1, 2, 3]],
  317: ['Predictor', [0, 1, 2, 3, 4, 99]],
  322: ['TileWidth', [0, 1, 15, 16, 17, 65535, 0xffffffff]],
  323: ['TileLength', [0, 1, 15, 16, 17, 65535, 0xffffffff]],
  338: ['ExtraSamples', [0, 1, 2, 3, 99]],
  339: ['SampleFormat', [0, 1, 2, 3, 4, 5, 6, 99]],
  530: ['YCbCrSubSampling', [0, 1, 2, 3, 4, 8]],
};
const OFFSET_TAGS = [273, 324]; // StripOffsets, TileOffsets
const COUNT_TAGS = [279, 325]; // StripByteCounts, TileByteCounts

export function mutateTiff(r: Rand, s: Seed<TiffSeedStructure>, bombs: Map<string, Uint8Array>): Mutant {
  const b = s.bytes;
  const { ifds, littleEndian: le, big } = s.structure;
  const ifd = ifds.length > 0 ? pick(r, ifds) : undefined;
  const entries = ifd?.entries ?? [];
  const size = (type: number) =>
    ({ 1: 1, 2: 1, 3: 2, 4: 4, 6: 1, 7: 1, 8: 2, 9: 4, 16: 8, 17: 8, 18: 8 })[type] ?? 4;
  const family = int(r, 11);
  switch (family) {
    case 0: {
      if (!ifd) return truncateRandom(r, b);
      const e = entries.length > 0 ? pick(r, entries) : undefined;
      const cuts = [ifd.at, ifd.at + 1, ifd.nextAt, e?.at, e?.valueAt, e ? e.valueAt + 1 : undefined].filter(
        (c): c is number => c !== undefined && c > 0 && c < b.length,
      );
      const data = entries.find((x) => OFFSET_TAGS.includes(x.tag));
      if (data) {
        const first = readUint(b, data.valueAt, size(data.type), le);
        if (first > 0 && first < b.length) cuts.push(first, first + 1, Math.floor((first + b.length) / 2));
      }
      const cut = pick(r, cuts.length > 0 ? cuts : [int(r, b.length)]);
      return { kind: 'truncate-boundary', detail: `cut at ${cut}`, bytes: b.slice(0, cut) };
    }
    case 1:
      return truncateRandom(r, b);
    case 2:
      return r() < 0.5 ? bitFlips(r, b, Math.min(b.length, 512)) : bitFlips(r, b);
    case 3:
    case 4: {
      const known = entries.filter((e) => TIFF_TAG_VALUES[e.tag]);
      const missing = Object.keys(TIFF_TAG_VALUES)
        .map(Number)
        .filter((t) => !entries.some((e) => e.tag === t));
      if (known.length === 0) return bitFlips(r, b);
      const out = b.slice();
      const changed: string[] = [];
      for (let k = 0, n = 1 + int(r, 2); k < n; k++) {
        const e = pick(r, known);
        const [name, values] = TIFF_TAG_VALUES[e.tag] as [string, number[]];
        const v = pick(r, values);
        writeUint(out, e.valueAt, size(e.type), v, le);
        changed.push(`${name}=${v}`);
      }
      void missing;
      return { kind: 'tiff-tag', detail: changed.join(' '), bytes: out };
    }
    case 5: {
      // strip/tile offsets past the end, to 0 or to the header; byte counts huge, 0 or off by one
      const targets = entries.filter((e) => OFFSET_TAGS.includes(e.tag) || COUNT_TAGS.includes(e.tag));
      if (targets.length === 0) return bitFlips(r, b);
      const e = pick(r, targets);
      const i = int(r, Math.max(1, e.count));
      const at = e.valueAt + i * size(e.type);
      const cur = readUint(b, at, size(e.type), le);
      const v = OFFSET_TAGS.includes(e.tag)
        ? pick(r, [0, 4, 8, b.length, b.length - 1, 0x7fffffff, 0xffffffff, cur + 1])
        : pick(r, [0, 1, cur + 1, cur - 1, b.length, 0x7fffffff, 0xffffffff]);
      const out = b.slice();
      writeUint(out, at, size(e.type), v, le);
      return { kind: 'tiff-block-offset', detail: `tag ${e.tag}[${i}] ${cur} -> ${v}`, bytes: out };
    }
    case 6: {
      // the IFD chain: cycles (self, back to the first), past the end, odd, into the header
      if (!ifd) return bitFlips(r, b);
      const first = ifds[0] as { at: number };
      const v = pick(r, [ifd.at, first.at, b.length + 16, 0x7fffffff, 1, 4, ifd.at + 1]);
      const out = b.slice();
      writeUint(out, ifd.nextAt, big ? 8 : 4, v, le);
      return { kind: 'tiff-ifd-chain', detail: `next IFD of ${ifd.at} -> ${v}`, bytes: out };
    }
    case 7: {
      if (!ifd) return bitFlips(r, b);
      const v = pick(r, [0, 1, 2, 0xff, 0xffff]);
      const out = b.slice();
      writeUint(out, ifd.at, big ? 8 : 2, v, le);
      return { kind: 'tiff-entry-count', detail: `IFD ${ifd.at} entry count -> ${v}`, bytes: out };
    }
    case 8: {
      if (entries.length === 0) return bitFlips(r, b);
      const e = pick(r, entries);
      const out = b.slice();
      if (r() < 0.5) {
        const t = int(r, 20);
        writeUint(out, e.at + 2, 2, t, le);
        return { kind: 'tiff-entry-type', detail: `tag ${e.tag} type ${e.type} -> ${t}`, bytes: out };
      }
      const c = pick(r, [0, 1, e.count + 1, 0x7fffffff, 0xffffffff]);
      writeUint(out, e.at + 4, big ? 8 : 4, c, le);
      return { kind: 'tiff-entry-count-field', detail: `tag ${e.tag} count ${e.count} -> ${c}`, bytes: out };
    }
    case 9: {
      // the image's size ballooned while the tiles stayed: declared pixels without data
      const w = entries.find((e) => e.tag === 256);
      const h = entries.find((e) => e.tag === 257);
      if (!w || !h) return bitFlips(r, b);
      const out = b.slice();
      const v = pick(r, [46341, 65536, 1 << 20]);
      writeUint(out, w.valueAt, size(w.type), v, le);
      writeUint(out, h.valueAt, size(h.type), v, le);
      return { kind: 'tiff-huge', detail: `${v} x ${v}`, bytes: out };
    }
    default:
      return tiffBomb(r, s, bombs);
  }
}

const ZSTD_BOMB = 'bomb-256MiB.zst';
const XZ_BOMB = 'bomb-256MiB.xz';

/**
 * Replaces the first block of the first IFD with a decompression bomb for its codec (deflate,
 * ZSTD, LZMA; others get a deflate bomb and the compression tag set to deflate), appended at the
 * end of the file with its offset and byte count pointing there.
 */
function tiffBomb(r: Rand, s: Seed<TiffSeedStructure>, bombs: Map<string, Uint8Array>): Mutant {
  const b = s.bytes;
  const { ifds, littleEndian: le, big } = s.structure;
  const entries = ifds[0]?.entries ?? [];
  const offs = entries.find((e) => OFFSET_TAGS.includes(e.tag));
  const counts = entries.find((e) => COUNT_TAGS.includes(e.tag));
  const comp = entries.find((e) => e.tag === 259);
  if (!offs || !counts || !comp || big) return bitFlips(r, b);
  const width = (t: number) => (t === 3 ? 2 : t === 16 ? 8 : 4);
  const c = readUint(b, comp.valueAt, width(comp.type), le);
  let codec: 'deflate' | 'zstd' | 'xz' = c === 50000 ? 'zstd' : c === 34925 ? 'xz' : 'deflate';
  if (codec !== 'deflate' && r() < 0.3) codec = 'deflate';
  const payload =
    codec === 'deflate'
      ? bomb(bombs, 'tiff-deflate', () => deflateBomb(256 * 2 ** 20, false))
      : bomb(
          bombs,
          codec,
          () =>
            new Uint8Array(
              readFileSync(join('test', 'fuzz', 'bombs', codec === 'zstd' ? ZSTD_BOMB : XZ_BOMB)),
            ),
        );
  const out = new Uint8Array(b.length + payload.length);
  out.set(b);
  out.set(payload, b.length);
  if (codec === 'deflate') writeUint(out, comp.valueAt, width(comp.type), 8, le);
  writeUint(out, offs.valueAt, width(offs.type), b.length, le);
  writeUint(out, counts.valueAt, width(counts.type), payload.length, le);
  return {
    kind: `bomb-${codec}`,
    detail: `first block -> ${payload.length} bytes inflating to 256 MiB`,
    bytes: out,
  };
}
