/**
 * The model under validation as one function LR plane -> SR plane, built on plugin/pipeline's
 * enhanceRaster with one onnxruntime-node CPU session reused for every image.
 */
import type { Raster } from '../formats/raster.ts';
import { createNodeCpuBackend } from '../models/backend/ort-node.ts';
import type { InferenceSession } from '../models/backend/types.ts';
import type { Variant } from '../models/card.ts';
import { getModel, loadFullCard, loadModel, type ModelEntry } from '../models/registry.ts';
import { enhanceRaster } from '../plugin/pipeline/enhance.ts';
import type { Enhancer } from '../validation/evaluate.ts';
import type { Plane } from '../validation/image.ts';
import type { ReportModel } from '../validation/report/schema.ts';

/** An open model: the enhancer, what the report says about it, and how to close it. */
export interface OpenedModel {
  entry: ModelEntry;
  enhance: Enhancer;
  report: ReportModel;
  close(): Promise<void>;
}

/** A single-band float raster around an LR plane (what enhanceRaster takes). */
function rasterOf(p: Plane, format: 'dicom' | 'geotiff'): Raster {
  return {
    info: {
      format,
      width: p.width,
      height: p.height,
      frames: 1,
      samples: 1,
      dtype: 'float32',
      bitsStored: 32,
      signed: true,
      photometricStored: 'MONOCHROME2',
      photometric: 'MONOCHROME2',
      valueMapping: { slope: 1, intercept: 0 },
      windows: [],
      lossy: false,
      metadata: {},
    },
    frame: 0,
    window: { x: 0, y: 0, width: p.width, height: p.height },
    width: p.width,
    height: p.height,
    samples: 1,
    dtype: 'float32',
    data: Float32Array.from(p.data),
  };
}

/** Loads (sha256-verified) weights and opens one CPU session. */
export async function openModel(
  id: string,
  variant: Variant = 'fidelity',
  threads?: number,
): Promise<OpenedModel> {
  const entry = getModel(id, variant);
  const session: InferenceSession = await createNodeCpuBackend({ threads }).createSession(
    await loadModel(entry),
  );
  const card = await loadFullCard(entry).catch(() => ({ ...entry.card }) as Record<string, unknown>);
  const format = entry.domain === 'medical' ? 'dicom' : 'geotiff';
  return {
    entry,
    report: {
      id: entry.id,
      variant: entry.variant,
      key: entry.key,
      sha256: entry.sha256,
      scale: entry.scale,
      perceptual: entry.perceptual,
      backend: session.backend,
      card,
    },
    enhance: async (lr) => {
      const r = await enhanceRaster(rasterOf(lr, format), { modelId: id, variant, session });
      return { width: r.width, height: r.height, data: r.data };
    },
    close: () => session.dispose(),
  };
}
