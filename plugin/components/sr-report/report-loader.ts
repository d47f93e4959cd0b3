/**
 * Fetches a `tilesr.validation/1` report from a URL for `<sr-report>` (a ReactiveController so the
 * element stays synchronous): aborts the previous fetch when the URL changes, checks the shape.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { checkReport, type ValidationReport } from '../../../validation/index.ts';

/** Loads `src` into `report`, or sets `error`. */
export class ReportLoader implements ReactiveController {
  report: ValidationReport | null = null;
  error = '';
  loading = false;
  private src = '';
  private abort: AbortController | null = null;

  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }

  hostDisconnected(): void {
    this.abort?.abort();
    this.abort = null;
    this.src = '';
  }

  /** Starts loading `src` when it differs from the last one (empty: nothing loaded). */
  load(src: string): void {
    if (src === this.src) return;
    this.abort?.abort();
    this.src = src;
    this.report = null;
    this.error = '';
    if (!src) return;
    const ac = new AbortController();
    this.abort = ac;
    this.loading = true;
    void this.fetch(src, ac.signal).finally(() => {
      if (this.abort === ac) {
        this.loading = false;
        this.host.requestUpdate();
      }
    });
  }

  private async fetch(src: string, signal: AbortSignal): Promise<void> {
    try {
      const res = await fetch(src, { signal });
      if (!res.ok) throw new Error(`HTTP ${res.status} for ${src}`);
      const json: unknown = await res.json();
      const problems = checkReport(json);
      if (signal.aborted) return;
      if (problems.length > 0) this.error = `not a tilesr.validation/1 report: ${problems.join('; ')}`;
      else this.report = json as ValidationReport;
    } catch (err) {
      if (signal.aborted) return;
      this.error = err instanceof Error ? err.message : String(err);
    }
  }
}
