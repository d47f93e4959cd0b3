/**
 * Real fixture pixels for the models' Node tests: uncompressed DICOM pixels (dicom16.ts) and a
 * GDAL-backed band reader used as an oracle.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDicomPixels16, type Pixels16 } from './dicom16.ts';

/** Repository root (models/testing/ is two levels down). */
export const REPO_ROOT = new URL('../../', import.meta.url);

/** Pixels of an uncompressed 16-bit DICOM fixture (path relative to the repository root). */
export function readDicomPixels16(relPath: string): Pixels16 {
  return parseDicomPixels16(new Uint8Array(readFileSync(new URL(relPath, REPO_ROOT))), relPath);
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
