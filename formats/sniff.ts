/** Tells DICOM from TIFF by their magic bytes. */

/** Which decoder family a file belongs to, or null when neither. */
export function sniffFormat(head: Uint8Array): 'dicom' | 'geotiff' | null {
  const b = (i: number) => head[i] ?? -1;
  // DICOM Part 10: 128-byte preamble then "DICM". Checked before TIFF because the preamble of a
  // dual-personality DICOM/TIFF file holds a TIFF header; such files are DICOM first.
  if (b(128) === 0x44 && b(129) === 0x49 && b(130) === 0x43 && b(131) === 0x4d) return 'dicom';
  // TIFF: "II*\0" / "MM\0*" (classic) or "II+\0" / "MM\0+" (BigTIFF)
  if (
    (b(0) === 0x49 && b(1) === 0x49 && (b(2) === 42 || b(2) === 43) && b(3) === 0) ||
    (b(0) === 0x4d && b(1) === 0x4d && b(2) === 0 && (b(3) === 42 || b(3) === 43))
  ) {
    return 'geotiff';
  }
  // Raw dataset without preamble: starts with a group 0x0008 (or 0x0002) element, little endian
  if ((b(0) === 0x08 || b(0) === 0x02) && b(1) === 0x00 && b(3) === 0x00) return 'dicom';
  return null;
}
