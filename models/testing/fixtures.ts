/**
 * Node-only fixture helpers for the models tests: fixture pixels (pixels.ts, through formats/) and a
 * GDAL-backed band reader used as an oracle.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readPixels, type Pixels } from './pixels.ts';

/** Repository root (models/testing/ is two levels down). */
export const REPO_ROOT = new URL('../../', import.meta.url);

/** Pixels of frame 0 of a fixture (path relative to the repository root). */
export function fixturePixels(relPath: string): Promise<Pixels> {
  return readPixels(new URL(relPath, REPO_ROOT).pathname);
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
