/**
 * Offers a finished export to the user: the browser's save dialog (File System Access API) while
 * the click that asked for it still counts as a user gesture, else a download through an
 * `<a download>` with a blob URL. Called only with complete bytes, so a cancelled or failed export
 * never reaches the user's disk, and a file is never written piece by piece.
 */
import type { ExportOutput } from '../../export/types.ts';

/** How the file was offered: the save dialog, a download, or not at all (the user closed the dialog). */
export type SaveOutcome = 'picker' | 'download' | 'cancelled';

interface SaveFilePickerWindow {
  showSaveFilePicker?: (options: {
    suggestedName?: string;
    types?: Array<{ description?: string; accept: Record<string, string[]> }>;
  }) => Promise<{ createWritable(): Promise<{ write(data: Blob): Promise<void>; close(): Promise<void> }> }>;
}

/** `<stem>.<model>.<ext>` from the source's name (or "image"), e.g. `mr.medical-x2.dcm`. */
export function exportFileName(sourceName: string | undefined, modelId: string, extension: string): string {
  const stem = (sourceName ?? '').replace(/\.[^./\\]*$/, '') || 'image';
  return `${stem}.${modelId}.${extension}`;
}

/** Hands the blob to the browser as a download; the URL is kept long enough for the download to start. */
function download(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.rel = 'noopener';
  a.click();
  // revoking at once can cancel the download in some browsers; a minute later nothing needs it
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/**
 * Saves `output` as `suggestedName`. The save dialog is used only where it exists and the user's
 * gesture is still active (a long export outlives it; opening the dialog then would throw); an
 * `<a download>` otherwise. Resolves once the file has been handed over.
 */
export async function saveExport(output: ExportOutput, suggestedName: string): Promise<SaveOutcome> {
  const blob = new Blob([output.bytes as Uint8Array<ArrayBuffer>], { type: output.mediaType });
  const picker = (window as unknown as SaveFilePickerWindow).showSaveFilePicker;
  const activation = (navigator as Navigator & { userActivation?: { isActive: boolean } }).userActivation;
  if (picker && activation?.isActive) {
    try {
      const handle = await picker.call(window, {
        suggestedName,
        types: [{ accept: { [output.mediaType]: [`.${output.extension}`] } }],
      });
      const writable = await handle.createWritable();
      await writable.write(blob);
      await writable.close();
      return 'picker';
    } catch (e) {
      if ((e as DOMException | undefined)?.name === 'AbortError') return 'cancelled';
      // SecurityError / NotAllowedError (no gesture after all, sandboxed frame): download instead
    }
  }
  download(blob, suggestedName);
  return 'download';
}
