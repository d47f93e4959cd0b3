/**
 * Decode throughput per transfer syntax / compression, beside dcmtk's dcm2pnm and GDAL's
 * gdal_translate on the same files in the same run. Two views:
 * - in-process: tilesr decoding a file already in memory (what a viewer pays per image), MP/s;
 * - whole process: `tilesr decode` vs `dcm2pnm` / `gdal_translate` as commands (start-up included on
 *   both sides), which is the only like-for-like comparison with the reference CLIs.
 */
import { readdirSync, readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

/** Runs the decode benchmark over the committed fixtures and returns Markdown. */
export async function benchDecode(): Promise<string> {
  const tmp = mkdtempSync(join(tmpdir(), 'tilesr-bench-'));
  const rows: Row[] = [];
  for (const kind of ['dicom', 'geotiff'] as const) {
    const dir = join('fixtures', kind);
    for (const name of readdirSync(dir)
      .filter((f) => /\.(dcm|tif)$/.test(f))
      .sort()) {
      const path = join(dir, name);
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
      const ref =
        kind === 'dicom'
          ? { tool: 'dcm2pnm', ms: timeProcess('dcm2pnm', ['+Fa', path, `${out}.pnm`]) }
          : {
              tool: 'gdal_translate',
              ms: timeProcess('gdal_translate', ['-q', '-of', 'ENVI', path, `${out}.raw`]),
            };
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
