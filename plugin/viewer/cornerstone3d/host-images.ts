/**
 * The bridge from a HOST-loaded Cornerstone3D image (`wadors:` / `wadouri:` through
 * @cornerstonejs/dicom-image-loader, or any other image loader) to the Raster model of formats/, so
 * the live engine enhances what OHIF or another Cornerstone3D app shows, not only `tilesr:` images.
 *
 * The host already decoded the frame: its pixel data are COPIED (the host's image is never touched)
 * with the modality LUT kept as the Raster's value mapping, as formats/ does for DICOM. A host that
 * pre-scaled its pixels (`preScale.scaled`, dicom-image-loader's default) holds real units already:
 * the mapping is then the identity, so slope/intercept are never applied twice. Nothing is clipped
 * or re-quantized: stored values keep their type; real units are computed as float32 by loader.ts.
 */
import { cache, imageLoader, metaData, type Types } from '@cornerstonejs/core';
import { TilesrError } from '../../../core/errors.ts';
import { naturalEnhancement } from '../../../formats/dicom/derivation.ts';
import {
  sampleTypeOf,
  type ImageInfo,
  type Photometric,
  type Raster,
  type Spacing,
  type TypedPixels,
  type WindowPreset,
} from '../../../formats/raster.ts';
import { getStackImage, registerHostRaster, SCHEME, type StackImage } from './loader.ts';

/** Why a host image cannot be enhanced. */
export type HostImageErrorCode = 'UNSUPPORTED_IMAGE' | 'NO_PIXEL_DATA' | 'IMAGE_NOT_LOADED';

/** Typed failure of the bridge. */
export class HostImageError extends TilesrError<HostImageErrorCode> {
  override readonly name = 'HostImageError';
}

type Module = Record<string, unknown>;

function moduleOf(type: string, imageId: string): Module {
  const m = metaData.get(type, imageId) as unknown;
  return m && typeof m === 'object' ? (m as Module) : {};
}

const num = (v: unknown): number | undefined => {
  const n = Array.isArray(v) ? v[0] : v;
  const x = typeof n === 'string' ? Number(n) : n;
  return typeof x === 'number' && Number.isFinite(x) ? x : undefined;
};

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]);

/** The host's pixel data: getPixelData(), else the voxel manager's scalars (Cornerstone3D 5 images). */
function pixelDataOf(image: Types.IImage): ArrayLike<number> | undefined {
  const vm = image.voxelManager as { getScalarData?: () => unknown } | undefined;
  for (const get of [() => image.getPixelData?.(), () => vm?.getScalarData?.()]) {
    let px: unknown;
    try {
      px = get();
    } catch {
      continue; // a released buffer may throw: try the other source
    }
    if (
      ArrayBuffer.isView(px) &&
      !(px instanceof DataView) &&
      (px as unknown as ArrayLike<number>).length > 0
    )
      return px as unknown as ArrayLike<number>;
  }
  return undefined;
}

/** A typed array of the same sample type (Uint8ClampedArray -> Uint8Array: same values). */
function sameType(px: ArrayLike<number>, length: number): TypedPixels {
  if (px instanceof Uint8ClampedArray) return new Uint8Array(length);
  // Cornerstone3D's pixel arrays are all TypedPixels types (PixelDataTypedArray)
  return new ((px as TypedPixels).constructor as new (n: number) => TypedPixels)(length);
}

function windowsOf(image: Types.IImage, imageId: string): WindowPreset[] {
  let centers = list(image.windowCenter);
  let widths = list(image.windowWidth);
  const voi = moduleOf('voiLutModule', imageId);
  if (centers.length === 0 || widths.length === 0) {
    centers = list(voi['windowCenter']);
    widths = list(voi['windowWidth']);
  }
  const explanations = list(voi['windowCenterAndWidthExplanation']);
  const out: WindowPreset[] = [];
  for (let i = 0; i < Math.min(centers.length, widths.length); i++) {
    const center = num(centers[i]);
    const width = num(widths[i]);
    const explanation = explanations[i];
    if (center !== undefined && width !== undefined && width > 0)
      out.push({ center, width, ...(typeof explanation === 'string' ? { explanation } : {}) });
  }
  return out;
}

function spacingOf(image: Types.IImage, plane: Module): Spacing | undefined {
  // dicom-image-loader fills 1 x 1 defaults when the file has no spacing: trust the plane module's flag
  if (plane['usingDefaultValues'] === true) return undefined;
  const row = num(image.rowPixelSpacing) ?? num(plane['rowPixelSpacing']);
  const column = num(image.columnPixelSpacing) ?? num(plane['columnPixelSpacing']);
  return row && column && row > 0 && column > 0
    ? { kind: 'PixelSpacing', rowMm: row, columnMm: column }
    : undefined;
}

/**
 * The Raster (formats/ model) of a Cornerstone3D image decoded by the host: pixels copied (colour
 * as RGB, alpha dropped), modality LUT as the value mapping (identity when the host pre-scaled),
 * VOI presets, photometric (MONOCHROME1 kept), spacing and identifying metadata. Throws
 * HostImageError NO_PIXEL_DATA or UNSUPPORTED_IMAGE.
 */
export function rasterFromCs3dImage(image: Types.IImage, imageId: string = image.imageId): Raster {
  const px = pixelDataOf(image);
  if (!px) throw new HostImageError('NO_PIXEL_DATA', `${imageId}: the host image has no pixel data`);
  const plane = moduleOf('imagePlaneModule', imageId);
  const pixel = moduleOf('imagePixelModule', imageId);
  const height = num(image.rows) ?? num(image.height) ?? num(pixel['rows']) ?? 0;
  const width = num(image.columns) ?? num(image.width) ?? num(pixel['columns']) ?? 0;
  const n = width * height;
  if (!Number.isInteger(width) || !Number.isInteger(height) || n < 1)
    throw new HostImageError('UNSUPPORTED_IMAGE', `${imageId}: no valid rows/columns (${height}x${width})`);
  const components = px.length / n;
  if (![1, 3, 4].includes(components))
    throw new HostImageError(
      'UNSUPPORTED_IMAGE',
      `${imageId}: ${px.length} samples do not fit ${height}x${width} pixels of 1, 3 or 4 components`,
    );
  const color = components >= 3;
  const samples = color ? 3 : 1;
  const data = sameType(px, n * samples);
  if (components === samples) for (let i = 0; i < data.length; i++) data[i] = px[i] as number;
  else
    for (let i = 0; i < n; i++)
      for (let c = 0; c < 3; c++) data[i * 3 + c] = px[i * components + c] as number;
  const dtype = sampleTypeOf(data);

  const series = moduleOf('generalSeriesModule', imageId);
  const general = moduleOf('generalImageModule', imageId);
  const modalityLut = moduleOf('modalityLutModule', imageId);
  const sop = moduleOf('sopCommonModule', imageId);
  const modality =
    typeof series['modality'] === 'string' ? series['modality'] : image.preScale?.scalingParameters?.modality;
  // the host's pixels are real units already when it pre-scaled them: identity, not slope/intercept twice
  const scaled = image.preScale?.scaled === true || image.isPreScaled === true;
  const slope = color || scaled ? 1 : (num(image.slope) ?? num(modalityLut['rescaleSlope']) ?? 1);
  const intercept = color || scaled ? 0 : (num(image.intercept) ?? num(modalityLut['rescaleIntercept']) ?? 0);
  const suv = scaled && num(image.preScale?.scalingParameters?.suvbw) !== undefined;
  const rescaleType = modalityLut['rescaleType'];
  const unit = color
    ? undefined
    : suv
      ? 'SUVbw'
      : typeof rescaleType === 'string' && rescaleType !== 'US'
        ? rescaleType
        : modality === 'CT'
          ? 'HU'
          : undefined;
  const stored = String(pixel['photometricInterpretation'] ?? image.photometricInterpretation ?? '');
  const photometric: Photometric = color ? 'RGB' : stored === 'MONOCHROME1' ? 'MONOCHROME1' : 'MONOCHROME2';
  const integer = !dtype.startsWith('float');
  const bitsStored =
    (!scaled && integer ? num(pixel['bitsStored']) : undefined) ?? data.BYTES_PER_ELEMENT * 8;
  const spacing = spacingOf(image, plane);
  const transferSyntax = moduleOf('transferSyntax', imageId)['transferSyntaxUID'];
  const lossy = general['lossyImageCompression'] === '01';
  const metadata: Record<string, unknown> = { HostImageId: imageId, HostPreScaled: scaled };
  const copy = (key: string, v: unknown) => {
    if (v !== undefined && v !== null && v !== '') metadata[key] = v;
  };
  copy('Modality', modality);
  copy('SOPInstanceUID', sop['sopInstanceUID']);
  copy('SOPClassUID', sop['sopClassUID']);
  copy('SeriesInstanceUID', series['seriesInstanceUID']);
  copy('StudyInstanceUID', moduleOf('generalStudyModule', imageId)['studyInstanceUID']);
  copy('SeriesNumber', series['seriesNumber']);
  copy('InstanceNumber', general['instanceNumber']);
  copy('FrameOfReferenceUID', plane['frameOfReferenceUID']);
  copy('ImagePositionPatient', plane['imagePositionPatient']);
  copy('ImageOrientationPatient', plane['imageOrientationPatient']);
  copy('SliceThickness', plane['sliceThickness']);
  copy('SliceLocation', plane['sliceLocation']);
  copy('RescaleSlope', num(image.slope) ?? num(modalityLut['rescaleSlope']));
  copy('RescaleIntercept', num(image.intercept) ?? num(modalityLut['rescaleIntercept']));
  const info: ImageInfo = {
    format: 'dicom',
    width,
    height,
    frames: 1,
    samples,
    dtype,
    bitsStored,
    signed: dtype.startsWith('int') || dtype.startsWith('float'),
    photometricStored: stored || photometric,
    photometric,
    valueMapping: { slope, intercept, ...(unit ? { unit } : {}) },
    windows: color ? [] : windowsOf(image, imageId),
    ...(spacing ? { spacing } : {}),
    ...(typeof transferSyntax === 'string' ? { transferSyntaxUID: transferSyntax } : {}),
    lossy,
    metadata,
  };
  // an image tilesr already enhanced is refused by the engine (ALREADY_ENHANCED): OHIF's 'instance'
  // metadata is the whole naturalized instance, where its derivation and equipment are
  const enhancement = naturalEnhancement(moduleOf('instance', imageId));
  if (enhancement) info.enhancement = enhancement;
  return { info, frame: 0, window: { x: 0, y: 0, width, height }, width, height, samples, dtype, data };
}

/** Whether an image id is one the `tilesr:` loader serves itself (no bridge needed). */
export function isTilesrImageId(imageId: string): boolean {
  return imageId.startsWith(`${SCHEME}:`);
}

/**
 * The frame behind a host image id, bridged once from the image the host already decoded (its
 * cache, else `image` such as the viewport's current one). Undefined when the host has not loaded
 * it yet; throws HostImageError when it cannot be bridged.
 */
export function bridgeHostImage(imageId: string, image?: Types.IImage): StackImage | undefined {
  const known = getStackImage(imageId);
  if (known) return known;
  const host = (cache.getImage(imageId) as Types.IImage | undefined) ?? image;
  if (!host) return undefined;
  return registerHostRaster(imageId, rasterFromCs3dImage(host, imageId));
}

/** Loads a host image through Cornerstone3D's image loaders (the host's, cached) and bridges it. */
export async function loadHostImage(imageId: string): Promise<StackImage> {
  const known = getStackImage(imageId);
  if (known) return known;
  let image: Types.IImage;
  try {
    image = await imageLoader.loadAndCacheImage(imageId);
  } catch (e) {
    throw new HostImageError(
      'IMAGE_NOT_LOADED',
      `${imageId}: the host loader failed: ${(e as Error).message}`,
    );
  }
  const img = bridgeHostImage(imageId, image);
  if (!img) throw new HostImageError('IMAGE_NOT_LOADED', `${imageId}: not in the host's cache after loading`);
  return img;
}
