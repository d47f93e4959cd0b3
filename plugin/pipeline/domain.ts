/**
 * THE domain rule: a model runs only on images of the domain it was trained on (DICOM -> medical,
 * GeoTIFF -> satellite), unless the user explicitly overrides it; the override is then recorded in
 * provenance (ModelProvenance.domainOverride). Every entry point (enhanceRaster, enhanceInBlocks,
 * the per-tile service, the viewers, the CLI) calls `assertDomain`; nothing else decides it.
 */
import type { ImageInfo } from '../../formats/raster.ts';
import type { Domain } from '../../models/card.ts';
import { getModel, MODEL_IDS, type ModelEntry } from '../../models/registry.ts';
import { PipelineError } from './errors.ts';

/** The domain of an image, from its format. */
export function imageDomain(format: ImageInfo['format']): Domain {
  return format === 'dicom' ? 'medical' : 'satellite';
}

/** Shipped model ids trained on `domain`, in display order. */
export function modelsFor(domain: Domain): string[] {
  return MODEL_IDS.filter((id) => getModel(id).domain === domain);
}

/** What provenance records when a model ran on an image of another domain by explicit override. */
export interface DomainOverride {
  imageFormat: ImageInfo['format'];
  imageDomain: Domain;
  modelDomain: Domain;
}

/** The mismatch between an image and a model (undefined when the domains match). */
export function domainMismatch(
  format: ImageInfo['format'],
  entry: Pick<ModelEntry, 'domain'>,
): DomainOverride | undefined {
  const d = imageDomain(format);
  return d === entry.domain ? undefined : { imageFormat: format, imageDomain: d, modelDomain: entry.domain };
}

/** Options of assertDomain. */
export interface DomainCheckOptions {
  /** The user explicitly accepted a model of another domain (CLI --allow-domain-mismatch). */
  allowMismatch?: boolean;
}

/**
 * Throws PipelineError DOMAIN_MISMATCH (saying which models fit) when `entry` was trained on another
 * domain than the image's, unless `allowMismatch`; returns the override to record, if any.
 */
export function assertDomain(
  info: Pick<ImageInfo, 'format'>,
  entry: Pick<ModelEntry, 'id' | 'domain'>,
  options: DomainCheckOptions = {},
): DomainOverride | undefined {
  const m = domainMismatch(info.format, entry);
  if (!m || options.allowMismatch) return m;
  const kind = info.format === 'dicom' ? 'DICOM' : 'GeoTIFF';
  throw new PipelineError(
    'DOMAIN_MISMATCH',
    `${entry.id} is a ${m.modelDomain} model and this ${kind} image is ${m.imageDomain}: ` +
      `use ${modelsFor(m.imageDomain).join(' or ')} (or explicitly allow the domain mismatch)`,
  );
}
