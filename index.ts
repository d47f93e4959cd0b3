/**
 * The package entry (`import … from 'tilesr'`): the main job in one import — open a file, enhance it
 * with a shipped model, measure it, export it. Each layer has its own subpath (`tilesr/formats`,
 * `tilesr/models`, `tilesr/validation`, `tilesr/pipeline`, `tilesr/export`) with everything it offers;
 * the Lit elements are a separate, side-effecting import (`tilesr/components`), so importing this
 * entry never touches `customElements`, the DOM or onnxruntime (backends load when a session is made).
 */
export {
  openRaster,
  FormatError,
  type OpenOptions,
  type RasterInput,
  type RasterSource,
  type Raster,
  type ImageInfo,
  type PixelWindow,
  type ReadOptions,
} from './formats/index.ts';
export {
  listModels,
  getModel,
  setModelBaseUrl,
  MODEL_IDS,
  ModelError,
  IntegrityError,
  type ModelEntry,
  type ModelId,
  type Variant,
} from './models/index.ts';
export {
  enhanceRaster,
  PipelineError,
  type EnhanceOptions,
  type EnhanceResult,
  type EnhanceProgress,
  type Provenance,
} from './plugin/pipeline/index.ts';
export {
  compare,
  psnr,
  ssim,
  msSsim,
  ValidationError,
  type PairMetrics,
  type Plane,
} from './validation/index.ts';
export {
  getWriter,
  formatForPath,
  ExportError,
  type ExportFormat,
  type ExportRequest,
  type ExportOutput,
  type ExportWriter,
} from './plugin/export/index.ts';
