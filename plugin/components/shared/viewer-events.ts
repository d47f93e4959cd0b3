/**
 * Detail types of the events an `<sr-viewer>` emits (see plugin/components/sr-viewer/README.md), as
 * the controls read them. Kept here so the controls build and test without importing the viewer
 * (only plugin/viewer/* may import cornerstone-core).
 */
import type { BackendId, FallbackRecord } from '../../../models/backend/types.ts';
import type { ExportFormat, ExportOutput, ExportSigner } from '../../export/types.ts';
import type { BandNormalization, EnhanceTimings } from '../../pipeline/provenance.ts';

/** `sr-enhance-progress`: tiles finished over all tiles of the current request. */
export interface ViewerProgressDetail {
  done: number;
  total: number;
  backend: BackendId;
}

/** `sr-fallback`: one move to a fallback backend. */
export interface ViewerFallbackDetail {
  record: FallbackRecord;
}

/**
 * What `<sr-provenance>` shows: the fields shared by the pipeline's `Provenance` (enhanceRaster) and
 * the viewer's `ViewerProvenance` (live tiles), plus what only one of them has, optional.
 */
export interface ProvenanceView {
  modelId: string;
  variant: string;
  modelVersion: string;
  sha256: string;
  perceptual: boolean;
  scale: number;
  backends: Partial<Record<string, number>>;
  fallbacks: FallbackRecord[];
  normalization: BandNormalization[];
  tile: { size: number; halo: number; count?: number; columns?: number; rows?: number };
  /** enhanceRaster's timings. */
  timings?: EnhanceTimings;
  /** The viewer's live tiles: inference time, request wall time (with queue) and consistency flag of each. */
  tiles?: Array<{ ms: number; requestMs?: number; flagged: boolean; backend: string }>;
  consistencyThresholdDb?: number;
  /**
   * enhanceRaster: the LR region and frame. Viewer of an overview-backed image: the native image
   * the tiles came from (`region` is then in its px).
   */
  source?:
    | { format: string; frame: number; window: { x: number; y: number; width: number; height: number } }
    | { resolution: 'native'; width: number; height: number; overviewScale: { x: number; y: number } };
  /** Viewer: bounding box of the enhanced tiles (LR px) and the frame shown (0-based). */
  region?: { x: number; y: number; width: number; height: number };
  frame?: number;
  tilesrVersion: string;
  createdAt: string;
}

/** `sr-provenance`: provenance of what is on screen now. */
export interface ViewerProvenanceDetail {
  provenance: ProvenanceView;
}

/** `sr-error`: a failure the viewer reports instead of throwing. */
export interface ViewerErrorDetail {
  code: string;
  message: string;
}

/** The viewer's event names the controls listen to. */
export const VIEWER_EVENTS = {
  loaded: 'sr-image-loaded',
  cleared: 'sr-image-cleared',
  progress: 'sr-enhance-progress',
  tile: 'sr-tile-enhanced',
  fallback: 'sr-fallback',
  provenance: 'sr-provenance',
  error: 'sr-error',
  status: 'sr-enhance-status',
  settings: 'sr-settings-change',
  exportProgress: 'sr-export-progress',
  exportDone: 'sr-export-done',
  exportError: 'sr-export-error',
} as const;

/** `sr-export-progress`: tiles of a running export done so far. */
export interface ViewerExportProgressDetail {
  done: number;
  total: number;
}

/** What `<sr-viewer>.export()` takes (see plugin/viewer/cornerstone/frame-export.ts). */
export interface ViewerExportOptions {
  format: ExportFormat;
  scope?: 'frame' | 'visible';
  signal?: AbortSignal;
  signer?: ExportSigner;
  burnIn?: boolean;
}

/** What the controls set or call on a bound viewer; every member optional so any element binds. */
export interface ViewerLike extends HTMLElement {
  enhance?: boolean;
  model?: string;
  variant?: string;
  backend?: string;
  /** The model actually used (the viewer picks one by format when `model` is empty). */
  effectiveModel?: string;
  cancel?: () => void;
  /** Enhances and writes the shown frame (or visible cells) as one file. */
  export?: (options: ViewerExportOptions) => Promise<ExportOutput>;
  /** Formats the shown image can be exported to. */
  exportFormats?: () => Promise<ExportFormat[]>;
  /** The open file's name, for the saved file's name. */
  sourceName?: string;
  /** Set once an image is shown. */
  info?: unknown;
}

/** The detail of a viewer event, typed by the caller (the viewer declares the real map). */
export function detailOf<T>(e: Event): T {
  return (e as CustomEvent<T>).detail;
}
