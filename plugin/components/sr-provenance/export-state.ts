/**
 * The export state machine of `<sr-provenance>`: which formats the bound viewer's image can be
 * written as, one export at a time (idle -> running -> done | error | cancelled), its progress from
 * the viewer's `sr-export-progress`, and the save once the file is complete (a cancelled or failed
 * export offers nothing).
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { ExportFormat } from '../../export/types.ts';
import { exportFileName, saveExport, type SaveOutcome } from '../shared/save-export.ts';
import type { ViewerExportProgressDetail, ViewerLike } from '../shared/viewer-events.ts';
import { errorCode, isAborted } from '../../../core/errors.ts';

/** Where the export control stands. */
export type ExportPhase = 'idle' | 'running' | 'done' | 'error' | 'cancelled';

/** What the format picker shows for each format. */
export const FORMAT_LABELS: Record<ExportFormat, string> = {
  dicom: 'DICOM (derived instance)',
  geotiff: 'GeoTIFF (COG)',
  png: 'PNG (signed, marked)',
  jpeg: 'JPEG (signed, marked)',
  npy: 'NumPy .npy (float32)',
};

/** One export control's state; the host renders it and calls start/cancel. */
export class ExportStateController implements ReactiveController {
  /** Formats the shown image can be written as (empty: no image, or the viewer cannot export). */
  formats: ExportFormat[] = [];
  format: ExportFormat | undefined;
  scope: 'frame' | 'visible' = 'frame';
  phase: ExportPhase = 'idle';
  progress: ViewerExportProgressDetail = { done: 0, total: 0 };
  /** The writer's notes of the last export, e.g. the untrusted test certificate. */
  notes: string[] = [];
  /** The last error's code and message, or how the file was offered. */
  message = '';
  saved: SaveOutcome | undefined;
  private abort: AbortController | undefined;
  private generation = 0;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly viewer: () => ViewerLike | null,
  ) {
    host.addController(this);
  }

  hostConnected(): void {}

  hostDisconnected(): void {
    this.abort?.abort();
  }

  /** Asks the viewer which formats its image takes (on bind and on every new image). */
  async refresh(): Promise<void> {
    const gen = ++this.generation;
    const v = this.viewer();
    const formats = v?.exportFormats && v.info ? await v.exportFormats().catch(() => []) : [];
    if (gen !== this.generation) return; // a newer image came meanwhile
    this.formats = formats;
    if (!this.format || !formats.includes(this.format)) this.format = formats[0];
    if (this.phase !== 'running') this.phase = 'idle';
    this.notes = [];
    this.message = '';
    this.host.requestUpdate();
  }

  /** `sr-export-progress` from the viewer. */
  onProgress(p: ViewerExportProgressDetail): void {
    if (this.phase !== 'running') return;
    this.progress = p;
    this.host.requestUpdate();
  }

  /** Runs one export and offers the file once complete. */
  async start(): Promise<void> {
    const v = this.viewer();
    const format = this.format;
    if (!v?.export || !format || this.phase === 'running') return;
    const abort = new AbortController();
    this.abort = abort;
    this.phase = 'running';
    this.progress = { done: 0, total: 0 };
    this.notes = [];
    this.message = '';
    this.saved = undefined;
    this.host.requestUpdate();
    try {
      const out = await v.export({ format, scope: this.scope, signal: abort.signal });
      if (abort.signal.aborted) throw Object.assign(new Error('export was cancelled'), { code: 'ABORTED' });
      const name = exportFileName(v.sourceName, v.effectiveModel ?? 'enhanced', out.extension);
      this.saved = await saveExport(out, name);
      this.phase = 'done';
      this.notes = out.notes;
      this.message = this.saved === 'cancelled' ? 'not saved' : `saved ${name}`;
    } catch (e) {
      const err = e as { message?: string };
      this.phase = isAborted(e) ? 'cancelled' : 'error';
      this.message =
        this.phase === 'cancelled' ? 'cancelled' : `${errorCode(e) ?? 'ERROR'}: ${err.message ?? e}`;
    } finally {
      if (this.abort === abort) this.abort = undefined;
      this.host.requestUpdate();
    }
  }

  /** Aborts the running export (it rejects with ABORTED; nothing is offered). */
  cancel(): void {
    this.abort?.abort();
  }
}
