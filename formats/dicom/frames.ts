/**
 * Locates one frame's bytes: a slice of native pixel data, or the fragments of an encapsulated
 * frame found through the Basic Offset Table, the Extended Offset Table, one fragment per frame,
 * or (no table, several fragments per frame) the codestream start markers.
 */
import type { DataSet, Element, Fragment } from 'dicom-parser';
import { FormatError } from '../errors.ts';
import type { PixelLayout } from './header.ts';

/** Pixel Data, Float Pixel Data, Double Float Pixel Data: a dataset holds at most one. */
export const PIXEL_DATA_TAGS = ['x7fe00010', 'x7fe00008', 'x7fe00009'] as const;
const EXTENDED_OFFSET_TABLE = 'x7fe00001';

/** The pixel data element (integer, float or double), or NO_PIXEL_DATA. */
export function pixelDataElement(ds: DataSet): Element {
  for (const tag of PIXEL_DATA_TAGS) {
    const el = ds.elements[tag];
    if (el) return el;
  }
  throw new FormatError('NO_PIXEL_DATA', 'the dataset has no Pixel Data (7FE0,0010 / 0008 / 0009)');
}

/**
 * Samples one native frame stores: YBR_FULL_422 keeps two luma and one pair of chroma samples per
 * two pixels (PS3.3 C.7.6.3.1.2), everything else samples per pixel for every pixel.
 */
export function storedSamplesPerFrame(layout: PixelLayout): number {
  const pixels = layout.rows * layout.columns;
  return layout.photometric === 'YBR_FULL_422' && layout.samples === 3 ? pixels * 2 : pixels * layout.samples;
}

/** Bit offset of a 1-bit native frame inside its first byte (0 for every other frame layout). */
export function nativeBitOffset(layout: PixelLayout, frame: number): number {
  return layout.bitsAllocated === 1 ? (frame * storedSamplesPerFrame(layout)) % 8 : 0;
}

/** Bytes of one frame (a view into the file where possible). */
export function frameBytes(
  ds: DataSet,
  layout: PixelLayout,
  frame: number,
  encapsulated: boolean,
): Uint8Array {
  if (!Number.isInteger(frame) || frame < 0 || frame >= layout.frames)
    throw new FormatError('FRAME_OUT_OF_RANGE', `frame ${frame} is outside 0..${layout.frames - 1}`);
  const el = pixelDataElement(ds);
  const bytes = ds.byteArray as Uint8Array;
  if (!encapsulated) {
    if (el.encapsulatedPixelData)
      throw new FormatError('CORRUPT_DATA', 'encapsulated Pixel Data under a native Transfer Syntax');
    // bits, not bytes: 1-bit frames need not start on a byte boundary
    const frameBits = storedSamplesPerFrame(layout) * layout.bitsAllocated;
    const firstBit = frame * frameBits;
    const start = el.dataOffset + Math.floor(firstBit / 8);
    const end = el.dataOffset + Math.ceil((firstBit + frameBits) / 8);
    if (end - el.dataOffset > el.length || end > bytes.length)
      throw new FormatError(
        'TRUNCATED',
        `Pixel Data holds ${el.length} bytes, frame ${frame} needs bytes up to ${end - el.dataOffset}`,
      );
    return bytes.subarray(start, end);
  }
  const fragments = el.fragments;
  if (!el.encapsulatedPixelData || !fragments)
    throw new FormatError('CORRUPT_DATA', 'native Pixel Data under an encapsulated Transfer Syntax');
  if (fragments.length === 0)
    throw new FormatError('NO_PIXEL_DATA', 'encapsulated Pixel Data has no fragments');
  const group = fragmentsOfFrame(ds, el, fragments, layout.frames, frame);
  return concat(bytes, group);
}

function fragmentsOfFrame(
  ds: DataSet,
  el: Element,
  fragments: Fragment[],
  frames: number,
  frame: number,
): Fragment[] {
  const bot = el.basicOffsetTable ?? [];
  const eot = extendedOffsets(ds);
  const offsets = bot.length > 0 ? bot : eot;
  if (offsets.length > 0) {
    if (offsets.length !== frames)
      throw new FormatError(
        'CORRUPT_DATA',
        `offset table has ${offsets.length} entries for ${frames} frames`,
      );
    const start = offsets[frame] as number;
    const end = frame + 1 < frames ? (offsets[frame + 1] as number) : Infinity;
    const group = fragments.filter((f) => f.offset >= start && f.offset < end);
    if (group.length === 0 || group[0]?.offset !== start)
      throw new FormatError('CORRUPT_DATA', `no fragment starts at offset ${start} of frame ${frame}`);
    return group;
  }
  if (frames === 1) return fragments;
  if (fragments.length === frames) return [fragments[frame] as Fragment];
  // No table and several fragments per frame: each frame starts with a codestream start marker
  // (JPEG / JPEG-LS SOI FFD8, JPEG 2000 SOC FF4F).
  const bytes = ds.byteArray as Uint8Array;
  const starts = fragments.flatMap((f, i) => {
    const a = bytes[f.position];
    const b = bytes[f.position + 1];
    return a === 0xff && (b === 0xd8 || b === 0x4f) ? [i] : [];
  });
  if (starts.length !== frames || starts[0] !== 0)
    throw new FormatError(
      'CORRUPT_DATA',
      `${fragments.length} fragments, no offset table, and ${starts.length} codestream starts for ${frames} frames`,
    );
  return fragments.slice(starts[frame], starts[frame + 1] ?? fragments.length);
}

/** Extended Offset Table (7FE0,0001): 64-bit offsets, used when the BOT would overflow. */
function extendedOffsets(ds: DataSet): number[] {
  const el = ds.elements[EXTENDED_OFFSET_TABLE];
  if (!el || el.length === 0) return [];
  const bytes = ds.byteArray as Uint8Array;
  const dv = new DataView(bytes.buffer, bytes.byteOffset + el.dataOffset, el.length);
  return Array.from({ length: Math.floor(el.length / 8) }, (_, i) => Number(dv.getBigUint64(8 * i, true)));
}

function concat(bytes: Uint8Array, group: Fragment[]): Uint8Array {
  const first = group[0] as Fragment;
  if (group.length === 1) return bytes.subarray(first.position, first.position + first.length);
  const out = new Uint8Array(group.reduce((s, f) => s + f.length, 0));
  let o = 0;
  for (const f of group) {
    out.set(bytes.subarray(f.position, f.position + f.length), o);
    o += f.length;
  }
  return out;
}
