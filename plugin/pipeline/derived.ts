/**
 * THE derived-source rule: an image that is itself a super-resolution result (ImageInfo.enhancement,
 * decoded by formats/) is not enhanced again unless the user explicitly allows it; the earlier step
 * is then recorded in provenance (ModelProvenance.derivedFrom). enhanceRaster, enhanceInBlocks, the
 * per-tile service, the live engine and the CLI call `assertEnhanceable`; nothing else decides it.
 */
import type { ImageInfo, PriorEnhancement } from '../../formats/raster.ts';
import { PipelineError } from './errors.ts';

/** Options of assertEnhanceable. */
export interface DerivedCheckOptions {
  /** The user explicitly accepted enhancing an enhanced image (CLI --allow-derived). */
  allowDerived?: boolean;
}

/** "tilesr medical-x2 x2" (what is known of it), or what other tool resampled the image. */
export function enhancementLabel(e: PriorEnhancement): string {
  if (e.by !== 'tilesr') return 'another tool (Derivation Code DCM 113085 "Spatial resampling")';
  return ['tilesr', e.model, e.scale !== undefined ? `x${e.scale}` : undefined].filter(Boolean).join(' ');
}

/**
 * Throws PipelineError ALREADY_ENHANCED ("already AI-enhanced by tilesr medical-x2 x2: ...") when
 * the image records an earlier super-resolution, unless `allowDerived`; returns that earlier step
 * (to record as provenance.derivedFrom) when allowed.
 */
export function assertEnhanceable(
  info: Pick<ImageInfo, 'enhancement'>,
  options: DerivedCheckOptions = {},
): PriorEnhancement | undefined {
  const prior = info.enhancement;
  if (!prior || options.allowDerived) return prior;
  const what = prior.by === 'tilesr' ? 'AI-enhanced' : 'spatially resampled';
  throw new PipelineError(
    'ALREADY_ENHANCED',
    `already ${what} by ${enhancementLabel(prior)}: enhancing it again compounds invented detail ` +
      `and misstates the scale; open the original (or explicitly allow derived sources)`,
  );
}
