/**
 * The provenance of what a viewer shows enhanced (ViewerProvenance), for every adapter: the pipeline's
 * one builder (modelProvenance) plus the live tiles, their region and the enhanced pixel spacing.
 */
import type { ImageInfo } from '../../formats/raster.ts';
import type { FallbackRecord } from '../../models/backend/types.ts';
import type { NormRange } from '../../models/normalize.ts';
import type { ModelEntry } from '../../models/registry.ts';
import { colorPathFor, type ColorPath } from '../pipeline/luma.ts';
import { modelProvenance } from '../pipeline/provenance.ts';
import { haloFor } from '../pipeline/tile.ts';
import { boundingRect } from './grid.ts';
import type { LiveTileInfo, PixelSpacing, ViewerProvenance } from './types.ts';

/** What a viewer knows about its enhanced tiles. */
export interface ViewerProvenanceParts {
  imageId: string;
  frame: number;
  /** Bands enhanced and their whole-image ranges (one per entry of `bands`). */
  bands: number[];
  ranges: NormRange[];
  tiles: LiveTileInfo[];
  fallbacks: readonly FallbackRecord[];
  /** LR cell side. */
  tileSize: number;
  /** Pixel spacing of the enhanced grid. */
  spacing: PixelSpacing;
  consistencyThresholdDb: number;
  source?: ViewerProvenance['source'];
  /** The image's format (a model of another domain, allowed by override, is recorded). */
  format?: ImageInfo['format'];
  /** The image's earlier super-resolution (enhanced again by override). */
  derivedFrom?: ImageInfo['enhancement'];
  /** The colour path asked for (resolved here: luma only for three bands). */
  colorPath?: ColorPath;
}

/** The one ViewerProvenance builder (plugin/live's engine and the OpenLayers loader). */
export function viewerProvenance(entry: ModelEntry, p: ViewerProvenanceParts): ViewerProvenance {
  return {
    ...modelProvenance(entry, {
      bands: p.bands,
      ranges: p.ranges,
      // the viewers normalize with whole-image ranges computed by the engine, never per tile
      rangeSource: 'provided',
      backends: p.tiles.map((t) => t.backend),
      fallbacks: p.fallbacks,
      format: p.format,
      derivedFrom: p.derivedFrom,
      colorPath: colorPathFor(p.bands, p.colorPath),
    }),
    imageId: p.imageId,
    frame: p.frame,
    tile: { size: p.tileSize, halo: haloFor(entry) },
    region: boundingRect(p.tiles.map((t) => t.rect)) ?? { x: 0, y: 0, width: 0, height: 0 },
    tiles: p.tiles,
    spacing: p.spacing,
    consistencyThresholdDb: p.consistencyThresholdDb,
    ...(p.source ? { source: p.source } : {}),
  };
}
