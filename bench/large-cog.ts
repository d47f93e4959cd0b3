/**
 * `npm run bench -- large-cog`: peak RSS of enhancing a large raster to a COG, streamed (the default
 * of `tilesr enhance --out .tif`) against the old in-memory path (`--in-memory`).
 *
 * The scene: an 8192x8192 3-band uint16 COG with 4 overview levels, made by GDAL from a real image
 * (fixtures/geotiff/u16_rgb_cog_deflate_ovr.tif upsampled with gdalwarp -r cubic, gdal_translate -of
 * COG), cached in the OS temp dir. Every run is a child process under `/usr/bin/time -v` (peak RSS =
 * its "Maximum resident set size"; without that binary, VmHWM polled from /proc/PID/status):
 *  (a) the CLI with the real satellite-x2 on one band, centred windows (LARGE_COG_REAL_SIZES,
 *      default 512,1024: the model runs at 0.1-0.3 output MP/s on a shared 2-core CPU), streamed
 *      and --in-memory;
 *  (b) the same two paths with a stand-in x2 model (bench/large-cog-child.ts: nearest neighbour,
 *      no weights, same pipeline, writer and files) on one band up to the whole scene
 *      (LARGE_COG_STANDIN_SIZES, default 2048,4096,8192): flat peak RSS over the sizes = memory
 *      bounded by blocks, not by the image;
 *  (c) the whole scene, all 3 bands, streamed with the stand-in (LARGE_COG_WHOLE_RGB=0 skips it).
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SIDE = 8192;
const FROM = 'fixtures/geotiff/u16_rgb_cog_deflate_ovr.tif';
const DIR = join(tmpdir(), 'tilesr-bench-large-cog');
const SCENE = join(DIR, `u16_rgb_${SIDE}_cog.tif`);
const TIME = '/usr/bin/time';

/** The 8192x8192x3 uint16 COG with 4 overviews (made once, then reused). */
export function scene(): string {
  if (existsSync(SCENE)) return SCENE;
  mkdirSync(DIR, { recursive: true });
  const big = join(DIR, 'upsampled.tif');
  const tiled = ['-co', 'TILED=YES', '-co', 'COMPRESS=DEFLATE', '-co', 'BIGTIFF=YES'];
  execFileSync('gdalwarp', [
    '-q',
    '-overwrite',
    '-ts',
    `${SIDE}`,
    `${SIDE}`,
    '-r',
    'cubic',
    ...tiled,
    FROM,
    big,
  ]);
  const cog = ['-co', 'COMPRESS=DEFLATE', '-co', 'PREDICTOR=YES', '-co', 'BLOCKSIZE=256'];
  execFileSync('gdal_translate', [
    '-q',
    '-of',
    'COG',
    ...cog,
    '-co',
    'OVERVIEW_COUNT=4',
    big,
    `${SCENE}.part`,
  ]);
  renameSync(`${SCENE}.part`, SCENE);
  rmSync(big);
  return SCENE;
}

interface Measured {
  rssMiB: number;
  wallS: number;
  /** User + system CPU seconds (only with /usr/bin/time): the work done, whatever the machine's load. */
  cpuS: number | undefined;
  stdout: string;
  how: string;
}

/** Runs `node args` as a child, returning its peak RSS and wall time. */
async function measure(args: string[]): Promise<Measured> {
  const useTime = existsSync(TIME);
  const [cmd, argv] = useTime ? [TIME, ['-v', process.execPath, ...args]] : [process.execPath, args];
  const t0 = performance.now();
  const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  let hwm = 0;
  // fallback: poll the kernel's high-water mark while the child runs
  const poll = useTime
    ? undefined
    : setInterval(() => {
        const m = /VmHWM:\s+(\d+) kB/.exec(readSafe(`/proc/${child.pid}/status`));
        if (m) hwm = Math.max(hwm, Number(m[1]));
      }, 100);
  const code = await new Promise<number | null>((r) => child.on('close', r));
  if (poll) clearInterval(poll);
  const wallS = (performance.now() - t0) / 1000;
  if (code !== 0) throw new Error(`${args.join(' ')} exited ${code}: ${err.slice(-2000)}`);
  const num = (re: RegExp) => Number(re.exec(err)?.[1]);
  const kb = useTime ? num(/Maximum resident set size \(kbytes\): (\d+)/) : hwm;
  const cpuS = useTime
    ? num(/User time \(seconds\): ([\d.]+)/) + num(/System time \(seconds\): ([\d.]+)/)
    : undefined;
  return {
    rssMiB: kb / 1024,
    wallS,
    cpuS,
    stdout: out,
    how: useTime ? '/usr/bin/time -v' : '/proc VmHWM (polled)',
  };
}

function readSafe(p: string): string {
  try {
    return readFileSync(p, 'utf8');
  } catch {
    return '';
  }
}

const mp = (px: number) => (px / 1e6).toFixed(1);

/** A centred square window of side `s` (the whole scene when s is its side). */
const windowArg = (s: number) => {
  const x = Math.floor((SIDE - s) / 2);
  return ['--window', `${x},${x},${s},${s}`];
};
const sizes = (name: string, fallback: string) => (process.env[name] ?? fallback).split(',').map(Number);

/** Runs the suite and returns a Markdown table. */
export async function benchLargeCog(): Promise<string> {
  const src = scene();
  const info = JSON.parse(execFileSync('gdalinfo', ['-json', src], { encoding: 'utf8' })) as {
    size: number[];
    bands: Array<{ type: string; overviews?: unknown[] }>;
  };
  const how = existsSync(TIME) ? '`/usr/bin/time -v`' : 'VmHWM polled from /proc (no /usr/bin/time)';
  const rows = [
    `Scene: ${info.size.join('x')} x ${info.bands.length} bands ${info.bands[0]?.type}, ` +
      `${info.bands[0]?.overviews?.length ?? 0} overviews, ${(statSync(src).size / 2 ** 20).toFixed(0)} MiB COG ` +
      `(from ${FROM}, gdalwarp -r cubic). Peak RSS by ${how}.`,
    '',
    '| path | model | region (LR px) | bands | output | output Msamples | peak RSS (MiB) | wall (s) | CPU (s) |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  const out = join(DIR, 'out.tif');
  const row = (path: string, model: string, s: number, bands: number, m: Measured) => {
    const region = s === SIDE ? `${s}x${s} (whole)` : `${s}x${s} window`;
    const cells = [path, model, region, bands, `${2 * s}x${2 * s} COG`, mp(4 * s * s * bands)];
    const cpu = m.cpuS === undefined ? '-' : m.cpuS.toFixed(1);
    rows.push(`| ${cells.join(' | ')} | ${m.rssMiB.toFixed(0)} | ${m.wallS.toFixed(1)} | ${cpu} |`);
    console.error(rows[rows.length - 1]);
    rmSync(out, { force: true });
  };
  const paths: Array<[string, string[]]> = [
    ['streamed', []],
    ['in-memory', ['--in-memory']],
  ];
  // (a) the CLI with the real model, one band; the order of the two paths alternates, so that a
  // load change on a shared machine does not always favour the same one
  for (const [i, s] of sizes('LARGE_COG_REAL_SIZES', '512,1024').entries())
    for (const [name, extra] of i % 2 ? [...paths].reverse() : paths) {
      const cli = ['bin/tilesr.mjs', 'enhance', src, '--model', 'satellite-x2', '--band', '0'];
      row(name, 'satellite-x2', s, 1, await measure([...cli, ...windowArg(s), '--out', out, ...extra]));
    }
  // (b) the same two paths with the stand-in model, up to the whole scene, one band
  const child = ['--import', 'tsx', 'bench/large-cog-child.ts', src, out];
  const standIn = 'stand-in x2 (nearest)';
  for (const s of sizes('LARGE_COG_STANDIN_SIZES', `2048,4096,${SIDE}`))
    for (const [name, extra] of paths)
      row(name, standIn, s, 1, await measure([...child, ...windowArg(s), '--band', '0', ...extra]));
  // (c) the whole scene, all bands, streamed (in memory it would hold ~3 GiB of float32 output alone)
  if (process.env.LARGE_COG_WHOLE_RGB !== '0') row('streamed', standIn, SIDE, 3, await measure(child));
  return rows.join('\n');
}
