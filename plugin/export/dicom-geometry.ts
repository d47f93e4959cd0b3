/**
 * Geometry of the derived instance: pixel spacing divided by the scale and Image Position (Patient)
 * moved to the centre of the new first pixel, wherever the source keeps them (top level, or the
 * shared / per-frame functional groups of enhanced multi-frame IODs).
 */
import type { NaturalDataset } from 'dcmjs';
import { formatDS } from './dicom-values.ts';

/** A dataset or sequence item, naturalized by dcmjs. */
export type Item = NaturalDataset;

/** Values of a DS/IS attribute as numbers (dcmjs gives a number or an array). */
export function nums(v: unknown): number[] {
  const a = Array.isArray(v) ? v : v === undefined || v === null || v === '' ? [] : [v];
  return a.map(Number).filter((x) => Number.isFinite(x));
}

/** The first item of a sequence attribute, if any. */
export function firstItem(ds: Item | undefined, key: string): Item | undefined {
  const v = ds?.[key];
  return Array.isArray(v) && v.length > 0 ? (v[0] as Item) : undefined;
}

/** What locates the enhanced region in the source's pixel grid. */
export interface RegionShift {
  /** LR pixel (column, row) of the region's top-left pixel. */
  x: number;
  y: number;
  scale: number;
}

function scaleSpacing(item: Item | undefined, key: string, scale: number): number[] | undefined {
  const v = nums(item?.[key]);
  if (!item || v.length !== 2) return undefined;
  item[key] = v.map((s) => formatDS(s / scale));
  return v;
}

/**
 * The new first pixel centre: LR column wx - 0.5 + 0.5/s along the row direction (step = column
 * spacing, PixelSpacing[1]) and LR row wy - 0.5 + 0.5/s along the column direction (PixelSpacing[0]).
 */
export function shiftedPosition(ipp: number[], iop: number[], spacing: number[], r: RegionShift): number[] {
  const cx = r.x - 0.5 + 0.5 / r.scale;
  const cy = r.y - 0.5 + 0.5 / r.scale;
  const [rowSp = 1, colSp = 1] = spacing;
  return [0, 1, 2].map(
    (k) => (ipp[k] as number) + (iop[k] as number) * colSp * cx + (iop[k + 3] as number) * rowSp * cy,
  );
}

function shiftPosition(pos: Item | undefined, iop: number[], spacing: number[] | undefined, r: RegionShift) {
  const ipp = nums(pos?.ImagePositionPatient);
  if (!pos || ipp.length !== 3 || iop.length !== 6 || !spacing) return false;
  pos.ImagePositionPatient = shiftedPosition(ipp, iop, spacing, r).map(formatDS);
  return true;
}

/**
 * Applies the new grid to `ds` (classic: top level; enhanced: shared and the kept per-frame item).
 * Returns notes for what could not be placed (no orientation or spacing in the source).
 */
export function applyGeometry(ds: Item, frameItem: Item | undefined, r: RegionShift): string[] {
  const notes: string[] = [];
  const shared = firstItem(ds, 'SharedFunctionalGroupsSequence');
  // spacing may sit at top level (classic IODs) or in a Pixel Measures functional group
  let spacing = scaleSpacing(ds, 'PixelSpacing', r.scale);
  scaleSpacing(ds, 'ImagerPixelSpacing', r.scale);
  scaleSpacing(ds, 'NominalScannedPixelSpacing', r.scale);
  for (const group of [shared, frameItem]) {
    const measures = firstItem(group, 'PixelMeasuresSequence');
    spacing = scaleSpacing(measures, 'PixelSpacing', r.scale) ?? spacing;
  }
  const iop = [
    nums(ds.ImageOrientationPatient),
    nums(firstItem(shared, 'PlaneOrientationSequence')?.ImageOrientationPatient),
    nums(firstItem(frameItem, 'PlaneOrientationSequence')?.ImageOrientationPatient),
  ].find((v) => v.length === 6);
  const moved =
    iop !== undefined &&
    (shiftPosition(ds, iop, spacing, r) ||
      shiftPosition(firstItem(frameItem, 'PlanePositionSequence'), iop, spacing, r) ||
      shiftPosition(firstItem(shared, 'PlanePositionSequence'), iop, spacing, r));
  if (!moved && (ds.ImagePositionPatient !== undefined || iop !== undefined))
    notes.push('Image Position (Patient) left unchanged: the source lacks orientation or pixel spacing');
  return notes;
}
