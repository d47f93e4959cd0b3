/**
 * Report thumbnails as PNG: the project's one PNG encoder (formats/png/encode.ts, a leaf module
 * with no other project imports, which validation/ may use) behind the report's signature.
 */
import { encodePng as encode } from '../../formats/png/encode.ts';

/** Encodes 8-bit pixels (1 = gray, 3 = RGB, interleaved) as PNG bytes. */
export function encodePng(width: number, height: number, samples: 1 | 3, pixels: Uint8Array): Uint8Array {
  return encode({ width, height, channels: samples, data: pixels });
}

/** Base64 without Node's Buffer (reports are also built in browsers). */
export function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

/** A PNG as a data: URI. */
export function pngDataUri(width: number, height: number, samples: 1 | 3, pixels: Uint8Array): string {
  return `data:image/png;base64,${toBase64(encodePng(width, height, samples, pixels))}`;
}
