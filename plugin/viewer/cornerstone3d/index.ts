/**
 * Public entry of the Cornerstone3D adapter (`tilesr/viewer/cornerstone3d`; `@cornerstonejs/core`
 * and `@cornerstonejs/tools` 5.x are optional peer dependencies): the `tilesr:` stack image loader,
 * StackViewport set-up and the live enhancement of a stack on the viewer-agnostic engine.
 */
export { Cornerstone3DAdapter, type Cornerstone3DAdapterOptions, type Cs3dDrawn } from './adapter.ts';
export { Cs3dLiveEnhancement } from './live.ts';
export {
  HostImageError,
  bridgeHostImage,
  isTilesrImageId,
  loadHostImage,
  rasterFromCs3dImage,
  type HostImageErrorCode,
} from './host-images.ts';
export {
  SCHEME,
  MAX_HOST_FRAMES,
  registerHostRaster,
  StackLoaderError,
  imageIdForUrl,
  registerStackRaster,
  registerStackSource,
  type StackSourceOpener,
  getStackImage,
  loadStackImage,
  forgetStackImages,
  registerTilesrLoader,
  type StackImage,
} from './loader.ts';
export {
  groupSeries,
  openDicomWebSeries,
  openSeriesFiles,
  type DicomWebSeriesSource,
  type OpenedFiles,
  type SkippedFile,
  type SliceEntry,
  type StackSeries,
} from './series.ts';
export {
  initCornerstone3D,
  createStackViewport,
  onStackImage,
  type Cs3dInitOptions,
  type StackViewportOptions,
  type StackHandle,
} from './stack.ts';
