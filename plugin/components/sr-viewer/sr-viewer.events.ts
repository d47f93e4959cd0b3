/** The typed events <sr-viewer> dispatches (bubbling, composed). */
import type { BackendId, FallbackRecord } from '../../../models/backend/types.ts';
import type { ExportFormat } from '../../export/types.ts';
import type { EnhanceStatus, LiveTileInfo, ViewerProvenance } from '../../live/types.ts';
import type { ViewerImageInfo } from '../../viewer/cornerstone/open-controller.ts';
import type { WatermarkBox } from '../../watermark/viewport.ts';

/** `sr-image-loaded`: a frame is displayed. */
export type SrImageLoadedEvent = CustomEvent<{ info: ViewerImageInfo }>;
/** `sr-enhance-progress`: tiles of the current viewport state done so far. */
export type SrEnhanceProgressEvent = CustomEvent<{ done: number; total: number; backend: BackendId }>;
/** `sr-tile-enhanced`: one tile is ready (and will be drawn on the next render). */
export type SrTileEnhancedEvent = CustomEvent<{
  tile: LiveTileInfo;
  backend: BackendId | 'cache';
  ms: number;
}>;
/** `sr-fallback`: inference moved to another backend (or could not use the preferred one). */
export type SrFallbackEvent = CustomEvent<{ record: FallbackRecord }>;
/** `sr-provenance`: provenance of what is shown enhanced, after each viewport state's tiles finished. */
export type SrProvenanceEvent = CustomEvent<{ provenance: ViewerProvenance }>;
/** `sr-error`: opening, decoding or enhancing failed. */
export type SrErrorEvent = CustomEvent<{ code: string; message: string }>;
/** `sr-rendered`: a cornerstone render finished; `tiles` enhanced tiles were drawn under `watermark`. */
export type SrRenderedEvent = CustomEvent<{ tiles: LiveTileInfo[]; watermark: WatermarkBox | undefined }>;

/**
 * `sr-settings-change`: enhance, model, variant or backend changed, whichever way (attribute,
 * property, a control); bound controls adopt it.
 */
export type SrSettingsChangeEvent = CustomEvent<{
  enhance: boolean;
  model: string;
  effectiveModel: string;
  variant: string;
  backend: string;
}>;
/** `sr-image-cleared`: a failed open or frame change cleared the view (nothing is shown); `sr-error` follows. */
export type SrImageClearedEvent = CustomEvent<{ code: string; message: string }>;
/** `sr-frame-change`: another frame of a multi-frame image was asked for (slider, keys, wheel, `frame`). */
export type SrFrameChangeEvent = CustomEvent<{ frame: number; frames: number }>;

/** `sr-enhance-status`: live enhancement moved to another status. */
export type SrEnhanceStatusEvent = CustomEvent<{ status: EnhanceStatus }>;

/** `sr-export-progress`: tiles of a running export done so far (cache hits included). */
export type SrExportProgressEvent = CustomEvent<{ done: number; total: number }>;
/** `sr-export-done`: an export's file is complete (`bytes` is its length); notes are for the user. */
export type SrExportDoneEvent = CustomEvent<{ format: ExportFormat; bytes: number; notes: string[] }>;
/** `sr-export-error`: an export failed (UNSUPPORTED_EXPORT, MISSING_SOURCE, ...) or was cancelled (ABORTED). */
export type SrExportErrorEvent = CustomEvent<{ code: string; message: string }>;

declare global {
  interface HTMLElementEventMap {
    'sr-image-loaded': SrImageLoadedEvent;
    'sr-enhance-progress': SrEnhanceProgressEvent;
    'sr-tile-enhanced': SrTileEnhancedEvent;
    'sr-fallback': SrFallbackEvent;
    'sr-provenance': SrProvenanceEvent;
    'sr-error': SrErrorEvent;
    'sr-rendered': SrRenderedEvent;
    'sr-enhance-status': SrEnhanceStatusEvent;
    'sr-settings-change': SrSettingsChangeEvent;
    'sr-frame-change': SrFrameChangeEvent;
    'sr-image-cleared': SrImageClearedEvent;
    'sr-export-progress': SrExportProgressEvent;
    'sr-export-done': SrExportDoneEvent;
    'sr-export-error': SrExportErrorEvent;
  }
}
