/**
 * The "AI-enhanced" mark of a derived DICOM as an Overlay Plane (PS3.3 C.9.2, group 6000): a 1-bit
 * bitmap of the watermark text that PACS viewers draw over the image without touching its pixels
 * (burn-in stays an option: dicom-burn.ts). Same font, text and corner as the burned-in label.
 */
import type { NaturalDataset } from 'dcmjs';
import { burnLabel, watermarkText } from '../watermark/burn.ts';

/** Overlay Label / Description of the mark (LO). */
export const OVERLAY_LABEL = 'AI-enhanced';

/** One 0/1 byte per pixel, row-major: 1 where the label's glyphs are. */
export function markBitmap(width: number, height: number, text: string): Uint8Array {
  // untouched pixels stay 1, the darkened box becomes 0, glyph pixels 255
  const probe = { data: new Uint8Array(width * height).fill(1), width, height, channels: 1 };
  burnLabel(probe, text);
  return probe.data.map((v) => (v === 255 ? 1 : 0));
}

/** Packs 0/1 pixels as Overlay Data: bit (n mod 8) of byte n / 8, padded to an even length (PS3.5 8.1.2). */
export function packBits(bits: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.ceil(bits.length / 16) * 2);
  bits.forEach((b, n) => {
    if (b) out[n >> 3] = (out[n >> 3] as number) | (1 << (n & 7));
  });
  return out;
}

/** Adds overlay group 6000 with the mark for `modelId` x`scale` to `ds` (whose source overlays were removed). */
export function addOverlayMark(
  ds: NaturalDataset,
  width: number,
  height: number,
  modelId: string,
  scale: number,
): void {
  const data = packBits(markBitmap(width, height, watermarkText(modelId, scale)));
  ds.OverlayRows = height;
  ds.OverlayColumns = width;
  ds.OverlayType = 'G';
  ds.OverlayOrigin = [1, 1];
  ds.OverlayBitsAllocated = 1;
  ds.OverlayBitPosition = 0;
  ds.OverlayDescription = `${OVERLAY_LABEL} (tilesr ${modelId} x${scale})`.slice(0, 64);
  ds.OverlayLabel = OVERLAY_LABEL;
  ds.OverlayData = [data.buffer];
  ds._vrMap = { ...(ds._vrMap ?? {}), OverlayData: 'OW' };
}
