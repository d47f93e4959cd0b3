/**
 * Public entry of models/: registry, cards, integrity, normalization, errors, backend types and
 * selection. Importing it loads no onnxruntime; backends load when a session is created.
 */
export * from './errors.ts';
export * from './card.ts';
export * from './integrity.ts';
export * from './normalize.ts';
export * from './registry.ts';
export type * from './backend/types.ts';
export {
  createSession,
  planBackends,
  isNodeRuntime,
  type SelectOptions,
  type BackendPlan,
} from './backend/select.ts';
export { FallbackSession, type FallbackOptions } from './backend/fallback.ts';
export { detectWebGpu, webGpuAdapterLimits } from './backend/gpu-types.ts';
