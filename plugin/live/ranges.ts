/**
 * Whole-frame normalization ranges per image: computed once over every pixel of the shown frame (the
 * overview for a large image), as whole-image enhancement computes them, so cells have no seams.
 */
import { computeRange, type NormRange } from '../../models/normalize.ts';
import type { LiveImage } from './types.ts';

/** Ranges kept for at most this many images. */
const MAX_IMAGES = 8;

/** Ranges of the shown bands per image id. */
export class ImageRanges {
  private readonly ranges = new Map<string, NormRange[]>();

  /** One range per entry of image.bands. */
  of(image: LiveImage): NormRange[] {
    let r = this.ranges.get(image.imageId);
    if (!r) {
      const stride = image.raster.samples;
      r = image.bands.map((band) => computeRange(image.modality, { stride, band }));
      this.ranges.set(image.imageId, r);
      if (this.ranges.size > MAX_IMAGES) {
        const oldest = this.ranges.keys().next().value;
        if (oldest !== undefined && oldest !== image.imageId) this.ranges.delete(oldest);
      }
    }
    return r;
  }

  /** Ranges indexed by raster band: the shown bands' are the very ranges the cells used. */
  byBand(image: LiveImage): NormRange[] {
    const live = this.of(image);
    const stride = image.raster.samples;
    return Array.from({ length: stride }, (_, band) => {
      const i = image.bands.indexOf(band);
      return i >= 0 ? (live[i] as NormRange) : computeRange(image.modality, { stride, band });
    });
  }

  forget(imageId: string): void {
    this.ranges.delete(imageId);
  }
}
