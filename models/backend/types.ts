/**
 * The one interface every inference backend implements. Backends see only normalized float32
 * tiles (NCHW, one channel); normalization, tiling and stitching happen outside them.
 */

/** Where inference runs. `node-*` only exist in Node; `webgpu`/`wasm` in browsers (and workers). */
export type BackendId = 'webgpu' | 'wasm' | 'node-cpu' | 'node-webgpu';

/** What a caller asks for; `auto` picks by feature detection and reports what it picked. */
export type BackendPreference = 'auto' | BackendId;

/** One normalized single-channel tile: values on the model's [0,1] scale, row-major. */
export interface TileTensor {
  data: Float32Array;
  width: number;
  height: number;
  /** Set on outputs: the backend that produced this tile (after any fallback). */
  backend?: BackendId;
}

/** A loaded model on one device. `run` maps an LR tile to an SR tile (width*scale x height*scale). */
export interface InferenceSession {
  readonly backend: BackendId;
  readonly modelId: string;
  readonly scale: number;
  run(tile: TileTensor, signal?: AbortSignal): Promise<TileTensor>;
  dispose(): Promise<void>;
}

/** Why a backend was not used or was abandoned, reported in events and provenance, never silent. */
export interface FallbackRecord {
  from: BackendId;
  to: BackendId;
  reason: string;
  /** Tiles affected (undefined when the fallback happened before any tile ran). */
  tiles?: number;
  /** Run index (0-based) of the first tile sent to `to`; undefined when no tile had run yet. */
  atTile?: number;
}

/** Creates sessions for a backend; `available` is feature detection, not a promise of success. */
export interface BackendFactory {
  readonly id: BackendId;
  available(): Promise<boolean>;
  createSession(
    model: { id: string; scale: number; bytes: Uint8Array },
    signal?: AbortSignal,
  ): Promise<InferenceSession>;
}
