/**
 * Decoder worker for the shared pool (browsers): the message protocol of geotiff.js's own
 * worker/decoder.js, with our decoders registered in this realm too.
 */
import { getDecoder } from 'geotiff';
import { registerDecoders } from './codecs/registry.ts';

registerDecoders();

interface Job {
  compression: number;
  decoderParameters: Parameters<typeof getDecoder>[1];
  buffer: ArrayBuffer;
  jobId: number;
}

const scope = globalThis as unknown as {
  addEventListener(type: 'message', fn: (e: MessageEvent<Job>) => void): void;
  postMessage(msg: unknown, transfer?: Transferable[]): void;
};

scope.addEventListener('message', (e) => {
  const { compression, decoderParameters, buffer, jobId } = e.data;
  void (async () => {
    try {
      const decoder = await getDecoder(compression, decoderParameters);
      const decoded = (await decoder.decode(buffer)) as ArrayBuffer;
      scope.postMessage({ decoded, jobId }, [decoded]);
    } catch (err) {
      scope.postMessage({ error: err instanceof Error ? err.message : String(err), jobId });
    }
  })();
});
