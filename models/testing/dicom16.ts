/**
 * Pixels of a single-frame, 16-bit, uncompressed little-endian DICOM file (implicit or explicit VR),
 * found by tag: enough to feed real fixture pixels to the models tests in Node and browsers without
 * depending on formats/ decoders. Not a DICOM parser.
 */

/** Width, height and pixel values (modality rescale not applied). */
export interface Pixels16 {
  width: number;
  height: number;
  data: Float64Array;
}

/** Parses `buf` (a whole Part 10 file); `name` is for messages. */
export function parseDicomPixels16(buf: Uint8Array, name: string): Pixels16 {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const u16At = (group: number, elem: number): number => {
    for (let i = 132; i + 10 < buf.length; i += 2)
      if (dv.getUint16(i, true) === group && dv.getUint16(i + 2, true) === elem)
        // the value starts 8 bytes after the tag in both encodings: implicit VR has a 4-byte
        // length, explicit VR 'US' a 2-byte VR plus a 2-byte length
        return dv.getUint16(i + 8, true);
    throw new Error(`tag (${group.toString(16)},${elem.toString(16)}) not found in ${name}`);
  };
  const height = u16At(0x0028, 0x0010);
  const width = u16At(0x0028, 0x0011);
  const signed = u16At(0x0028, 0x0103) === 1;
  const start = buf.length - width * height * 2;
  // native pixel data is the last element in these fixtures: its value ends the file
  if (dv.getUint16(start - 8, true) !== 0x7fe0 && dv.getUint16(start - 12, true) !== 0x7fe0)
    throw new Error(`${name}: Pixel Data is not the last element`);
  const data = new Float64Array(width * height);
  for (let i = 0; i < data.length; i++)
    data[i] = signed ? dv.getInt16(start + 2 * i, true) : dv.getUint16(start + 2 * i, true);
  return { width, height, data };
}

/** A w x h crop of a row-major image, as float32 (for normalized tiles) or float64. */
export function cropRows(
  src: ArrayLike<number>,
  stride: number,
  x0: number,
  y0: number,
  w: number,
  h: number,
): Float64Array {
  const out = new Float64Array(w * h);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) out[y * w + x] = src[(y0 + y) * stride + x0 + x] as number;
  return out;
}
