/** What bench/peers.ts asks the peers page for, and what the page answers. */

/** One LR image, 8-bit RGB interleaved (grey images repeat the value in R, G and B), base64. */
export interface PeerImage {
  name: string;
  width: number;
  height: number;
  rgbBase64: string;
}

/** An UpscalerJS ESRGAN x4 model on a TensorFlow.js backend, or a tilesr model on onnxruntime-web WASM. */
export type PeerEngine =
  | { kind: 'upscaler'; model: 'slim' | 'medium' | 'thick'; tfBackend: 'webgl' | 'cpu' }
  | { kind: 'tilesr'; model: 'medical-x4' | 'satellite-x4'; threads: number };

/** One page run: one engine on every image (one timed run each; WebGL after a first run). */
export interface PeersRequest {
  engine: PeerEngine;
  images: PeerImage[];
  /** Images not yet started are skipped once this much time has been spent (ms). */
  budgetMs: number;
}

/** One image's result: the SR output (base64) and the timed run, or why it was skipped. */
export interface PeerImageResult {
  name: string;
  /** The timed run. */
  ms?: number;
  /** WebGL only: the first run on this image (with tfjs' per-shape shader compiles). */
  coldMs?: number;
  /**
   * upscaler: 8-bit RGB interleaved (UpscalerJS's clipped output, rounded); tilesr: the Y plane as
   * float32 on the 0..255 scale (the model's [0,1] output, clamped, times 255).
   */
  outBase64?: string;
  outWidth?: number;
  outHeight?: number;
  skipped?: string;
}

/** The page's answer. */
export interface PeersResult {
  userAgent: string;
  crossOriginIsolated: boolean;
  /** tf.getBackend() after set-up, or "onnxruntime-web wasm". */
  backend: string;
  /** WebGL renderer string (UNMASKED_RENDERER_WEBGL) when tfjs ran on webgl. */
  renderer?: string;
  /** Model load (fetch, parse, session or tfjs model creation), ms. */
  loadMs: number;
  results: PeerImageResult[];
}

/** The function the page installs on `window`. */
export type PeersFn = (req: PeersRequest) => Promise<PeersResult>;
