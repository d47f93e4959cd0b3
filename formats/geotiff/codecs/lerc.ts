/**
 * LERC (Compression 34887), optionally wrapped in Deflate or ZSTD (LercParameters[1] = 1 / 2).
 * Same steps as geotiff.js's own LERC decoder, but the `lerc` package (UMD) is loaded through
 * loadUmd (formats/load.ts) so it also runs where UMD files are served as ES modules (dev servers).
 */
import { BaseDecoder } from 'geotiff';
import { loadUmd } from '../../load.ts';
import { loadZstd } from './zstd.ts';

interface LercModule {
  decode(
    input: ArrayBuffer,
    opts: { returnPixelInterleavedDims: boolean },
  ): { pixels: Array<{ buffer: ArrayBufferLike; byteOffset: number; byteLength: number }> };
}

let lerc: Promise<LercModule> | undefined;

/** geotiff.js decoder class for LERC blocks. */
export default class LercDecoder extends BaseDecoder {
  override async decodeBlock(buffer: ArrayBufferLike): Promise<ArrayBufferLike> {
    const params = this.parameters as typeof this.parameters & { LercParameters?: number[] };
    const add = params.LercParameters?.[1] ?? 0;
    let blob = new Uint8Array(buffer);
    if (add === 1) {
      const { inflate } = await import('pako');
      blob = inflate(blob);
    } else if (add === 2) {
      blob = (await loadZstd()).decode(blob);
    } else if (add !== 0) {
      throw new Error(`unsupported LERC additional compression ${add}`);
    }
    lerc ??= loadUmd<LercModule>(() => import('lerc'), 'lerc');
    const exact = blob.byteOffset === 0 && blob.byteLength === blob.buffer.byteLength ? blob : blob.slice();
    const result = (await lerc).decode(exact.buffer as ArrayBuffer, {
      returnPixelInterleavedDims: this.parameters.planarConfiguration === 1,
    });
    const px = result.pixels[0];
    if (!px) throw new Error('LERC blob holds no pixels');
    return px.byteOffset === 0 && px.byteLength === px.buffer.byteLength
      ? px.buffer
      : new Uint8Array(px.buffer, px.byteOffset, px.byteLength).slice().buffer;
  }
}
