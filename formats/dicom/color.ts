/**
 * Color delivery: planar -> pixel-interleaved, YBR_FULL(_422) -> RGB with pydicom's formula
 * (so results equal the reference), PALETTE COLOR -> RGB through the file's LUTs as pydicom's
 * `apply_color_lut` does (indices below the first mapped value or past the table clip to its ends).
 */
import type { DataSet } from 'dicom-parser';
import { FormatError } from '../errors.ts';
import type { TypedPixels } from '../raster.ts';

/** RGBRGB... from RRR...GGG...BBB... */
export function interleave(planar: TypedPixels, samples: number): TypedPixels {
  const n = planar.length / samples;
  const out = planar.slice(); // same type
  for (let s = 0; s < samples; s++)
    for (let i = 0; i < n; i++) out[i * samples + s] = planar[s * n + i] as number;
  return out;
}

/** In place: YBR_FULL (8-bit) -> RGB, float32 arithmetic and round-half-up as pydicom. */
export function ybrFullToRgb(px: TypedPixels): void {
  const f = Math.fround;
  const crR = f(1.402);
  const cbG = f((-0.114 * 1.772) / 0.587);
  const crG = f((-0.299 * 1.402) / 0.587);
  const cbB = f(1.772);
  const clamp = (v: number) => (v < 0 ? 0 : v > 255 ? 255 : v);
  for (let i = 0; i + 2 < px.length; i += 3) {
    const y = px[i] as number;
    const cb = (px[i + 1] as number) - 128;
    const cr = (px[i + 2] as number) - 128;
    px[i] = clamp(Math.floor(f(f(y + f(cr * crR)) + 0.5)));
    px[i + 1] = clamp(Math.floor(f(f(f(y + f(cb * cbG)) + f(cr * crG)) + 0.5)));
    px[i + 2] = clamp(Math.floor(f(f(y + f(cb * cbB)) + 0.5)));
  }
}

const DESCRIPTORS = ['x00281101', 'x00281102', 'x00281103'];
const DATA = ['x00281201', 'x00281202', 'x00281203'];

/** A palette read once per file. */
export interface Palette {
  entries: number;
  firstMapped: number;
  /** 8 or 16: the size of each stored entry (from the data length, as pydicom decides). */
  depth: 8 | 16;
  luts: [Uint16Array, Uint16Array, Uint16Array];
}

/** Reads the Palette Color LUT module; UNSUPPORTED_PHOTOMETRIC for segmented or odd tables. */
export function readPalette(ds: DataSet): Palette {
  const d0 = ds.elements[DESCRIPTORS[0] as string];
  if (!d0 || !ds.elements[DATA[0] as string]) {
    const segmented = ds.elements['x00281221'] !== undefined;
    throw new FormatError(
      'UNSUPPORTED_PHOTOMETRIC',
      segmented ? 'segmented palette color LUTs are not supported' : 'PALETTE COLOR without lookup tables',
    );
  }
  const entries = ds.uint16(DESCRIPTORS[0] as string, 0) || 65536;
  const firstMapped =
    d0.vr === 'SS'
      ? (ds.int16(DESCRIPTORS[0] as string, 1) ?? 0)
      : (ds.uint16(DESCRIPTORS[0] as string, 1) ?? 0);
  const bytes = ds.byteArray as Uint8Array;
  const luts = DATA.map((tag) => {
    const el = ds.elements[tag];
    if (!el) throw new FormatError('MISSING_ATTRIBUTE', `palette LUT data ${tag.slice(1)} is missing`);
    const depth = (el.length / entries) * 8;
    if (depth !== 8 && depth !== 16)
      throw new FormatError(
        'UNSUPPORTED_PHOTOMETRIC',
        `palette LUT of ${el.length} bytes for ${entries} entries`,
      );
    const lut = new Uint16Array(entries);
    for (let i = 0; i < entries; i++)
      lut[i] = depth === 8 ? (bytes[el.dataOffset + i] as number) : (ds.uint16(tag, i) as number);
    return { depth, lut };
  });
  const depth = luts[0]?.depth as 8 | 16;
  if (luts.some((l) => l.depth !== depth))
    throw new FormatError('UNSUPPORTED_PHOTOMETRIC', 'palette LUTs differ in entry size');
  return { entries, firstMapped, depth, luts: luts.map((l) => l.lut) as Palette['luts'] };
}

/** Indices -> RGB samples (uint8 or uint16 as the LUT entries). */
export function applyPalette(indices: TypedPixels, p: Palette): Uint8Array | Uint16Array {
  const out = p.depth === 8 ? new Uint8Array(indices.length * 3) : new Uint16Array(indices.length * 3);
  const last = p.entries - 1;
  for (let i = 0; i < indices.length; i++) {
    const v = (indices[i] as number) - p.firstMapped;
    const k = v < 0 ? 0 : v > last ? last : v;
    out[3 * i] = p.luts[0][k] as number;
    out[3 * i + 1] = p.luts[1][k] as number;
    out[3 * i + 2] = p.luts[2][k] as number;
  }
  return out;
}
