/**
 * The Cloud-Optimized GeoTIFF container shared by the in-memory writer (geotiff.ts) and the
 * streaming one (geotiff-stream.ts): per-level IFD fields, tile size, and writing from tile providers.
 * Layout: pixel-interleaved tiles, Deflate with predictor 2 (integers) or 3 (floats).
 */
import type { SampleType, TypedPixels } from '../../formats/raster.ts';
import { throwIfExportAborted } from './errors.ts';
import { formatNoData } from './geotiff-metadata.ts';
import { downsample2, overviewSizes } from './geotiff-pixels.ts';
import { COMPRESSION_DEFLATE, cutTile, encodeTile, predictorFor } from './tiff-codec.ts';
import { FieldType, writeTiledTiff, type TiffField, type TiledImage } from './tiff-writer.ts';

/** One resolution level as a tile provider ([tile, tile, samples] blocks, zero-padded at edges). */
export interface LevelSource {
  width: number;
  height: number;
  tile(tx: number, ty: number): TypedPixels | Promise<TypedPixels>;
}

/** Everything a COG needs besides its pixels. */
export interface CogDescription {
  samples: number;
  dtype: SampleType;
  tileSize: number;
  /** 1 MinIsBlack (extra bands as ExtraSamples), 2 RGB. */
  photometric: 1 | 2;
  nodata?: number;
  /** Fields of the full-resolution IFD only: georeferencing, GeoKeys, metadata, description. */
  mainFields: TiffField[];
  bigTiff?: boolean | 'auto';
  signal?: AbortSignal;
}

const SAMPLE_FORMAT: Record<SampleType, number> = {
  uint8: 1,
  uint16: 1,
  uint32: 1,
  int8: 2,
  int16: 2,
  int32: 2,
  float32: 3,
  float64: 3,
};
const BITS: Record<SampleType, number> = {
  uint8: 8,
  int8: 8,
  uint16: 16,
  int16: 16,
  uint32: 32,
  int32: 32,
  float32: 32,
  float64: 64,
};

/** Tile side: GDAL's COG default of 512 only for large images, where it saves IFD size and requests. */
export function cogTileSize(width: number, height: number): number {
  return Math.max(width, height) > 16384 ? 512 : 256;
}

/** The IFD fields of every level (full resolution first), without TileOffsets/TileByteCounts. */
export function cogImages(
  desc: CogDescription,
  sizes: ReadonlyArray<readonly [number, number]>,
): TiledImage[] {
  const { samples, dtype, tileSize: t } = desc;
  const predictor = dtype.startsWith('float') ? 3 : 2;
  const extra = samples - (desc.photometric === 2 ? 3 : 1);
  return sizes.map(([width, height], i) => {
    const s = (v: number) => new Array<number>(samples).fill(v);
    const fields: TiffField[] = [
      { tag: 254, type: FieldType.LONG, value: [i === 0 ? 0 : 1] },
      { tag: 256, type: FieldType.LONG, value: [width] },
      { tag: 257, type: FieldType.LONG, value: [height] },
      { tag: 258, type: FieldType.SHORT, value: s(BITS[dtype]) },
      { tag: 259, type: FieldType.SHORT, value: [COMPRESSION_DEFLATE] },
      { tag: 262, type: FieldType.SHORT, value: [desc.photometric] },
      { tag: 277, type: FieldType.SHORT, value: [samples] },
      { tag: 284, type: FieldType.SHORT, value: [1] },
      { tag: 317, type: FieldType.SHORT, value: [predictor] },
      { tag: 322, type: FieldType.SHORT, value: [t] },
      { tag: 323, type: FieldType.SHORT, value: [t] },
      { tag: 339, type: FieldType.SHORT, value: s(SAMPLE_FORMAT[dtype]) },
    ];
    // extra bands are "unspecified" extra samples, as GDAL writes them (not alpha)
    if (extra > 0) fields.push({ tag: 338, type: FieldType.SHORT, value: new Array<number>(extra).fill(0) });
    if (desc.nodata !== undefined)
      fields.push({ tag: 42113, type: FieldType.ASCII, value: formatNoData(desc.nodata) });
    if (i === 0) fields.push(...desc.mainFields);
    return { fields, tileCount: Math.ceil(width / t) * Math.ceil(height / t) };
  });
}

/**
 * Writes a COG from level providers (full resolution first, then overviews by decreasing size).
 * Tiles are pulled once each, smallest overview first, so a streaming caller can produce them lazily.
 */
export async function writeCog(desc: CogDescription, levels: LevelSource[]): Promise<Uint8Array> {
  const { samples, dtype, tileSize: t } = desc;
  const predictor = dtype.startsWith('float') ? 3 : 2;
  const images = cogImages(
    desc,
    levels.map((l) => [l.width, l.height] as const),
  );
  let pulled = 0;
  const { bytes } = await writeTiledTiff(
    images,
    async (i, k) => {
      // yield now and then: keeps a page responsive and lets an abort arrive between tiles
      if (++pulled % 16 === 0) await new Promise((r) => setTimeout(r, 0));
      throwIfExportAborted(desc.signal);
      const cols = Math.ceil((levels[i] as LevelSource).width / t);
      const block = await (levels[i] as LevelSource).tile(k % cols, Math.floor(k / cols));
      if (predictorFor(block) !== predictor)
        throw new TypeError('tile sample type differs from the description');
      return encodeTile(block, t, samples);
    },
    { bigTiff: desc.bigTiff ?? 'auto' },
  );
  return bytes;
}

/** In-memory levels: the full image and its overviews, averaged ignoring nodata. */
export function memoryLevels(
  data: TypedPixels,
  width: number,
  height: number,
  samples: number,
  tileSize: number,
  nodata: number | undefined,
): LevelSource[] {
  const levels = [{ data, width, height }];
  for (let i = 0; i < overviewSizes(width, height, tileSize).length; i++) {
    const prev = levels[levels.length - 1] as (typeof levels)[number];
    levels.push(downsample2(prev.data, prev.width, prev.height, samples, nodata));
  }
  return levels.map((l) => ({
    width: l.width,
    height: l.height,
    tile: (tx, ty) => cutTile(l.data, l.width, l.height, samples, tileSize, tx, ty),
  }));
}
