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

/** What Chromium exposes about an adapter (GPUAdapterInfo; older builds: isFallbackAdapter). */
interface AdapterLike {
  info?: {
    vendor?: string;
    architecture?: string;
    device?: string;
    description?: string;
    isFallbackAdapter?: boolean;
  };
  isFallbackAdapter?: boolean;
}

/** Why an adapter is a software one (SwiftShader, a fallback adapter), or undefined for hardware. */
export function softwareAdapterReason(adapter: object): string | undefined {
  const a = adapter as AdapterLike;
  const i = a.info ?? {};
  const name = [i.vendor, i.architecture, i.device, i.description].filter((x) => x).join(' / ') || 'unnamed';
  if (a.isFallbackAdapter === true || i.isFallbackAdapter === true)
    return `software adapter (isFallbackAdapter; ${name})`;
  if (/swiftshader|llvmpipe|lavapipe|software|warp/i.test(name)) return `software adapter (${name})`;
  return undefined;
}

/**
 * Feature detection: a WebGPU adapter can be obtained here. With `hardwareOnly` (backend `auto`), a
 * software adapter counts as none. Reason says why not, for FallbackRecords.
 */
export async function detectWebGpu(
  hardwareOnly = false,
): Promise<{ ok: true } | { ok: false; reason: string }> {
  const gpu = navigatorGpu();
  if (!gpu)
    return { ok: false, reason: 'navigator.gpu is not available (no WebGPU in this browser/context)' };
  try {
    const adapter = await gpu.requestAdapter();
    if (!adapter) return { ok: false, reason: 'navigator.gpu.requestAdapter() returned null' };
    const soft = hardwareOnly ? softwareAdapterReason(adapter) : undefined;
    return soft ? { ok: false, reason: `${soft}: auto uses WebGPU on hardware adapters only` } : { ok: true };
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
