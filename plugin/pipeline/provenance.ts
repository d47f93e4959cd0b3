/** What an enhanced result carries about how it was made, and the spacing of the SR grid. */
import type { BackendId, FallbackRecord } from '../../models/backend/types.ts';
import type { PixelWindow, Spacing } from '../../formats/raster.ts';
import type { ModelEntry } from '../../models/registry.ts';

/** tilesr's version, recorded in provenance (a test keeps it equal to package.json). */
export const TILESR_VERSION = '0.1.0';

/** Normalization used for one band: the model saw (v - lo) / (hi - lo), clipped to [0,1]. */
export interface BandNormalization {
  band: number;
  lo: number;
  hi: number;
  constant: boolean;
  /** Valid samples the range was computed from. */
  count: number;
  /** 'raster': all of the raster passed in; 'provided': computed by the caller (whole image/overview). */
  source: 'raster' | 'provided';
  /**
   * Valid samples of the image outside [lo, hi] (NormRange.outside): the model saw them clipped and
   * the range rule (plugin/pipeline/range.ts) restored their true level. Absent when unknown.
   */
  outside?: number;
}

/** Wall-clock timings in milliseconds. */
export interface EnhanceTimings {
  totalMs: number;
  /** Reading + verifying weights and creating the session (0 when a session was given). */
  loadMs: number;
  normalizeMs: number;
  /** Sum over tiles of backend run time (tiles may overlap in time when concurrency > 1). */
  inferenceMs: number;
  tileMsMedian: number;
  tileMsMax: number;
  stitchMs: number;
}

/** Everything needed to say what an enhanced image is and to reproduce it. */
export interface Provenance {
  aiEnhanced: true;
  modelId: string;
  variant: string;
  /** Weights file stem, e.g. medical_x2_fidelity. */
  modelKey: string;
  /** Card name, phase and training iterations, e.g. medical_x2-fidelity-it13734. */
  modelVersion: string;
  sha256: string;
  /** True for GAN-tuned weights: texture may be invented; never for measurement or diagnosis. */
  perceptual: boolean;
  scale: number;
  /** Tiles run per backend (cache hits count under 'cache'). */
  backends: Partial<Record<BackendId | 'cache', number>>;
  /** Backend of each tile, in plan order, for each band processed. */
  tileBackends: Array<Array<BackendId | 'cache'>>;
  fallbacks: FallbackRecord[];
  normalization: BandNormalization[];
  /** How values outside the normalization range were kept (plugin/pipeline/range.ts RANGE_RULE). */
  rangeRule: string;
  tile: { size: number; halo: number; feather: number; columns: number; rows: number; count: number };
  /** LR region enhanced, in full-image pixel coordinates; frame and bands of the source. */
  source: { format: string; frame: number; window: PixelWindow; bands: number[] };
  timings: EnhanceTimings;
  tilesrVersion: string;
  createdAt: string;
}

/**
 * Spacing of the SR grid for LR `region` of a raster whose pixels are `lrStep` image pixels apart:
 * pixel spacing divided by the scale; a geotransform re-anchored at the region and divided too.
 */
/** The model version every provenance records: card name, training phase and iterations. */
export function modelVersionOf(entry: Pick<ModelEntry, 'card'>): string {
  return `${entry.card.name}-${entry.card.phase}-it${entry.card.iterations}`;
}

export function scaledSpacing(
  spacing: Spacing | undefined,
  region: PixelWindow,
  scale: number,
  lrStep = 1,
): Spacing | undefined {
  if (!spacing) return undefined;
  const f = lrStep / scale;
  if (spacing.kind !== 'geotransform') {
    return { kind: spacing.kind, rowMm: spacing.rowMm * f, columnMm: spacing.columnMm * f };
  }
  const [ox, pw, rr, oy, cr, ph] = spacing.geotransform;
  return {
    ...spacing,
    geotransform: [
      ox + region.x * pw + region.y * rr,
      pw * f,
      rr * f,
      oy + region.x * cr + region.y * ph,
      cr * f,
      ph * f,
    ],
  };
}
