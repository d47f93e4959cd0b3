/**
 * The browser side of bench/peers.ts: installs `window.tilesrPeers`, which runs one engine on a list
 * of LR images in this page: UpscalerJS (ESRGAN slim/medium/thick x4 on a TensorFlow.js backend,
 * weights served from node_modules by the repo dev server, never a CDN) or a tilesr model through
 * the models/ WASM backend factory (the way bench/browser/page.ts does). Metrics are computed in
 * Node on the returned pixels, so both engines are measured by the same code.
 */
import type * as TF from '@tensorflow/tfjs';
import { createWasmBackend } from '../../models/backend/ort-web.ts';
import { getModel, loadModel } from '../../models/registry.ts';
import type { PeerImage, PeerImageResult, PeersFn, PeersRequest, PeersResult } from './peers-protocol.ts';

/** The part of UpscalerJS' class used here. */
type UpscalerCtor = new (opts: { model: object }) => {
  ready: Promise<void>;
  upscale(input: TF.Tensor3D, options: { output: 'tensor' }): Promise<TF.Tensor3D>;
  dispose(): Promise<void>;
};

/** The globals peers.html's UMD scripts define. */
const g = globalThis as unknown as {
  tf: typeof TF;
  Upscaler: UpscalerCtor;
  ESRGANSlim4x: object;
  ESRGANMedium4x: object;
  ESRGANThick4x: object;
};
const tf = g.tf;
const ESRGAN = { slim: g.ESRGANSlim4x, medium: g.ESRGANMedium4x, thick: g.ESRGANThick4x } as const;

function fromBase64(s: string): Uint8Array {
  return Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
}

function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

/** The WebGL renderer tfjs draws on (SwiftShader on a machine without a GPU). */
function webglRenderer(): string {
  const gl = document.createElement('canvas').getContext('webgl2');
  if (!gl) return 'no webgl2';
  const ext = gl.getExtension('WEBGL_debug_renderer_info');
  return String(gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
}

/** Y of 8-bit RGB (BT.601 studio range, validation/color.ts) on the model's [0,1] scale. */
function lumaTile(img: PeerImage): { data: Float32Array; width: number; height: number } {
  const rgb = fromBase64(img.rgbBase64);
  const n = img.width * img.height;
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const r = rgb[3 * i] ?? 0;
    const g = rgb[3 * i + 1] ?? 0;
    const b = rgb[3 * i + 2] ?? 0;
    y[i] = (16 + (65.481 * r + 128.553 * g + 24.966 * b) / 255) / 255;
  }
  return { data: y, width: img.width, height: img.height };
}

/** One engine over the images, one timed run each (WebGL: after a first run per image). */
const run: PeersFn = async (req: PeersRequest): Promise<PeersResult> => {
  const start = performance.now();
  const results: PeerImageResult[] = [];
  let backend: string;
  let renderer: string | undefined;
  // each engine maps one LR image to its output bytes; the timed span ends when the pixels are on the CPU
  let enhance: (img: PeerImage) => Promise<{ bytes: Uint8Array; width: number; height: number }>;
  let dispose: () => Promise<void>;
  const e = req.engine;
  const t0 = performance.now();
  if (e.kind === 'upscaler') {
    await tf.setBackend(e.tfBackend);
    await tf.ready();
    backend = tf.getBackend();
    if (backend === 'webgl') renderer = webglRenderer();
    const def = ESRGAN[e.model];
    const dir = `/node_modules/@upscalerjs/esrgan-${e.model}/models/x4/model.json`;
    // an explicit `path` makes UpscalerJS load from our server instead of jsDelivr/unpkg
    const upscaler = new g.Upscaler({ model: { ...def, path: dir } });
    enhance = async (img) => {
      const input = tf.tensor3d(fromBase64(img.rgbBase64), [img.height, img.width, 3], 'int32');
      const out = await upscaler.upscale(input, { output: 'tensor' });
      input.dispose();
      const [h, w] = out.shape;
      const data = await out.data();
      out.dispose();
      const bytes = new Uint8Array(data.length);
      for (let i = 0; i < data.length; i++) bytes[i] = Math.round(data[i] ?? 0);
      return { bytes, width: w ?? 0, height: h ?? 0 };
    };
    await upscaler.ready;
    dispose = () => upscaler.dispose();
  } else {
    backend = 'onnxruntime-web wasm';
    const session = await createWasmBackend({ numThreads: e.threads }).createSession(
      await loadModel(getModel(e.model)),
    );
    enhance = async (img) => {
      const out = await session.run(lumaTile(img));
      if (out.backend !== 'wasm') throw new Error(`ran on ${String(out.backend)}`);
      const y = new Float32Array(out.data.length);
      for (let i = 0; i < y.length; i++) y[i] = Math.min(1, Math.max(0, out.data[i] ?? 0)) * 255;
      return { bytes: new Uint8Array(y.buffer), width: out.width, height: out.height };
    };
    dispose = () => session.dispose();
  }
  const loadMs = performance.now() - t0;
  try {
    for (const img of req.images) {
      if (performance.now() - start > req.budgetMs) {
        results.push({ name: img.name, skipped: 'time budget spent' });
        continue;
      }
      // WebGL: a first run per image size (tfjs compiles shaders per input shape), then the timed
      // run; WASM and tfjs cpu compile nothing per shape, so their one run is the timed one
      let t1 = performance.now();
      let coldMs: number | undefined;
      if (e.kind === 'upscaler' && e.tfBackend === 'webgl') {
        await enhance(img);
        coldMs = performance.now() - t1;
        t1 = performance.now();
      }
      const out = await enhance(img);
      const ms = performance.now() - t1;
      results.push({
        name: img.name,
        ms,
        coldMs,
        outBase64: toBase64(out.bytes),
        outWidth: out.width,
        outHeight: out.height,
      });
    }
  } finally {
    await dispose();
  }
  return {
    userAgent: navigator.userAgent,
    crossOriginIsolated: globalThis.crossOriginIsolated === true,
    backend,
    renderer,
    loadMs,
    results,
  };
};

(globalThis as { tilesrPeers?: PeersFn }).tilesrPeers = run;
