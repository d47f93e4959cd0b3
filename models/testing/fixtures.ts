/**
 * Real fixture pixels for the models tests, read without depending on formats/ decoders: a minimal
 * reader for uncompressed little-endian DICOM pixel data, and a GDAL-backed reader used as an oracle.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Repository root (models/testing/ is two levels down). */
export const REPO_ROOT = new URL('../../', import.meta.url);

/**
 * Pixels of a single-frame, 16-bit, uncompressed little-endian DICOM file (implicit or explicit VR):
 * finds Rows, Columns, PixelRepresentation and the Pixel Data element by tag. Enough for fixtures.
 */
export function readDicomPixels16(relPath: string): { width: number; height: number; data: Float64Array } {
  const buf = readFileSync(new URL(relPath, REPO_ROOT));
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const u16At = (tagGroup: number, tagElem: number): number => {
    for (let i = 132; i + 10 < buf.length; i += 2)
      if (dv.getUint16(i, true) === tagGroup && dv.getUint16(i + 2, true) === tagElem) {
        // the value starts 8 bytes after the tag in both encodings: implicit VR has a 4-byte
        // length, explicit VR 'US' a 2-byte VR plus a 2-byte length
        return dv.getUint16(i + 8, true);
      }
    throw new Error(`tag (${tagGroup.toString(16)},${tagElem.toString(16)}) not found in ${relPath}`);
  };
  const height = u16At(0x0028, 0x0010);
  const width = u16At(0x0028, 0x0011);
  const signed = u16At(0x0028, 0x0103) === 1;
  const nbytes = width * height * 2;
  // native pixel data is the file's last element in these fixtures: its value ends the file
  const start = buf.length - nbytes;
  if (dv.getUint16(start - 8, true) !== 0x7fe0 && dv.getUint16(start - 12, true) !== 0x7fe0)
    throw new Error(`${relPath}: Pixel Data is not the last element`);
  const data = new Float64Array(width * height);
  for (let i = 0; i < data.length; i++)
    data[i] = signed ? dv.getInt16(start + 2 * i, true) : dv.getUint16(start + 2 * i, true);
  return { width, height, data };
}

/** True when `cmd` runs here (oracle tests skip, saying why, when it does not). */
export function hasCommand(cmd: string, args: string[] = ['--version']): boolean {
  return spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;
}

/** One band of a GeoTIFF decoded by GDAL (gdal_translate to raw float64), the reference decoder. */
export function gdalBand(
  relPath: string,
  band: number,
): { width: number; height: number; data: Float64Array } {
  const dir = mkdtempSync(join(tmpdir(), 'tilesr-gdal-'));
  try {
    const out = join(dir, 'band.raw');
    const r = spawnSync(
      'gdal_translate',
      ['-q', '-of', 'ENVI', '-ot', 'Float64', '-b', String(band), new URL(relPath, REPO_ROOT).pathname, out],
      { encoding: 'utf8' },
    );
    if (r.status !== 0) throw new Error(`gdal_translate failed: ${r.stderr}`);
    const hdr = readFileSync(join(dir, 'band.hdr'), 'utf8');
    const width = Number(/samples\s*=\s*(\d+)/.exec(hdr)?.[1]);
    const height = Number(/lines\s*=\s*(\d+)/.exec(hdr)?.[1]);
    const raw = readFileSync(out);
    const data = new Float64Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
    if (data.length !== width * height) throw new Error('gdal_translate output size mismatch');
    return { width, height, data };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
