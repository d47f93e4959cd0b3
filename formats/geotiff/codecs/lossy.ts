/**
 * Whether a TIFF's compression loses information. JPEG always does; WebP does unless its first
 * block is a VP8L (lossless) bitstream; LERC does when its blob header's MaxZError exceeds what is
 * lossless for the data type (0.5 for integers, 0 for floats). Reads one block's first bytes.
 */
import type { GeoTIFFImage } from 'geotiff';
import type { Layout } from '../info.ts';

/** Decides lossiness from the layout and, for WebP/LERC, the first block. */
export async function detectLossy(
  image: GeoTIFFImage,
  layout: Layout,
  fileSize: number | null,
): Promise<boolean> {
  if (layout.compression === 7) return true;
  if (layout.compression !== 50001 && layout.compression !== 34887) return false;
  const head = await firstBlock(image, layout, fileSize);
  if (!head) return true; // unknown: say lossy rather than claim exactness
  if (layout.compression === 50001) {
    const fourcc = String.fromCharCode(...head.subarray(12, 16));
    return fourcc !== 'VP8L';
  }
  const maxZ = await lercMaxZError(head, layout.compression, image);
  if (maxZ === undefined) return true;
  return layout.dtype.startsWith('float') ? maxZ > 0 : maxZ > 0.5;
}

async function firstBlock(
  image: GeoTIFFImage,
  layout: Layout,
  fileSize: number | null,
): Promise<Uint8Array | null> {
  const fd = image.fileDirectory;
  const offset = Number(await fd.loadValueIndexed(layout.tiled ? 'TileOffsets' : 'StripOffsets', 0));
  const count = Number(await fd.loadValueIndexed(layout.tiled ? 'TileByteCounts' : 'StripByteCounts', 0));
  if (!(count > 0) || (fileSize !== null && offset + count > fileSize)) return null;
  const source = image.source as unknown as {
    fetch(s: Array<{ offset: number; length: number }>): Promise<ArrayBuffer[]>;
  };
  const [buf] = await source.fetch([{ offset, length: count }]);
  return buf ? new Uint8Array(buf) : null;
}

/** MaxZError from a (possibly Deflate/ZSTD-wrapped) Lerc2 blob header. */
async function lercMaxZError(
  block: Uint8Array,
  _c: number,
  image: GeoTIFFImage,
): Promise<number | undefined> {
  const params = (await image.fileDirectory.loadValue('LercParameters')) as ArrayLike<number> | undefined;
  const add = params ? Number(params[1] ?? 0) : 0;
  let blob = block;
  try {
    if (add === 1) {
      const { inflate } = await import('pako');
      blob = inflate(block);
    } else if (add === 2) {
      const { loadZstd } = await import('./zstd.ts');
      blob = (await loadZstd()).decode(block);
    }
  } catch {
    return undefined;
  }
  if (String.fromCharCode(...blob.subarray(0, 6)) !== 'Lerc2 ') return undefined;
  const dv = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const version = dv.getInt32(6, true);
  let p = 10 + (version >= 3 ? 4 : 0) + 8 + (version >= 4 ? 4 : 0) + 16;
  if (version >= 6) p += 8; // nBlobsMore + four flag bytes
  return p + 8 <= blob.length ? dv.getFloat64(p, true) : undefined;
}
