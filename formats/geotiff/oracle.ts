/**
 * Test helper: runs scripts/oracles/tiff_ref.py (GDAL) once per request and caches the .npy/.json
 * in a per-run temp dir. Node only; tests skip when /usr/bin/python3 with osgeo.gdal is missing.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { decodeNpy, type NdArray } from '../npy.ts';

const run = promisify(execFile);
const PY = '/usr/bin/python3';
const SCRIPT = 'scripts/oracles/tiff_ref.py';

/** Why the oracle cannot run here, or null when it can. */
export function oracleMissing(): string | null {
  try {
    execFileSync(PY, ['-c', 'from osgeo import gdal; import numpy'], { stdio: 'ignore' });
    return null;
  } catch {
    return `${PY} with osgeo.gdal and numpy is not installed (apt-get install python3-gdal python3-numpy)`;
  }
}

/** Header facts as GDAL reports them. */
export interface GdalInfo {
  width: number;
  height: number;
  bands: number;
  dtype: string;
  geotransform: number[];
  epsg: number | null;
  nodata: number | null;
  scale: number | null;
  offset: number | null;
  overviews: Array<[number, number]>;
  compression: string | null;
}

const dir = mkdtempSync(join(tmpdir(), 'tiff-ref-'));
let n = 0;

/** GDAL's pixels (and header facts) for a file, a window and/or an overview level. */
export async function gdalRead(
  file: string,
  opts: { window?: [number, number, number, number]; overview?: number } = {},
): Promise<{ array: NdArray; info: GdalInfo }> {
  const out = join(dir, `${n++}.npy`);
  const info = `${out}.json`;
  const args = [SCRIPT, file, out, '--info', info];
  if (opts.window) args.push('--window', opts.window.join(','));
  if (opts.overview !== undefined) args.push('--overview', String(opts.overview));
  await run(PY, args, { env: { ...process.env, GDAL_PAM_ENABLED: 'NO' } });
  return {
    array: decodeNpy(new Uint8Array(readFileSync(out))),
    info: JSON.parse(readFileSync(info, 'utf8')) as GdalInfo,
  };
}
