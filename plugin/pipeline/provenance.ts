/** What an enhanced result carries about how it was made, and the spacing of the SR grid. */
import type { BackendId, FallbackRecord } from '../../models/backend/types.ts';
import type { ImageInfo, PixelWindow, PriorEnhancement, Spacing } from '../../formats/raster.ts';
import type { NormRange } from '../../models/normalize.ts';
import type { ModelEntry } from '../../models/registry.ts';
import { domainMismatch, type DomainOverride } from './domain.ts';
import type { ColorPath } from './luma.ts';

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

/**
 * What every provenance record says, whoever made the pixels (a whole-image enhancement, one tile, or
 * a viewer's live tiles): the model, how each band was normalized, which backends ran. Built by
 * `modelProvenance` only; `Provenance` (files, CLI) and `ViewerProvenance` (plugin/live) extend it.
 */
export interface ModelProvenance {
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
  fallbacks: FallbackRecord[];
  normalization: BandNormalization[];
  /** Which path made the pixels: one run per band, or one on luma + bicubic chroma (luma.ts). */
  colorPath?: ColorPath;
  /** Set when the model ran on an image of another domain: the user overrode the domain check. */
  domainOverride?: DomainOverride;
  /** Set when the source was itself super-resolved (allowed by override): the earlier step. */
  derivedFrom?: PriorEnhancement;
  tilesrVersion: string;
  createdAt: string;
}

/** Everything needed to say what an enhanced image is and to reproduce it. */
export interface Provenance extends ModelProvenance {
  /** Backend of each tile, in plan order, for each band processed. */
  tileBackends: Array<Array<BackendId | 'cache'>>;
  /** How values outside the normalization range were kept (plugin/pipeline/range.ts RANGE_RULE). */
  rangeRule: string;
  tile: { size: number; halo: number; feather: number; columns: number; rows: number; count: number };
  /** LR region enhanced, in full-image pixel coordinates; frame and bands of the source. */
  source: { format: string; frame: number; window: PixelWindow; bands: number[] };
  timings: EnhanceTimings;
}

/** What modelProvenance needs besides the model. */
export interface ProvenanceParts {
  /** Whole-image bands enhanced, in output order, and the range each was normalized with. */
  bands: number[];
  ranges: NormRange[];
  /** Where the ranges came from, per band or for all ('provided': the caller's whole-image ranges). */
  rangeSource: BandNormalization['source'] | Array<BandNormalization['source']>;
  /** The backend of every tile (or band run) that made the pixels; counted per backend. */
  backends: Iterable<BackendId | 'cache'>;
  fallbacks?: readonly FallbackRecord[];
  /** The image's format: a model of another domain (allowed by override) is recorded as such. */
  format?: ImageInfo['format'];
  /** The earlier super-resolution step of the source (derived.ts assertEnhanceable, when allowed). */
  derivedFrom?: PriorEnhancement;
  /** The path that made the pixels (default 'per-band'). */
  colorPath?: ColorPath;
}

/** THE provenance builder: the fields every record shares, from the model entry and the run. */
export function modelProvenance(
  entry: Pick<ModelEntry, 'id' | 'variant' | 'key' | 'sha256' | 'perceptual' | 'scale' | 'card' | 'domain'>,
  parts: ProvenanceParts,
): ModelProvenance {
  const override = parts.format && domainMismatch(parts.format, entry);
  const backends: ModelProvenance['backends'] = {};
  for (const b of parts.backends) backends[b] = (backends[b] ?? 0) + 1;
  return {
    aiEnhanced: true,
    modelId: entry.id,
    variant: entry.variant,
    modelKey: entry.key,
    modelVersion: modelVersionOf(entry),
    sha256: entry.sha256,
    perceptual: entry.perceptual,
    scale: entry.scale,
    backends,
    fallbacks: (parts.fallbacks ?? []).map((f) => ({ ...f })),
    normalization: parts.bands.map((band, i) => {
      const { lo, hi, constant, count, outside } = parts.ranges[i] as NormRange;
      const source = Array.isArray(parts.rangeSource)
        ? (parts.rangeSource[i] as BandNormalization['source'])
        : parts.rangeSource;
      return { band, lo, hi, constant, count, source, ...(outside !== undefined ? { outside } : {}) };
    }),
    colorPath: parts.colorPath ?? 'per-band',
    ...(override ? { domainOverride: override } : {}),
    ...(parts.derivedFrom ? { derivedFrom: { ...parts.derivedFrom } } : {}),
    tilesrVersion: TILESR_VERSION,
    createdAt: new Date().toISOString(),
  };
}

/** The model version every provenance records: card name, training phase and iterations. */
export function modelVersionOf(entry: Pick<ModelEntry, 'card'>): string {
  return `${entry.card.name}-${entry.card.phase}-it${entry.card.iterations}`;
}

/**
 * Spacing of the SR grid for LR `region` of a raster whose pixels are `lrStep` image pixels apart:
 * pixel spacing divided by the scale; a geotransform re-anchored at the region and divided too.
 */
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
