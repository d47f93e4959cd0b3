// Proves the browser harness itself: real Chromium, cross-origin isolation (needed for WASM
// threads) and WebGPU exposed on the software adapter.
import { expect } from '@esm-bundle/chai';

describe('browser harness', () => {
  it('runs cross-origin isolated so SharedArrayBuffer (WASM threads) is available', () => {
    expect(globalThis.crossOriginIsolated).to.equal(true);
    expect(typeof SharedArrayBuffer).to.equal('function');
  });

  it('exposes a WebGPU adapter (--enable-unsafe-webgpu)', async () => {
    const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
    expect(gpu, 'navigator.gpu').to.not.equal(undefined);
    const adapter = await gpu!.requestAdapter();
    expect(adapter, 'adapter').to.not.equal(null);
  });
});
