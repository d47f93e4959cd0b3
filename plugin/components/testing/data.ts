/**
 * Real inputs for the component tests, made in the browser: provenance from enhanceRaster on a small
 * crop of a fixture (WASM), a fallback record from a real FallbackSession, and a validation report
 * from the validation/ functions. Results are cached per page so each suite pays once.
 */
import { openRaster } from '../../../formats/index.ts';
import type { Raster } from '../../../formats/raster.ts';
import { FallbackSession } from '../../../models/backend/fallback.ts';
import { createWasmBackend } from '../../../models/backend/ort-web.ts';
import { createWebGpuBackend } from '../../../models/backend/webgpu.ts';
import type { FallbackRecord } from '../../../models/backend/types.ts';
import type { Variant } from '../../../models/card.ts';
import { getModel, loadModel } from '../../../models/registry.ts';
import { sha256Hex } from '../../../models/integrity.ts';
import { enhanceRaster, type EnhanceProgress, type EnhanceResult } from '../../pipeline/enhance.ts';
import { validateRaster, type PageReport } from '../../report/page-report.ts';

/** The MR fixture the tests crop (12-bit, JPEG lossless). */
export const MR_FIXTURE = '/fixtures/dicom/mr384_12bit_jpeg_lossless_sv1.dcm';

/** Reads a window of the MR fixture. */
export async function mrCrop(x: number, y: number, width: number, height: number): Promise<Raster> {
  const src = await openRaster(new URL(MR_FIXTURE, location.href));
  try {
    return await src.read({ window: { x, y, width, height } });
  } finally {
    await src.close();
  }
}

const cache = new Map<string, Promise<unknown>>();
function once<T>(key: string, make: () => Promise<T>): Promise<T> {
  if (!cache.has(key)) cache.set(key, make());
  return cache.get(key) as Promise<T>;
}

/** medical-x2 (or `variant`) on a 40x40 MR crop in 16 px tiles on WASM; progress reported to `onProgress`. */
export function enhancedCrop(
  variant: Variant = 'fidelity',
  onProgress?: (p: EnhanceProgress) => void,
): Promise<EnhanceResult> {
  const run = async () =>
    enhanceRaster(await mrCrop(170, 170, 40, 40), {
      modelId: 'medical-x2',
      variant,
      backend: 'wasm',
      tile: 16,
      onProgress,
    });
  return onProgress ? run() : once(`enhanced-${variant}`, run);
}

/**
 * A real fallback record: a WebGPU (software adapter) session whose first output is poisoned with a
 * NaN by the test hook, so the real NaN check moves the work to WASM.
 */
export function realFallback(): Promise<FallbackRecord> {
  return once('fallback', async () => {
    const records: FallbackRecord[] = [];
    const model = await loadModel(getModel('medical-x2'));
    const session = await FallbackSession.create(createWebGpuBackend(), createWasmBackend(), model, {
      onFallback: (r) => records.push(r),
      poisonOutput: (i) => i === 0,
    });
    try {
      const raster = await mrCrop(180, 180, 8, 8);
      await enhanceRaster(raster, { modelId: 'medical-x2', session, tile: 8 });
    } finally {
      await session.dispose();
    }
    const r = records[0];
    if (!r) throw new Error('no fallback happened');
    return r;
  });
}

/** A validation report of medical-x2 on a 176x176 MR crop (so MS-SSIM is defined), WASM. */
export function realReport(): Promise<PageReport> {
  return once('report', async () => {
    const bytes = new Uint8Array(await (await fetch(MR_FIXTURE)).arrayBuffer());
    return validateRaster(await mrCrop(104, 104, 176, 176), {
      modelId: 'medical-x2',
      backend: 'wasm',
      file: 'mr384_12bit_jpeg_lossless_sv1.dcm',
      inputSha256: await sha256Hex(bytes),
    });
  });
}
