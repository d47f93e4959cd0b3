/**
 * ZSTD (50000) with a bounded output: the destination is exactly one block, so a frame claiming
 * (or producing) more fails instead of allocating what its header says. zstddec is also what
 * LERC's ZSTD wrapping (lerc.ts) decodes with.
 */
import { BaseDecoder } from 'geotiff';
import { blockLimit } from './limit.ts';

/** zstddec's decoder: `size` bounds the output (0: what the frame header says). */
export interface Zstd {
  decode(b: Uint8Array, size?: number): Uint8Array;
}
let ready: Promise<Zstd> | undefined;

/** zstddec, instantiated once per thread. */
export function loadZstd(): Promise<Zstd> {
  ready ??= (async () => {
    const { ZSTDDecoder } = await import('zstddec');
    const z = new ZSTDDecoder();
    await answeringDataUrls(() => z.init());
    return z;
  })();
  ready.catch(() => (ready = undefined));
  return ready;
}

/**
 * Runs `start` with `fetch` answering `data:` URLs itself. zstddec's init fetches its inlined
 * wasm from a data: URL, which a page whose Content-Security-Policy says `connect-src 'self'`
 * refuses; decoding the base64 here needs no request. init calls fetch synchronously, so the
 * real fetch is back before `start` returns and no other code sees the stand-in.
 */
function answeringDataUrls<T>(start: () => T): T {
  const real = globalThis.fetch;
  if (typeof real !== 'function') return start();
  globalThis.fetch = ((input: RequestInfo | URL, init?: RequestInit) =>
    typeof input === 'string' && input.startsWith('data:')
      ? Promise.resolve(dataUrlResponse(input))
      : real(input, init)) as typeof fetch;
  try {
    return start();
  } finally {
    globalThis.fetch = real;
  }
}

/** A Response holding what a base64 `data:` URL encodes. */
function dataUrlResponse(url: string): Response {
  const comma = url.indexOf(',');
  const head = url.slice(5, comma);
  if (comma < 0 || !head.endsWith(';base64')) throw new Error('only base64 data: URLs are answered');
  const bin = atob(url.slice(comma + 1));
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return new Response(bytes, { headers: { 'Content-Type': head.slice(0, -';base64'.length) } });
}

/** geotiff.js decoder class for ZSTD blocks. */
export default class ZstdDecoder extends BaseDecoder {
  override async decodeBlock(buffer: ArrayBufferLike): Promise<ArrayBufferLike> {
    const limit = blockLimit(this.parameters);
    const zstd = await loadZstd();
    // with a destination size, libzstd refuses frames that do not fit (zstddec then returns nothing)
    const out = zstd.decode(new Uint8Array(buffer as ArrayBuffer), limit);
    if (out.length === 0) throw new Error('ZSTD frame is corrupt or larger than its block');
    return out.byteOffset === 0 && out.byteLength === out.buffer.byteLength ? out.buffer : out.slice().buffer;
  }
}
