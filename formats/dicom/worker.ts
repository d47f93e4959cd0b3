/**
 * Module worker that decodes DICOM off the main thread: `open` parses the file it is sent and keeps
 * it, `read` decodes one frame and transfers the pixel buffer back. Requests run one at a time in
 * arrival order; cancelling is done by the client terminating the worker.
 */
import { asFormatError } from '../errors.ts';
import { decodeFrame, openDicomBytes, type OpenedDicom } from './decode.ts';
import type { WorkerRequest, WorkerResponse } from './worker-protocol.ts';

interface WorkerScope {
  onmessage: ((e: MessageEvent<WorkerRequest>) => void) | null;
  postMessage(message: WorkerResponse, transfer?: Transferable[]): void;
}

const scope = globalThis as unknown as WorkerScope;
let opened: OpenedDicom | undefined;
let chain: Promise<void> = Promise.resolve();

async function handle(req: WorkerRequest): Promise<void> {
  try {
    if (req.type === 'open') {
      opened = await openDicomBytes(req.bytes, req.limits);
      scope.postMessage({ id: req.id, ok: true, info: opened.info });
      return;
    }
    if (!opened) throw new Error('read before open');
    const raster = await decodeFrame(opened, req.frame, req.window);
    let data = raster.data;
    if (data.byteOffset !== 0 || data.byteLength !== data.buffer.byteLength) data = data.slice(); // own buffer to transfer
    scope.postMessage({ id: req.id, ok: true, raster: { ...raster, data } }, [data.buffer as ArrayBuffer]);
  } catch (err) {
    const e = asFormatError(err, 'CORRUPT_DATA', 'DICOM worker');
    scope.postMessage({ id: req.id, ok: false, code: e.code, message: e.message });
  }
}

// async handlers would interleave at each await: chain them so requests run in order
scope.onmessage = (e) => {
  chain = chain.then(() => handle(e.data));
};
