/**
 * A GeoTIFF source enhanced straight into a COG, block by block: enhanceInBlocks (plugin/pipeline/
 * stream.ts) produces full-width SR rows, each block is converted to the stored dtype (toStored: the
 * same rounding, clamping and counting as the in-memory export) and fed to CogStreamWriter, which
 * spills compressed tiles to the injected storage. Memory is bounded by the blocks in flight and one
 * tile row per level, not by the image. The file is the one geotiffWriter writes for the same
 * result: same fields (geotiffFields), same tiles, same overviews. Browser-safe; Node storage is in
 * cog-storage.node.ts.
 */
import type { RasterSource } from '../../formats/raster.ts';
import { enhanceInBlocks, type StreamEnhanceOptions, type StreamEnhanceResult } from '../pipeline/stream.ts';
import { CogStreamWriter, type CogStorage } from './cog-stream.ts';
import { throwIfExportAborted } from './errors.ts';
import { checkSource, geotiffFields, geotiffTarget, type GeotiffTarget } from './geotiff.ts';
import { toStored, type ConversionStats } from './geotiff-pixels.ts';

/** What a streamed export wrote. */
export interface StreamedGeotiff extends StreamEnhanceResult {
  /** Notes for the user, as ExportOutput.notes. */
  notes: string[];
  conversion: ConversionStats;
  /** File size in bytes. */
  bytes: number;
  bigTiff: boolean;
  /** Bytes of the writer's row buffers (one tile row per level). */
  writerBufferBytes: number;
}

/** Sums conversion stats of blocks (largest excursion: the maximum). */
export function mergeConversionStats(a: ConversionStats, b: ConversionStats): ConversionStats {
  return {
    clamped: a.clamped + b.clamped,
    below: a.below + b.below,
    above: a.above + b.above,
    maxExcursion: Math.max(a.maxExcursion, b.maxExcursion),
    nodata: a.nodata + b.nodata,
    nanWithoutNodata: a.nanWithoutNodata + b.nanWithoutNodata,
    nodataCollisions: a.nodataCollisions + b.nodataCollisions,
  };
}

/**
 * Enhances `source` (whole frame or `options.window`) into a COG through `storage`; commits it on
 * success, discards everything on failure or abort (ExportError/PipelineError 'ABORTED').
 */
export async function streamGeotiffExport(
  source: RasterSource,
  options: StreamEnhanceOptions,
  storage: CogStorage,
  writeOptions: { bigTiff?: boolean | 'auto' } = {},
): Promise<StreamedGeotiff> {
  const { info } = source;
  const { signal } = options;
  checkSource(info);
  const { slope, intercept, nodata } = info.valueMapping;
  let target: GeotiffTarget | undefined;
  let writer: CogStreamWriter | undefined;
  let stats: ConversionStats = {
    clamped: 0,
    below: 0,
    above: 0,
    maxExcursion: 0,
    nodata: 0,
    nanWithoutNodata: 0,
    nodataCollisions: 0,
  };
  try {
    const result = await enhanceInBlocks(source, options, {
      start: (layout) => {
        target = geotiffTarget(info, layout);
        writer = new CogStreamWriter({
          width: target.width,
          height: target.height,
          samples: target.samples,
          dtype: target.dtype,
          tileSize: target.tileSize,
          nodata,
          storage,
          ...(signal ? { signal } : {}),
        });
      },
      block: async (b) => {
        const stored = toStored(b.data, info.dtype, { slope, intercept, nodata });
        stats = mergeConversionStats(stats, stored.stats);
        await (writer as CogStreamWriter).writeRows(stored.data, b.rows);
      },
    });
    throwIfExportAborted(signal);
    const t = target as GeotiffTarget;
    const w = writer as CogStreamWriter;
    const { mainFields, notes } = geotiffFields(info, t, result, stats);
    const written = await w.finish({
      photometric: t.rgb ? 2 : 1,
      mainFields,
      bigTiff: writeOptions.bigTiff ?? 'auto',
    });
    throwIfExportAborted(signal);
    await storage.commit();
    return { ...result, notes, conversion: stats, ...written, writerBufferBytes: w.bufferBytes };
  } catch (err) {
    await storage.discard();
    throw err;
  }
}
