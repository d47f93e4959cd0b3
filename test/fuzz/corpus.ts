/**
 * The seeded hostile-input corpus: mutations of the real DICOM and TIFF fixtures (truncations at
 * structural boundaries, bit flips, corrupted lengths/VRs/attributes, wrong transfer syntaxes,
 * deep sequence nesting, huge declared sizes, IFD cycles, offsets past the end, bad tile sizes and
 * compression values, Deflate/ZSTD/LZMA bombs). Case `i` of seed `s` is always the same bytes.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { rng } from '../../validation/testing/random.ts';
import { modelSeeds, mutateModel } from './model-mutants.ts';
import { mutateDicom } from './dicom-mutants.ts';
import { pick, type Seed } from './mutate.ts';
import { npySeeds, mutateNpy } from './npy-mutants.ts';
import { mutatePng, pngSeeds } from './corpus-extra.ts';
import { walkDicom, walkTiff, type DicomSeedStructure, type TiffSeedStructure } from './structure.ts';
import { mutateTiff } from './tiff-mutants.ts';

export { rng };
/** One generated input. */
export interface FuzzCase {
  index: number;
  format: 'dicom' | 'tiff' | 'png' | 'npy' | 'model';
  seedFile: string;
  /** Mutation family, e.g. 'truncate-boundary', 'tiff-tag', 'bomb-zstd'. */
  kind: string;
  /** What exactly was changed, for reproducing a failure by hand. */
  detail: string;
  bytes: Uint8Array;
  /** Model cases: the weights written next to the card (`bytes`) as model.onnx. */
  onnx?: Uint8Array;
}

/** Seed files: every DICOM and TIFF fixture up to `maxBytes` (big ones only slow the run down). */
export function seedFiles(maxBytes = 400_000): { dicom: string[]; tiff: string[] } {
  const list = (dir: string, re: RegExp): string[] =>
    readdirSync(dir)
      .filter((f) => re.test(f))
      .map((f) => join(dir, f))
      .filter((p) => statSync(p).size <= maxBytes)
      .sort();
  return {
    dicom: list(join('fixtures', 'dicom'), /\.dcm$/),
    tiff: list(join('fixtures', 'geotiff'), /\.tiff?$/),
  };
}

/** Generates case `index` of a corpus, alternating DICOM and TIFF. */
export class Corpus {
  private readonly dicom: Seed<DicomSeedStructure>[];
  private readonly tiff: Seed<TiffSeedStructure>[];
  private readonly bombs = new Map<string, Uint8Array>();

  constructor(
    readonly seed: number,
    files = seedFiles(),
  ) {
    this.dicom = files.dicom.map((path) => {
      const bytes = new Uint8Array(readFileSync(path));
      return { path, bytes, structure: walkDicom(bytes) };
    });
    this.tiff = files.tiff.map((path) => {
      const bytes = new Uint8Array(readFileSync(path));
      return { path, bytes, structure: walkTiff(bytes) };
    });
  }

  /** Case `index`: even indices DICOM, odd TIFF. */
  case(index: number): FuzzCase {
    const r = rng((this.seed * 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b));
    if (index % 2 === 0) {
      const s = pick(r, this.dicom);
      const { kind, detail, bytes } = mutateDicom(r, s, this.bombs);
      return { index, format: 'dicom', seedFile: s.path, kind, detail, bytes };
    }
    const s = pick(r, this.tiff);
    const { kind, detail, bytes } = mutateTiff(r, s, this.bombs);
    return { index, format: 'tiff', seedFile: s.path, kind, detail, bytes };
  }

  private extraSeeds?: {
    png: ReturnType<typeof pngSeeds>;
    npy: ReturnType<typeof npySeeds>;
    model: ReturnType<typeof modelSeeds>;
  };

  /**
   * Extra case `index` (its own numbering, so DICOM/TIFF case numbers never move): inputs to
   * `metrics` and to the external-model path, in turn PNG, .npy, model (card + weights).
   */
  extraCase(index: number): FuzzCase {
    const r = rng((this.seed * 0x27d4eb2f) ^ Math.imul(index + 1, 0x165667b1));
    this.extraSeeds ??= { png: pngSeeds(), npy: npySeeds(), model: modelSeeds() };
    const seeds = this.extraSeeds;
    const which = index % 3;
    if (which === 0) {
      const s = pick(r, seeds.png);
      return { index, format: 'png', seedFile: s.path, ...mutatePng(r, s, this.bombs) };
    }
    if (which === 1) {
      const s = pick(r, seeds.npy);
      return { index, format: 'npy', seedFile: s.path, ...mutateNpy(r, s) };
    }
    const s = pick(r, seeds.model);
    return { index, format: 'model', seedFile: s.path, ...mutateModel(r, s) };
  }
}
