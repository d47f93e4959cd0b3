/**
 * Test helper: runs scripts/oracles/tiff_ref.py (GDAL) once per request and caches the .npy/.json
 * in a per-run temp dir. Node only; tests skip when /usr/bin/python3 with osgeo.gdal is missing.
 */
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { decodeNpy, type NdArray } from '../../npy.ts';

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

const COG_VALIDATOR =
  '/usr/lib/python3/dist-packages/osgeo_utils/samples/validate_cloud_optimized_geotiff.py';

/** Why GDAL's COG validator cannot run here, or false when it can (a node:test `skip` value). */
export const cogValidatorMissing: string | false =
  spawnSync(PY, ['-c', 'from osgeo import gdal'], { stdio: 'ignore' }).status === 0 &&
  statSync(COG_VALIDATOR, { throwIfNoEntry: false })
    ? false
    : 'python3-gdal (validate_cloud_optimized_geotiff) missing';

/** GDAL's full COG check (validate_cloud_optimized_geotiff) of `files`: the errors of each. */
export function validateCogs(files: string[]): string[][] {
  const py = `import sys, json\nsys.path.insert(0, '${COG_VALIDATOR.replace(/\/[^/]+$/, '')}')
from validate_cloud_optimized_geotiff import validate
print(json.dumps([validate(f, full_check=True)[1] for f in sys.argv[1:]]))`;
  return JSON.parse(execFileSync(PY, ['-c', py, ...files], { encoding: 'utf8' })) as string[][];
}
