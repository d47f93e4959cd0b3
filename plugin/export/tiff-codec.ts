/**
 * Tile encoding for the TIFF writer: cut a chunky tile out of an image, apply the TIFF predictor
 * (2: horizontal differencing for integers; 3: libtiff's floating-point predictor) and Deflate it
 * (Compression 8, zlib stream, pako). Everything is written little-endian ("II" files).
 */
import { deflate } from 'pako';
import type { TypedPixels } from '../../formats/raster.ts';

/** TIFF Compression value for Adobe Deflate (zlib). */
export const COMPRESSION_DEFLATE = 8;

const HOST_LE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** A same-typed empty array (tiles are padded with zeros past the image edge). */
function like(a: TypedPixels, length: number): TypedPixels {
  return new (a.constructor as new (n: number) => TypedPixels)(length);
}

/** The [tile, tile, samples] block at tile column tx, row ty of a pixel-interleaved image. */
export function cutTile(
  data: TypedPixels,
  width: number,
  height: number,
  samples: number,
  tile: number,
  tx: number,
  ty: number,
): TypedPixels {
  const out = like(data, tile * tile * samples);
  const x0 = tx * tile;
  const y0 = ty * tile;
  const w = Math.min(tile, width - x0);
  const h = Math.min(tile, height - y0);
  for (let y = 0; y < h; y++) {
    const from = ((y0 + y) * width + x0) * samples;
    out.set(data.subarray(from, from + w * samples), y * tile * samples);
  }
  return out;
}

/** Little-endian bytes of a typed array (a view on little-endian hosts, a swapped copy otherwise). */
export function littleEndianBytes(a: TypedPixels): Uint8Array {
  const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const n = a.BYTES_PER_ELEMENT;
  if (HOST_LE || n === 1) return bytes;
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i += n)
    for (let b = 0; b < n; b++) out[i + b] = bytes[i + n - 1 - b] ?? 0;
  return out;
}

/** Predictor 2 in place: each sample minus the same sample of the previous pixel (modular). */
export function horizontalDifferencing(a: TypedPixels, width: number, rows: number, samples: number): void {
  const row = width * samples;
  for (let y = 0; y < rows; y++) {
    const base = y * row;
    // back to front, so every difference uses the original left neighbour; typed arrays wrap
    for (let i = base + row - 1; i >= base + samples; i--)
      a[i] = (a[i] as number) - (a[i - samples] as number);
  }
}

/**
 * Predictor 3 (libtiff fpDiff): per row, the bytes of each value are split into planes, most
 * significant byte first, then every byte minus the byte `samples` before it, modulo 256.
 */
export function floatingPointDifferencing(
  a: Float32Array | Float64Array,
  width: number,
  rows: number,
  samples: number,
): Uint8Array {
  const bps = a.BYTES_PER_ELEMENT;
  const wc = width * samples;
  const rowBytes = wc * bps;
  const src = littleEndianBytes(a);
  const out = new Uint8Array(rows * rowBytes);
  for (let y = 0; y < rows; y++) {
    const base = y * rowBytes;
    for (let c = 0; c < wc; c++)
      for (let b = 0; b < bps; b++) out[base + (bps - 1 - b) * wc + c] = src[base + c * bps + b] as number;
    for (let i = base + rowBytes - 1; i >= base + samples; i--)
      out[i] = ((out[i] as number) - (out[i - samples] as number)) & 0xff;
  }
  return out;
}

/** Predictor for a sample type: 3 for floats, 2 for integers. */
export function predictorFor(a: TypedPixels): 2 | 3 {
  return a instanceof Float32Array || a instanceof Float64Array ? 3 : 2;
}

/** Encodes one [tile, tile, samples] block: predictor then Deflate. The input is not modified. */
export function encodeTile(block: TypedPixels, tile: number, samples: number, level = 6): Uint8Array {
  let bytes: Uint8Array;
  if (block instanceof Float32Array || block instanceof Float64Array)
    bytes = floatingPointDifferencing(block, tile, tile, samples);
  else {
    const copy = block.slice();
    horizontalDifferencing(copy, tile, tile, samples);
    bytes = littleEndianBytes(copy);
  }
  return deflate(bytes, { level: level as 6 });
}
