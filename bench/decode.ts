/**
 * Decode throughput per transfer syntax / compression, beside dcmtk's dcm2pnm and GDAL's
 * gdal_translate on the same files in the same run. Two views:
 * - in-process: tilesr decoding a file already in memory (what a viewer pays per image), MP/s;
 * - whole process: `tilesr decode` vs `dcm2pnm` / `gdal_translate` as commands (start-up included on
 *   both sides), which is the only like-for-like comparison with the reference CLIs.
 */
import { existsSync, readdirSync, readFileSync, mkdtempSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { openRaster } from '../formats/index.ts';
import { fmt, timeAsync, timeProcess } from './timing.ts';

interface Row {
  file: string;
  codec: string;
  megapixels: number;
  inProcessMps: number;
  tilesrProcMs: number | null;
  refProcMs: number | null;
  refTool: string;
}

/**
 * The reference decoder for a file: Debian's dcm2pnm has no JPEG/JPEG-LS support built in, so those
 * syntaxes use dcmtk's decompressors (dcmdjpeg, dcmdjpls) writing uncompressed DICOM; JPEG 2000 and
 * HTJ2K have no dcmtk decoder (n/a). GeoTIFF: gdal_translate to raw ENVI.
 */
function referenceCommand(kind: 'dicom' | 'geotiff', ts: string | undefined, path: string, out: string) {
  if (kind === 'geotiff')
    return {
      tool: 'gdal_translate',
      ms: timeProcess('gdal_translate', ['-q', '-of', 'ENVI', path, `${out}.raw`]),
    };
  if (ts && /^1\.2\.840\.10008\.1\.2\.4\.(50|51|57|70)$/.test(ts))
    return { tool: 'dcmdjpeg', ms: timeProcess('dcmdjpeg', [path, `${out}.dcm`]) };
  if (ts && /^1\.2\.840\.10008\.1\.2\.4\.8[01]$/.test(ts))
    return { tool: 'dcmdjpls', ms: timeProcess('dcmdjpls', [path, `${out}.dcm`]) };
  return { tool: 'dcm2pnm', ms: timeProcess('dcm2pnm', ['+Fa', path, `${out}.pnm`]) };
}

/** Larger real files from ../shared/data/train, when present (the fixtures are small). */
const SHARED_EXTRAS = [
  ['dicom', 'medical/ct_phantom_philips/S21570_S2010_I190.dcm'],
  ['geotiff', 'satellite/landsat8_rio_pansharpen/LC81070352015122LGN00/LC81070352015122LGN00_B2.tif'],
  ['geotiff', 'satellite/misc/mosaic_cog1.tif'],
  ['geotiff', 'satellite/misc/dom1_32_356_5699_1_nw_2020.tif'],
] as const;

function benchFiles(): { kind: 'dicom' | 'geotiff'; path: string }[] {
  const files: { kind: 'dicom' | 'geotiff'; path: string }[] = [];
  for (const kind of ['dicom', 'geotiff'] as const) {
    const dir = join('fixtures', kind);
    for (const name of readdirSync(dir)
      .filter((f) => /\.(dcm|tif)$/.test(f))
      .sort())
      files.push({ kind, path: join(dir, name) });
  }
  const shared = fileURLToPath(new URL('../../shared/data/train/', import.meta.url));
  for (const [kind, rel] of SHARED_EXTRAS)
    if (existsSync(join(shared, rel))) files.push({ kind, path: join(shared, rel) });
  return files;
}

/** Runs the decode benchmark over the committed fixtures (and larger shared files) and returns Markdown. */
export async function benchDecode(): Promise<string> {
  const tmp = mkdtempSync(join(tmpdir(), 'tilesr-bench-'));
  const rows: Row[] = [];
  for (const { kind, path } of benchFiles()) {
    const name = basename(path);
    const bytes = new Uint8Array(readFileSync(path));
    const probe = await openRaster(bytes);
    const info = probe.info;
    await probe.close();
    // all frames: a multi-frame file's cost is all of its frames
    const megapixels = (info.width * info.height * info.frames) / 1e6;
    const ms = await timeAsync(async () => {
      const src = await openRaster(bytes);
      for (let f = 0; f < info.frames; f++) await src.read({ frame: f });
      await src.close();
    });
    const out = join(tmp, 'out');
    const tilesrProcMs = timeProcess(process.execPath, [
      'bin/tilesr.mjs',
      'decode',
      path,
      '--out',
      `${out}.npy`,
    ]);
    const ref = referenceCommand(kind, info.transferSyntaxUID, path, out);
    rows.push({
      file: name,
      codec: info.transferSyntaxUID ?? info.compression ?? '?',
      megapixels,
      inProcessMps: megapixels / (ms / 1000),
      tilesrProcMs,
      refProcMs: ref.ms,
      refTool: ref.tool,
    });
    process.stderr.write('.');
  }
  process.stderr.write('\n');
  const lines = [
    '| file | transfer syntax / compression | MP | tilesr in-process MP/s | `tilesr decode` ms | reference | reference ms | tilesr/reference |',
    '|---|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.file} | ${r.codec} | ${fmt(r.megapixels, 3)} | ${fmt(r.inProcessMps)} | ${fmt(r.tilesrProcMs, 0)} | ${r.refTool} | ${fmt(r.refProcMs, 0)} | ${r.tilesrProcMs !== null && r.refProcMs !== null ? fmt(r.tilesrProcMs / r.refProcMs, 2) : 'n/a'} |`,
    ),
  ];
  return lines.join('\n');
}
