/**
 * WebP (Compression 50001) with libwebp compiled to WASM (@jsquash/webp), the same code in Node and
 * browsers. geotiff.js's own WebP decoder goes through createImageBitmap + canvas: absent in Node,
 * and in browsers a colour-managed, possibly premultiplied path that need not return stored values.
 */
import type * as NodeFs from 'node:fs/promises';
import { BaseDecoder } from 'geotiff';
import { isNodeRuntime } from '../../load.ts';

interface WebpImage {
  data: Uint8ClampedArray;
  width: number;
  height: number;
}
type WebpDecode = (buffer: ArrayBuffer) => Promise<WebpImage>;

let ready: Promise<WebpDecode> | undefined;

/** Loads the codec; in Node the .wasm is read from disk (Node's fetch cannot read file: URLs). */
async function load(): Promise<WebpDecode> {
  const mod = await import('@jsquash/webp/decode.js');
  if (isNodeRuntime()) {
    const fsName = 'node:fs/promises'; // a variable keeps browser bundlers from following it
    const { readFile } = (await import(fsName)) as typeof NodeFs;
    const url = new URL(import.meta.resolve('@jsquash/webp/codec/dec/webp_dec.wasm'));
    const wasm = await WebAssembly.compile(await readFile(url));
    await (mod.init as unknown as (m: WebAssembly.Module) => Promise<void>)(wasm);
  }
  return mod.default as unknown as WebpDecode;
}

/** geotiff.js decoder class for WebP tiles (RGB or RGBA per SamplesPerPixel). */
export default class WebpDecoder extends BaseDecoder {
  override async decodeBlock(buffer: ArrayBufferLike): Promise<ArrayBufferLike> {
    ready ??= load();
    const decode = await ready;
    const img = await decode(buffer as ArrayBuffer);
    const { tileWidth, tileHeight } = this.parameters;
    if (img.width !== tileWidth || img.height < 1 || img.height > tileHeight) {
      throw new Error(`WebP tile is ${img.width}x${img.height}, expected ${tileWidth}x${tileHeight}`);
    }
    const spp = this.parameters.samplesPerPixel ?? 4;
    if (spp === 4) return img.data.slice().buffer;
    if (spp !== 3) throw new Error(`WebP with ${spp} samples per pixel is not supported`);
    const n = img.width * img.height;
    const rgb = new Uint8Array(n * 3);
    for (let i = 0, j = 0; i < n * 3; i += 3, j += 4) {
      rgb[i] = img.data[j] as number;
      rgb[i + 1] = img.data[j + 1] as number;
      rgb[i + 2] = img.data[j + 2] as number;
    }
    return rgb.buffer;
  }
}
