/**
 * The few WebGPU shapes this project touches. TypeScript's DOM lib has no WebGPU types and
 * @webgpu/types is not a dependency, so these describe only what the backends call.
 */

/** GPUDeviceLostInfo: why a device stopped working. */
export interface GpuLostInfo {
  reason: 'destroyed' | 'unknown' | string;
  message: string;
}

/** The part of GPUDevice we use: loss detection and (tests) destruction. */
export interface GpuDeviceLike {
  readonly lost: Promise<GpuLostInfo>;
  destroy(): void;
}

/** The part of navigator.gpu we use for feature detection. */
export interface GpuLike {
  requestAdapter(options?: { powerPreference?: string }): Promise<object | null>;
}

/** `navigator.gpu` where it exists (window or worker), else undefined. */
export function navigatorGpu(): GpuLike | undefined {
  const nav = (globalThis as { navigator?: { gpu?: GpuLike } }).navigator;
  return nav?.gpu ?? undefined;
}

/** Feature detection: a WebGPU adapter can be obtained here. Reason says why not, for FallbackRecords. */
export async function detectWebGpu(): Promise<{ ok: true } | { ok: false; reason: string }> {
  const gpu = navigatorGpu();
  if (!gpu)
    return { ok: false, reason: 'navigator.gpu is not available (no WebGPU in this browser/context)' };
  try {
    const adapter = await gpu.requestAdapter();
    return adapter ? { ok: true } : { ok: false, reason: 'navigator.gpu.requestAdapter() returned null' };
  } catch (err) {
    return { ok: false, reason: `navigator.gpu.requestAdapter() failed: ${String(err)}` };
  }
}

/** The adapter limits that bound one buffer, or undefined without WebGPU (tile sizing uses them). */
export async function webGpuAdapterLimits(): Promise<
  { maxStorageBufferBindingSize: number; maxBufferSize: number } | undefined
> {
  try {
    const adapter = (await navigatorGpu()?.requestAdapter()) as {
      limits?: { maxStorageBufferBindingSize: number; maxBufferSize: number };
    } | null;
    const l = adapter?.limits;
    return l
      ? { maxStorageBufferBindingSize: l.maxStorageBufferBindingSize, maxBufferSize: l.maxBufferSize }
      : undefined;
  } catch {
    return undefined;
  }
}
