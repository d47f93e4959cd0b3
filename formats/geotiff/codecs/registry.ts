/**
 * TIFF Compression values -> decoders, the geotiff.js way: `addDecoder(value, lazyImport, params)`.
 * geotiff.js ships none, LZW, JPEG, Deflate, PackBits, LERC, ZSTD and a WebP decoder that needs
 * `createImageBitmap` (absent in Node and subject to colour management in browsers). We add LZMA
 * (34925), replace WebP (50001) by one WASM libwebp decoder, so Node and browsers decode
 * identically, and load LERC (34887) in a way that also works where UMD packages are served as
 * ES modules. LZW (5) is our typed-array decoder (lzw.ts, several times faster) and JPEG (7) goes
 * through libjpeg-turbo WASM (jpeg.ts), as GDAL decodes it. Deflate (8, 32946), ZSTD (50000) and LZMA stop decoding once a block passes the size
 * its header implies (decompression bombs fail fast instead of exhausting memory). `registerDecoders` runs once per JS realm: the main thread and every pool worker.
 */
import { addDecoder, type ImageFileDirectory } from 'geotiff';

/** Compression values we decode, with the names reported in ImageInfo.compression. */
export const COMPRESSION_NAMES: ReadonlyMap<number, string> = new Map([
  [1, 'none'],
  [5, 'lzw'],
  [7, 'jpeg'],
  [8, 'deflate'],
  [32946, 'deflate'],
  [32773, 'packbits'],
  [34887, 'lerc'],
  [34925, 'lzma'],
  [50000, 'zstd'],
  [50001, 'webp'],
]);

/** Compression values that exist but that we refuse (so the error can name them). */
export const KNOWN_UNSUPPORTED: ReadonlyMap<number, string> = new Map([
  [2, 'CCITT RLE'],
  [3, 'CCITT Group 3'],
  [4, 'CCITT Group 4'],
  [6, 'old-style JPEG'],
  [34712, 'JPEG 2000'],
  [50002, 'JPEG XL'],
]);

let registered = false;

/** Adds our decoders to geotiff.js's registry (idempotent). */
export function registerDecoders(): void {
  if (registered) return;
  registered = true;
  addDecoder(5, () => import('./lzw.ts').then((m) => m.default), decoderParameters, true);
  addDecoder(7, () => import('./jpeg.ts').then((m) => m.default), decoderParameters, true);
  addDecoder(34925, () => import('./lzma.ts').then((m) => m.default), decoderParameters, true);
  addDecoder([8, 32946], () => import('./deflate.ts').then((m) => m.default), decoderParameters, true);
  addDecoder(50000, () => import('./zstd.ts').then((m) => m.default), decoderParameters, true);
  addDecoder(34887, () => import('./lerc.ts').then((m) => m.default), decoderParameters, true);
  addDecoder(50001, () => import('./webp.ts').then((m) => m.default), decoderParameters, true);
}

/** Parameters a decoder needs, as geotiff.js computes them, plus the codec-specific tags. */
export interface DecoderParameters {
  tileWidth: number;
  tileHeight: number;
  planarConfiguration: number;
  bitsPerSample: number | number[];
  predictor: number;
  samplesPerPixel: number;
  JPEGTables?: Uint8Array;
  LercParameters?: number[];
}

/**
 * Decoder parameters for one image, mirroring geotiff.js's own parameter functions (they are not
 * exported) so we can bind the shared pool or a local decoder ourselves.
 */
export async function decoderParameters(fd: ImageFileDirectory): Promise<DecoderParameters> {
  const isTiled = !fd.hasTag('StripOffsets');
  const num = async (tag: Parameters<ImageFileDirectory['loadValue']>[0]): Promise<number | undefined> => {
    const v: unknown = await fd.loadValue(tag);
    return typeof v === 'number' ? v : undefined;
  };
  const bps: unknown = await fd.loadValue('BitsPerSample');
  const compression = (await num('Compression')) ?? 1;
  const params: DecoderParameters = {
    tileWidth: (isTiled ? await num('TileWidth') : await num('ImageWidth')) ?? 0,
    tileHeight:
      (isTiled ? await num('TileLength') : ((await num('RowsPerStrip')) ?? (await num('ImageLength')))) ?? 0,
    planarConfiguration: (await num('PlanarConfiguration')) ?? 1,
    bitsPerSample: typeof bps === 'number' ? bps : Array.from(bps as ArrayLike<number>),
    predictor: (await num('Predictor')) ?? 1,
    samplesPerPixel: (await num('SamplesPerPixel')) ?? 1,
  };
  // geotiff.js treats RowsPerStrip larger than the image (the "one strip" idiom) as is; clamp it.
  const height = (await num('ImageLength')) ?? 0;
  if (!isTiled && params.tileHeight > height) params.tileHeight = height;
  if (compression === 7) {
    const t: unknown = await fd.loadValue('JPEGTables');
    if (t) params.JPEGTables = t as Uint8Array;
  }
  if (compression === 34887) {
    const l: unknown = await fd.loadValue('LercParameters');
    if (l) params.LercParameters = Array.from(l as ArrayLike<number>);
  }
  return params;
}
