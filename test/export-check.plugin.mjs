// A @web/test-runner plugin judging a file a browser export produced with the same oracles the Node
// export tests use, so "the viewer's download is a valid file" is checked by reference tools:
// verifyBytes (plugin/export/verify.ts), dciodvfy (errors beyond the source's), pydicom + GDCM pixels
// against the enhanced values, `gdalinfo -json` of the GeoTIFF and of its source, and c2pa-rs
// (@contentauth/c2pa-wasm) for pictures.
// Browser side: executeServerCommand('export-check', { bytes: base64, source: repo path,
//   expected?: base64 of float32 LE values (DICOM: pixels in real units, row-major) })
//   -> { verify, dicom?, geotiff?, c2pa? } (see check* below; a missing tool gives { skipped }).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { register } from 'tsx/esm/api';

const PYTHON = '/usr/bin/python3';
let modules;

async function load() {
  if (!modules) {
    register();
    const c2pa = await import('@contentauth/c2pa-wasm');
    c2pa.initSync({ module: readFileSync('node_modules/@contentauth/c2pa-wasm/pkg/c2pa_bg.wasm') });
    modules = { verify: await import(resolve('plugin/export/verify.ts')), c2pa };
  }
  return modules;
}

/** dciodvfy's Error lines (it writes to stderr). */
function dciodvfyErrors(file) {
  const r = spawnSync('/usr/bin/dciodvfy', [file], { encoding: 'utf8' });
  return `${r.stdout}\n${r.stderr}`
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('Error'));
}

const PYDICOM = `
import json, sys, numpy as np, pydicom, gdcm
ds = pydicom.dcmread(sys.argv[1])
slope = float(ds.get('RescaleSlope', 1)); inter = float(ds.get('RescaleIntercept', 0))
real = ds.pixel_array.astype(np.float64) * slope + inter
out = {'rows': int(ds.Rows), 'cols': int(ds.Columns), 'slope': slope, 'imageType': list(ds.ImageType),
  'derivation': str(ds.get('DerivationDescription', '')), 'burned': str(ds.get('BurnedInAnnotation', '')),
  'spacing': [float(v) for v in ds.PixelSpacing] if 'PixelSpacing' in ds else None}
r = gdcm.ImageReader(); r.SetFileName(sys.argv[1]); out['gdcm'] = bool(r.Read())
if len(sys.argv) > 2:
    exp = np.fromfile(sys.argv[2], dtype='<f4').astype(np.float64).reshape(real.shape)
    out['maxDiff'] = float(np.nanmax(np.abs(real - exp)))
print(json.dumps(out))
`;

function checkDicom(dir, file, source, expected) {
  if (!existsSync('/usr/bin/dciodvfy')) return { skipped: 'dciodvfy missing' };
  const src = dciodvfyErrors(resolve(source));
  const derived = dciodvfyErrors(file);
  const out = {
    dciodvfy: { source: src.length, derived: derived.length, new: derived.filter((l) => !src.includes(l)) },
  };
  const args = ['-c', PYDICOM, file];
  if (expected) {
    writeFileSync(join(dir, 'expected.f32'), Buffer.from(expected, 'base64'));
    args.push(join(dir, 'expected.f32'));
  }
  const r = spawnSync(PYTHON, args, { encoding: 'utf8' });
  out.pydicom =
    r.status === 0 ? JSON.parse(r.stdout.trim().split('\n').pop()) : { error: r.stderr.slice(-2000) };
  return out;
}

/** The parts of `gdalinfo -json` an export must keep or scale. */
function gdal(file) {
  const r = spawnSync('gdalinfo', ['-json', file], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) return { error: r.stderr.slice(-2000) };
  const j = JSON.parse(r.stdout);
  return {
    size: j.size,
    geoTransform: j.geoTransform,
    wkt: j.coordinateSystem?.wkt,
    bands: (j.bands ?? []).map((b) => ({
      type: b.type,
      noData: b.noDataValue,
      overviews: (b.overviews ?? []).length,
    })),
    tilesr: j.metadata?.['']?.TILESR_PROVENANCE !== undefined,
  };
}

function checkGeotiff(file, source) {
  if (spawnSync('gdalinfo', ['--version']).status !== 0) return { skipped: 'gdalinfo missing' };
  return { derived: gdal(file), source: gdal(resolve(source)) };
}

async function checkC2pa(c2pa, bytes, mediaType) {
  const reader = await c2pa.WasmReader.fromBytes(mediaType, bytes);
  try {
    const json = JSON.parse(reader.json());
    const manifest = json.manifests[json.active_manifest];
    const actions = manifest?.assertions.find((a) => a.label === 'c2pa.actions.v2')?.data.actions ?? [];
    return {
      state: json.validation_state,
      failures: (json.validation_status ?? []).map((s) => s.code).sort(),
      actions: actions.map((a) => a.action),
      digitalSourceType: actions[1]?.digitalSourceType,
      tilesrAssertion: manifest?.assertions.some((a) => a.label === 'org.tilesr.enhancement') ?? false,
      ingredients: (manifest?.ingredients ?? []).map((i) => ({
        title: i.title,
        format: i.format,
        relationship: i.relationship,
      })),
    };
  } finally {
    reader.free();
  }
}

/** The plugin object for web-test-runner.config.mjs. */
export function exportCheckPlugin() {
  return {
    name: 'export-check',
    async executeCommand({ command, payload }) {
      if (command !== 'export-check') return undefined;
      const { verify, c2pa } = await load();
      const bytes = new Uint8Array(Buffer.from(payload.bytes, 'base64'));
      const report = await verify.verifyBytes(bytes);
      const dir = mkdtempSync(join(tmpdir(), 'tilesr-export-check-'));
      try {
        const ext = { dicom: 'dcm', geotiff: 'tif', png: 'png', jpeg: 'jpg' }[report.format] ?? 'bin';
        const file = join(dir, `export.${ext}`);
        writeFileSync(file, bytes);
        const out = { size: bytes.length, verify: JSON.parse(JSON.stringify(report)) };
        if (report.format === 'dicom') out.dicom = checkDicom(dir, file, payload.source, payload.expected);
        if (report.format === 'geotiff') out.geotiff = checkGeotiff(file, payload.source);
        if (report.format === 'png' || report.format === 'jpeg')
          out.c2pa = await checkC2pa(c2pa, bytes, report.format === 'png' ? 'image/png' : 'image/jpeg');
        return out;
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
