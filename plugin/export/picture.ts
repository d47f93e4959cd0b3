/**
 * Pictures (PNG, JPEG): a display rendering of the enhanced result with the "AI-enhanced" label
 * burned into the pixels (always: a picture leaves tilesr's hands and gets shared), signed C2PA
 * Content Credentials (PNG caBX chunk, JPEG APP11), and for PNG the provenance JSON as tEXt too.
 */
import jpeg from 'jpeg-js';
import type { ImageInfo } from '../../formats/raster.ts';
import { asciiJson, encodePng } from '../../formats/png/encode.ts';
import type { EnhanceResult } from '../pipeline/enhance.ts';
import { burnLabel, watermarkText, type BurnResult, type DisplayImage } from '../watermark/burn.ts';
import { signPicture, type PictureCredentials, type PictureMediaType } from './c2pa.ts';
import { throwIfExportAborted } from './errors.ts';
import { renderForDisplay, type DisplayMapping } from './render.ts';
import type { ExportFormat, ExportOutput, ExportRequest, ExportWriter } from './types.ts';

/** JPEG quality: high enough that the burned label and fine detail survive. */
export const JPEG_QUALITY = 92;

/** A display rendering with the label burned in, and what was done to make it. */
export interface MarkedPicture {
  image: DisplayImage;
  mapping: DisplayMapping;
  text: string;
  box: BurnResult;
}

/**
 * Renders `result` for display and burns the label in (what `tilesr enhance --out x.png` does):
 * VOI presets and MONOCHROME1 apply only when the result holds the file's own gray samples, not a
 * band picked from color; perceptual models say so in the label too, not only in metadata.
 */
export function markedPicture(result: EnhanceResult, info: ImageInfo, bits: 8 | 16 = 8): MarkedPicture {
  const p = result.provenance;
  const ownGray = result.samples === 1 && p.source.bands.length === info.samples;
  const { image, mapping } = renderForDisplay(result, {
    bits,
    photometric: ownGray ? info.photometric : undefined,
    windows: ownGray && info.format === 'dicom' ? info.windows : undefined,
  });
  const text = watermarkText(p.perceptual ? `${p.modelId} perceptual` : p.modelId, result.scale);
  const box = burnLabel(image, text);
  return { image, mapping, text, box };
}

/** The provenance tEXt entries of a PNG (as the CLI writes them). */
function pngText(result: EnhanceResult, m: MarkedPicture): Record<string, string> {
  const p = result.provenance;
  const provenance = { ...p, display: m.mapping, watermark: { text: m.text, box: m.box } };
  return {
    Software: `tilesr ${p.tilesrVersion}`,
    // tEXt is Latin-1: the middle dot is not ASCII and some tools mangle it
    Description: m.text.replace(/·/g, '-'),
    'tilesr:provenance': asciiJson(provenance),
  };
}

/** 8-bit RGBA for jpeg-js (gray is replicated; the encoder ignores alpha). */
function toRgba(img: DisplayImage): Uint8Array {
  const n = img.width * img.height;
  const out = new Uint8Array(n * 4);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 3; c++)
      out[i * 4 + c] = img.data[i * img.channels + (img.channels >= 3 ? c : 0)] as number;
    out[i * 4 + 3] = 255;
  }
  return out;
}

/** Encodes a baseline JPEG with jpeg-js. */
function encodeJpeg(img: DisplayImage, comment: string): Uint8Array {
  // jpeg-js ends with Buffer.from() when it runs as CommonJS (as bundlers wrap it), which browsers
  // lack: lend it a minimal one for this call only
  const g = globalThis as { Buffer?: unknown };
  const lend = g.Buffer === undefined;
  if (lend) g.Buffer = { from: (a: ArrayLike<number>) => Uint8Array.from(a) };
  try {
    const out = jpeg.encode(
      { data: toRgba(img), width: img.width, height: img.height, comments: [comment] },
      JPEG_QUALITY,
    );
    return new Uint8Array(out.data.buffer, out.data.byteOffset, out.data.byteLength);
  } finally {
    if (lend) delete g.Buffer;
  }
}

const SOURCE_MEDIA_TYPES: Record<ImageInfo['format'], string> = {
  dicom: 'application/dicom',
  geotiff: 'image/tiff',
};

function credentials(request: ExportRequest, text: string): PictureCredentials {
  const { source, result } = request;
  return {
    provenance: result.provenance,
    watermark: text,
    source: {
      mediaType: SOURCE_MEDIA_TYPES[source.info.format],
      ...(source.name !== undefined && { name: source.name }),
      ...(source.bytes && { bytes: source.bytes }),
    },
  };
}

interface PictureFormat {
  format: ExportFormat & ('png' | 'jpeg');
  mediaType: PictureMediaType;
  extensions: readonly string[];
  bits: 8 | 16;
  encode(request: ExportRequest, m: MarkedPicture): Uint8Array;
}

function pictureWriter(f: PictureFormat): ExportWriter {
  return {
    format: f.format,
    mediaType: f.mediaType,
    extensions: f.extensions,
    // any result can be rendered for display
    check: () => undefined,
    async write(request: ExportRequest): Promise<ExportOutput> {
      throwIfExportAborted(request.signal);
      const m = markedPicture(request.result, request.source.info, f.bits);
      const unsigned = f.encode(request, m);
      throwIfExportAborted(request.signal);
      const signed = await signPicture(unsigned, f.mediaType, credentials(request, m.text), request.signer);
      throwIfExportAborted(request.signal);
      const notes = [...signed.notes];
      if (request.burnIn === false)
        notes.push(
          `the "${m.text}" label is burned into ${f.format.toUpperCase()} pictures regardless of burnIn`,
        );
      return {
        bytes: signed.bytes,
        format: f.format,
        mediaType: f.mediaType,
        extension: f.extensions[0] as string,
        notes,
      };
    },
  };
}

/** A PNG writer with 8- or 16-bit samples (16 keeps more of a wide window's levels). */
export function createPngWriter(bits: 8 | 16 = 8): ExportWriter {
  return pictureWriter({
    format: 'png',
    mediaType: 'image/png',
    extensions: ['png'],
    bits,
    encode: ({ result }, m) =>
      encodePng({ ...m.image, channels: m.image.channels as 1 | 3 }, pngText(result, m)),
  });
}

/** PNG: 8-bit display rendering, label burned in, provenance tEXt and C2PA (caBX). */
export const pngWriter: ExportWriter = createPngWriter(8);

/** JPEG: 8-bit display rendering (quality 92), label burned in, C2PA in APP11. */
export const jpegWriter: ExportWriter = pictureWriter({
  format: 'jpeg',
  mediaType: 'image/jpeg',
  extensions: ['jpg', 'jpeg'],
  bits: 8,
  encode: (_, m) => encodeJpeg(m.image, m.text.replace(/·/g, '-')),
});
