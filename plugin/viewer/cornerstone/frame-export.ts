/**
 * Export of what a viewer shows: the loaded frame (or the visible cells) goes through the same
 * enhanceRaster as live enhancement — the viewer's model, variant and shared session, the shared
 * scheduler and tile cache, and the whole-image ranges the live cells were normalized with — and
 * then through one plugin/export writer. The writer's check runs before any inference, so an
 * impossible combination (a DICOM of a GeoTIFF) fails at once. Nothing is saved here: the caller
 * gets the complete file's bytes, or an error (ABORTED when cancelled), never part of a file.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { BackendPreference, FallbackRecord } from '../../../models/backend/types.ts';
import type { Variant } from '../../../models/card.ts';
import type { NormRange } from '../../../models/normalize.ts';
import { ExportError } from '../../export/errors.ts';
import { getWriter } from '../../export/index.ts';
import type { ExportFormat, ExportOutput, ExportSigner } from '../../export/types.ts';
import { enhanceRaster } from '../../pipeline/enhance.ts';
import type { Rect } from '../../pipeline/tiler.ts';
import type { LoadedRaster } from './loader.ts';
import { sharedCache, sharedScheduler, sharedSession } from '../../live/sessions.ts';
import { errorCode } from '../../../core/errors.ts';

/** Every format tilesr writes, in the order a format picker lists them. */
export const EXPORT_FORMATS: readonly ExportFormat[] = ['dicom', 'geotiff', 'png', 'jpeg', 'npy'];

/** What `<sr-viewer>.export()` takes. */
export interface ExportImageOptions {
  format: ExportFormat;
  /** 'frame' (default): the whole current frame at full resolution; 'visible': the grid cells on screen. */
  scope?: 'frame' | 'visible';
  signal?: AbortSignal;
  /** C2PA signer for pictures; without one the bundled UNTRUSTED test certificate signs (and a note says so). */
  signer?: ExportSigner;
  /** Burn the "AI-enhanced" mark into a DICOM's pixels (pictures always carry it). */
  burnIn?: boolean;
}

/** One export as the host describes it at the moment it starts. */
export interface ExportJob {
  loaded: LoadedRaster;
  modelId: string;
  variant: Variant;
  backend: BackendPreference;
  /** The viewer's `allow-domain-mismatch` (plugin/pipeline/domain.ts). */
  allowDomainMismatch?: boolean;
  /** The viewer's `allow-derived` (plugin/pipeline/derived.ts). */
  allowDerived?: boolean;
  /** Whole-image ranges per raster band (LiveTileEnhancer.exportRanges). */
  ranges: NormRange[];
  /** LR region to export, full-image px. */
  region: Rect;
  /** The source file's bytes (re-read on demand) and name. */
  sourceBytes(signal: AbortSignal): Promise<Uint8Array>;
  sourceName: string | undefined;
}

/** Callbacks the host turns into `sr-export-*` events. */
export interface ExportCallbacks {
  progress(p: { done: number; total: number }): void;
  done(d: { format: ExportFormat; bytes: number; notes: string[] }): void;
  error(e: { code: string; message: string }): void;
}

/** Formats whose writer accepts this image (loads each writer: check() lives with it). */
export async function exportFormatsFor(info: LoadedRaster['raster']['info']): Promise<ExportFormat[]> {
  const ok: ExportFormat[] = [];
  for (const format of EXPORT_FORMATS) {
    try {
      (await getWriter(format)).check(info);
      ok.push(format);
    } catch (e) {
      // a writer that cannot take this image is not offered; one that fails to load is a bug to see
      if (errorCode(e) !== 'UNSUPPORTED_EXPORT') throw e;
    }
  }
  return ok;
}

/** Runs a viewer's exports; cancel() (the viewer's cancel) aborts every one still running. */
export class FrameExportController implements ReactiveController {
  private readonly running = new Set<AbortController>();

  constructor(
    host: ReactiveControllerHost,
    private readonly callbacks: ExportCallbacks,
  ) {
    host.addController(this);
  }

  hostConnected(): void {}

  hostDisconnected(): void {
    this.cancel();
  }

  /** Exports in progress. */
  get active(): number {
    return this.running.size;
  }

  /** Aborts every running export (each rejects with ABORTED and writes nothing). */
  cancel(): void {
    for (const c of this.running) c.abort(new ExportError('ABORTED', 'export was cancelled'));
  }

  /** Enhances `job.region` and writes it as `options.format`; rejects with a coded error. */
  async run(job: ExportJob, options: ExportImageOptions): Promise<ExportOutput> {
    const controller = new AbortController();
    const signal = options.signal ? AbortSignal.any([options.signal, controller.signal]) : controller.signal;
    this.running.add(controller);
    try {
      const output = await this.export(job, options, signal);
      this.callbacks.done({ format: output.format, bytes: output.bytes.length, notes: output.notes });
      return output;
    } catch (e) {
      // whatever layer noticed the abort first (pipeline, writer, fetch), the caller sees one code
      const err = signal.aborted
        ? new ExportError('ABORTED', 'export was cancelled', { cause: e })
        : errorCode(e)
          ? (e as Error)
          : Object.assign(new Error((e as Error | undefined)?.message ?? String(e), { cause: e }), {
              code: 'EXPORT_FAILED', // an uncoded failure (a bug or a browser error): still one code
            });
      this.callbacks.error({ code: errorCode(err) ?? 'EXPORT_FAILED', message: err.message });
      throw err;
    } finally {
      this.running.delete(controller);
    }
  }

  private async export(job: ExportJob, options: ExportImageOptions, signal: AbortSignal) {
    const abortCheck = () => {
      if (signal.aborted) throw new ExportError('ABORTED', 'export was cancelled', { cause: signal.reason });
    };
    abortCheck();
    const ovr = job.loaded.overview;
    // the shown pixels are an overview: exporting them would pass a reduced image off as the file's
    if (ovr)
      throw new ExportError(
        'UNSUPPORTED_EXPORT',
        `the viewer shows a ${job.loaded.raster.width}x${job.loaded.raster.height} overview of a ` +
          `${ovr.fullWidth}x${ovr.fullHeight} image; export of overview-backed images is not supported ` +
          'in the viewer: enhance the file with `tilesr enhance` (streamed, native resolution)',
      );
    const info = job.loaded.raster.info;
    const writer = await getWriter(options.format);
    writer.check(info); // before any inference, and before the file is read again
    abortCheck();
    const notes: string[] = [];
    let bytes: Uint8Array | undefined;
    try {
      bytes = await job.sourceBytes(signal);
    } catch (e) {
      abortCheck();
      // a derived DICOM is made from the source dataset; a picture only loses its ingredient hash
      if (options.format === 'dicom')
        throw new ExportError('MISSING_SOURCE', `the source file cannot be read again: ${String(e)}`, {
          cause: e,
        });
      notes.push(`the source file could not be read again (${String(e)}): no ingredient hash recorded`);
    }
    abortCheck();
    const shared = await sharedSession(job.modelId, job.variant, job.backend);
    abortCheck();
    const result = await enhanceRaster(job.loaded.raster, {
      modelId: job.modelId,
      variant: job.variant,
      window: job.region,
      session: shared.session,
      scheduler: sharedScheduler,
      cache: sharedCache,
      // behind the live view's visible tiles: panning during an export stays responsive
      priority: 'prefetch',
      ranges: job.ranges,
      allowDomainMismatch: job.allowDomainMismatch,
      allowDerived: job.allowDerived,
      // tiles of one frame are shared by repeated exports (another format, the same region)
      imageId: `${job.loaded.imageId}#export`,
      signal,
      onProgress: (p) => this.callbacks.progress({ done: p.done, total: p.total }),
    });
    abortCheck();
    // the shared session's fallbacks (e.g. 'auto' without WebGPU) happened before this run began
    const fallbacks: FallbackRecord[] = [...shared.records];
    if (result.provenance.fallbacks.length === 0) result.provenance.fallbacks = fallbacks;
    const output = await writer.write({
      result,
      source: {
        info,
        ...(bytes && { bytes }),
        ...(job.sourceName !== undefined && { name: job.sourceName }),
      },
      ...(options.burnIn !== undefined && { burnIn: options.burnIn }),
      ...(options.signer && { signer: options.signer }),
      signal,
    });
    abortCheck();
    return { ...output, notes: [...output.notes, ...notes] };
  }
}
