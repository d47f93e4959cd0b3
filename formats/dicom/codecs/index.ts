/**
 * Codec registry keyed by Transfer Syntax UID. Each codec lives in its own file and is imported
 * only when a file needs it (as geotiff.js's decoder registry does), so opening an uncompressed
 * file never loads a wasm module.
 */
import { FormatError } from '../../errors.ts';
import type { Codec } from './types.ts';

export type { Codec, CodecInput, CodecOutput } from './types.ts';

interface CodecEntry {
  name: string;
  /** Encapsulated (fragments) rather than native pixel data. */
  encapsulated: boolean;
  /** The syntax itself loses information (JPEG-LS .81 only when NEAR > 0; J2K .91 may be reversible). */
  lossy: boolean;
  load: () => Promise<Codec>;
}

const native = async () => (await import('./native.ts')).decodeNativeLE;
const jpegLossless = async () => (await import('./jpeg/lossless.ts')).decodeJpegLossless;
const jpegLs = async () => (await import('./jpegls.ts')).decodeJpegLs;
const j2k = async () => (await import('./j2k.ts')).decodeJ2k;
const htj2k = async () => (await import('./htj2k.ts')).decodeHtj2k;

/** Every supported Transfer Syntax UID. */
export const CODECS: ReadonlyMap<string, CodecEntry> = new Map<string, CodecEntry>([
  [
    '1.2.840.10008.1.2',
    { name: 'Implicit VR Little Endian', encapsulated: false, lossy: false, load: native },
  ],
  [
    '1.2.840.10008.1.2.1',
    { name: 'Explicit VR Little Endian', encapsulated: false, lossy: false, load: native },
  ],
  [
    '1.2.840.10008.1.2.1.99',
    { name: 'Deflated Explicit VR Little Endian', encapsulated: false, lossy: false, load: native },
  ],
  [
    '1.2.840.10008.1.2.2',
    {
      name: 'Explicit VR Big Endian',
      encapsulated: false,
      lossy: false,
      load: async () => (await import('./native.ts')).decodeNativeBE,
    },
  ],
  [
    '1.2.840.10008.1.2.5',
    {
      name: 'RLE Lossless',
      encapsulated: true,
      lossy: false,
      load: async () => (await import('./rle.ts')).decodeRle,
    },
  ],
  [
    '1.2.840.10008.1.2.4.50',
    {
      name: 'JPEG Baseline (Process 1)',
      encapsulated: true,
      lossy: true,
      load: async () => (await import('./jpeg-baseline.ts')).decodeJpegBaseline,
    },
  ],
  [
    '1.2.840.10008.1.2.4.51',
    {
      name: 'JPEG Extended (Process 2 & 4)',
      encapsulated: true,
      lossy: true,
      load: async () => (await import('./jpeg/sequential.ts')).decodeJpeg12,
    },
  ],
  [
    '1.2.840.10008.1.2.4.57',
    { name: 'JPEG Lossless (Process 14)', encapsulated: true, lossy: false, load: jpegLossless },
  ],
  [
    '1.2.840.10008.1.2.4.70',
    { name: 'JPEG Lossless SV1', encapsulated: true, lossy: false, load: jpegLossless },
  ],
  ['1.2.840.10008.1.2.4.80', { name: 'JPEG-LS Lossless', encapsulated: true, lossy: false, load: jpegLs }],
  [
    '1.2.840.10008.1.2.4.81',
    { name: 'JPEG-LS Near-Lossless', encapsulated: true, lossy: true, load: jpegLs },
  ],
  ['1.2.840.10008.1.2.4.90', { name: 'JPEG 2000 Lossless', encapsulated: true, lossy: false, load: j2k }],
  ['1.2.840.10008.1.2.4.91', { name: 'JPEG 2000', encapsulated: true, lossy: true, load: j2k }],
  ['1.2.840.10008.1.2.4.201', { name: 'HTJ2K Lossless', encapsulated: true, lossy: false, load: htj2k }],
  ['1.2.840.10008.1.2.4.202', { name: 'HTJ2K Lossless RPCL', encapsulated: true, lossy: false, load: htj2k }],
  ['1.2.840.10008.1.2.4.203', { name: 'HTJ2K', encapsulated: true, lossy: true, load: htj2k }],
]);

/** The registry entry for a UID; UNSUPPORTED_TRANSFER_SYNTAX (naming the UID) when unknown. */
export function codecEntry(uid: string): CodecEntry {
  const entry = CODECS.get(uid);
  if (!entry)
    throw new FormatError(
      'UNSUPPORTED_TRANSFER_SYNTAX',
      `Transfer Syntax ${uid || '(none)'} is not supported`,
    );
  return entry;
}

const loaded = new Map<string, Promise<Codec>>();

/** The codec for a UID, imported on first use and shared afterwards. */
export function getCodec(uid: string): Promise<Codec> {
  const entry = codecEntry(uid);
  let p = loaded.get(uid);
  if (!p) {
    p = entry.load();
    p.catch(() => loaded.delete(uid));
    loaded.set(uid, p);
  }
  return p;
}
