// GeoTIFF export: every GeoTIFF fixture enhanced (small window, real onnxruntime-node) and written
// as a COG, then read back by GDAL (one Python batch: gdal.Info JSON = `gdalinfo -json`, GDAL's own
// validate_cloud_optimized_geotiff with the leader/trailer check, ReadAsArray of every level) and by
// our geotiff.js reader. Synthetic variants cover clamping, band descriptions/order, rotation,
// PixelIsPoint, forced BigTIFF and a 2048x2048x3 uint16 timing against gdal_translate -of COG.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openRaster, type ImageInfo } from '../../formats/index.ts';
import { decodeNpy, type NdArray } from '../../formats/npy.ts';
import { oracleMissing } from '../../formats/geotiff/testing/oracle.ts';
import { enhanceRaster, type EnhanceResult } from '../pipeline/enhance.ts';
import { cogTileSize, exportGeotiff, geotiffWriter, readGeotiffProvenance } from './geotiff.ts';
import { encodeGeoKeys } from './geotiff-keys.ts';
import { gdalMetadataXml, parseGdalMetadata } from './geotiff-metadata.ts';
import { floatingPointDifferencing, horizontalDifferencing } from './tiff-codec.ts';
import { needsBigTiff } from './tiff-writer.ts';
import type { ExportOutput } from './types.ts';

const DIR = 'fixtures/geotiff';
const FIXTURES = readdirSync(DIR)
  .filter((f) => f.endsWith('.tif'))
  .sort();
const VALIDATOR = '/usr/lib/python3/dist-packages/osgeo_utils/samples/validate_cloud_optimized_geotiff.py';
function toolsMissing(): string | null {
  if (!statSync(VALIDATOR, { throwIfNoEntry: false }))
    return `${VALIDATOR} missing (apt-get install python3-gdal)`;
  try {
    execFileSync('gdal_translate', ['--version'], { stdio: 'ignore' });
    return null;
  } catch {
    return 'gdal_translate/gdalinfo missing (apt-get install gdal-bin)';
  }
}
const skip = oracleMissing() ?? toolsMissing();
const tmp = mkdtempSync(join(tmpdir(), 'geotiff-export-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

// One Python process for every file: Info JSON of output (and source), COG validation, all levels.
const BATCH = `
import json, sys, numpy as np
from osgeo import gdal
sys.path.insert(0, '/usr/lib/python3/dist-packages/osgeo_utils/samples')
from validate_cloud_optimized_geotiff import validate
gdal.UseExceptions()
res = []
for j in json.load(open(sys.argv[1])):
    ds = gdal.Open(j['out'])
    w, e, _ = validate(ds, full_check=True)
    r = {'info': gdal.Info(ds, format='json'), 'warnings': w, 'errors': e, 'levels': []}
    if j.get('src'): r['src'] = gdal.Info(j['src'], format='json')
    b1 = ds.GetRasterBand(1)
    for lvl in range(-1, b1.GetOverviewCount()):
        bands = [ds.GetRasterBand(i + 1) if lvl < 0 else ds.GetRasterBand(i + 1).GetOverview(lvl) for i in range(ds.RasterCount)]
        a = np.stack([b.ReadAsArray() for b in bands], axis=-1)
        p = '%s.%d.npy' % (j['out'], lvl + 1)
        np.save(p, np.ascontiguousarray(a))
        r['levels'].append(p)
    res.append(r)
json.dump(res, open(sys.argv[2], 'w'))
`;

interface GdalBand {
  type: string;
  block: number[];
  noDataValue?: number | string;
  description?: string;
  colorInterpretation?: string;
  overviews?: Array<{ size: number[] }>;
}
interface GdalJson {
  size: number[];
  geoTransform: number[];
  coordinateSystem?: { wkt: string };
  metadata: Record<string, Record<string, string>>;
  bands: GdalBand[];
}
interface Checked {
  info: GdalJson;
  src?: GdalJson;
  warnings: string[];
  errors: string[];
  levels: NdArray[];
}
interface Job {
  name: string;
  out: string;
  src?: string;
  info: ImageInfo;
  result: EnhanceResult;
  output: ExportOutput;
}

const GDAL_TYPE: Record<string, string> = {
  uint8: 'Byte',
  uint16: 'UInt16',
  int16: 'Int16',
  float32: 'Float32',
  float64: 'Float64',
};

/** What the file must hold, computed here without the writer's code: round half away, clamp, NaN -> nodata. */
function expectedStored(r: EnhanceResult, info: ImageInfo): number[] {
  const ranges: Record<string, [number, number]> = {
    uint8: [0, 255],
    uint16: [0, 65535],
    int16: [-32768, 32767],
  };
  const range = ranges[info.dtype];
  const nd = info.valueMapping.nodata;
  return Array.from(r.data, (v) => {
    if (Number.isNaN(v)) return nd ?? (range ? 0 : NaN);
    if (!range) return info.dtype === 'float32' ? Math.fround(v) : v;
    const q = Math.sign(v) * Math.round(Math.abs(v));
    return Math.min(range[1], Math.max(range[0], q));
  });
}

/** 2x2 mean ignoring nodata/NaN (the overview rule), from GDAL's own reading of the level above. */
function halve(a: NdArray, nodata: number | undefined, isInt: boolean): number[] {
  const [h = 0, w = 0, c = 1] = a.shape;
  const out: number[] = [];
  for (let y = 0; y < Math.ceil(h / 2); y++)
    for (let x = 0; x < Math.ceil(w / 2); x++)
      for (let s = 0; s < c; s++) {
        const vals: number[] = [];
        for (const [yy, xx] of [
          [2 * y, 2 * x],
          [2 * y, 2 * x + 1],
          [2 * y + 1, 2 * x],
          [2 * y + 1, 2 * x + 1],
        ] as const)
          if (yy < h && xx < w) {
            const v = a.data[(yy * w + xx) * c + s] as number;
            if (!Number.isNaN(v) && v !== nodata) vals.push(v);
          }
        const m = vals.reduce((p, q) => p + q, 0) / vals.length;
        out.push(
          vals.length === 0
            ? (nodata ?? (isInt ? 0 : NaN))
            : isInt
              ? Math.sign(m) * Math.round(Math.abs(m))
              : m,
        );
      }
  return out;
}

function assertSame(got: ArrayLike<number>, want: ArrayLike<number>, what: string, f32 = false): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    const g = got[i] as number;
    const w = f32 ? Math.fround(want[i] as number) : (want[i] as number);
    if (!(g === w || (Number.isNaN(g) && Number.isNaN(w))))
      assert.fail(`${what}: sample ${i} is ${g}, expected ${w}`);
  }
}

const WINDOW = { x: 21, y: 17, width: 40, height: 40 };
const jobs: Job[] = [];
const checked = new Map<string, Checked>();
let u16: { info: ImageInfo; result: EnhanceResult } | undefined;

async function add(
  name: string,
  info: ImageInfo,
  result: EnhanceResult,
  src?: string,
  opts = {},
): Promise<Job> {
  const output = await exportGeotiff({ result, source: { info } }, opts);
  const out = join(tmp, `${name}.tif`);
  writeFileSync(out, output.bytes);
  const job = { name, out, info, result, output, ...(src ? { src } : {}) };
  jobs.push(job);
  return job;
}

describe('GeoTIFF export read back by GDAL and geotiff.js', { skip: skip ?? false }, () => {
  before(async () => {
    for (const file of FIXTURES) {
      const src = await openRaster(`${DIR}/${file}`);
      const raster = await src.read();
      // one fixture large enough (x2 > 256) to get an overview level from real pixels
      const window = file === 'u8_rgb_cog_jpeg.tif' ? { x: 20, y: 24, width: 144, height: 144 } : WINDOW;
      const result = await enhanceRaster(raster, { modelId: 'satellite-x2', window });
      await src.close();
      const job = await add(file.replace(/\.tif$/, ''), src.info, result, `${DIR}/${file}`);
      if (file === 'u16_rgb_deflate_tiled_planar.tif') u16 = { info: src.info, result };
      const c = (job.output.bytes.length / 1024).toFixed(1);
      console.log(
        `# ${file}: ${result.width}x${result.height}, ${c} KiB, notes: ${job.output.notes.join('; ') || '-'}`,
      );
    }
    assert.ok(u16);
    const { info, result } = u16;
    // clamping: overshoot below 0 and above 65535, and NaN without a nodata value
    const clampData = result.data.slice();
    clampData[0] = -3.4;
    clampData[4] = 65540.6;
    clampData[8] = NaN;
    await add('clamped', info, { ...result, data: clampData });
    // band order reversed + descriptions (as geotiff.js hands over GDAL's: escaped twice, see geotiff-metadata)
    const described: ImageInfo = {
      ...info,
      metadata: {
        ...info.metadata,
        gdalBandMetadata: [
          { DESCRIPTION: 'B4 &amp;amp; &amp;lt;red&amp;gt;' },
          { DESCRIPTION: 'B3' },
          { DESCRIPTION: 'B2' },
        ],
      },
    };
    const reversed = result.data.slice();
    for (let i = 0; i < reversed.length; i += 3)
      reversed.set([result.data[i + 2], result.data[i + 1], result.data[i]] as number[], i);
    await add('bands', described, {
      ...result,
      data: reversed,
      provenance: {
        ...result.provenance,
        modelVersion: `${result.provenance.modelVersion} & <"test">`,
        source: { ...result.provenance.source, bands: [2, 1, 0] },
      },
    });
    const gt = result.spacing?.kind === 'geotransform' ? result.spacing.geotransform : [0, 1, 0, 0, 0, -1];
    const [ox = 0, pw = 1, , oy = 0, , ph = -1] = gt;
    await add('rotated', info, {
      ...result,
      spacing: { kind: 'geotransform', geotransform: [ox, pw, 0.25, oy, -0.5, ph] },
    });
    const point = {
      ...info,
      metadata: {
        ...info.metadata,
        geoKeys: { ...(info.metadata.geoKeys as object), GTRasterTypeGeoKey: 2 },
      },
    };
    await add('point', point, result);
    await add('bigtiff', info, result, undefined, { bigTiff: true });

    const jobsFile = join(tmp, 'jobs.json');
    const resFile = join(tmp, 'res.json');
    writeFileSync(jobsFile, JSON.stringify(jobs.map((j) => ({ out: j.out, src: j.src }))));
    execFileSync('/usr/bin/python3', ['-c', BATCH, jobsFile, resFile], {
      env: { ...process.env, GDAL_PAM_ENABLED: 'NO' },
    });
    const res = JSON.parse(readFileSync(resFile, 'utf8')) as Array<
      Omit<Checked, 'levels'> & { levels: string[] }
    >;
    res.forEach((r, i) =>
      checked.set((jobs[i] as Job).name, {
        ...r,
        levels: r.levels.map((p) => decodeNpy(new Uint8Array(readFileSync(p)))),
      }),
    );
  });

  for (const file of FIXTURES) {
    const name = file.replace(/\.tif$/, '');
    it(`${file}: CRS, scaled geotransform, dtype, nodata, tiles, overviews, provenance, COG, pixels`, async () => {
      const job = jobs.find((j) => j.name === name) as Job;
      const c = checked.get(name) as Checked;
      const { info: out, src } = c;
      assert.ok(src);
      assert.deepEqual(c.errors, [], 'validate_cloud_optimized_geotiff errors');
      assert.equal(out.coordinateSystem?.wkt, src.coordinateSystem?.wkt, 'CRS');
      const w = job.result.provenance.source.window;
      const [ox = 0, pw = 0, rr = 0, oy = 0, cr = 0, ph = 0] = src.geoTransform;
      const want = [ox + w.x * pw + w.y * rr, pw / 2, rr / 2, oy + w.x * cr + w.y * ph, cr / 2, ph / 2];
      out.geoTransform.forEach((v, i) =>
        assert.ok(
          Math.abs(v - (want[i] as number)) <= 1e-9 * Math.max(1, Math.abs(want[i] as number)),
          `gt[${i}]`,
        ),
      );
      assert.deepEqual(out.size, [job.result.width, job.result.height]);
      assert.equal(out.bands.length, src.bands.length, 'band count');
      const sizes: number[][] = [];
      for (let [sw, sh] = out.size as [number, number]; sw > 256 || sh > 256;)
        sizes.push([(sw = Math.ceil(sw / 2)), (sh = Math.ceil(sh / 2))]);
      out.bands.forEach((b, i) => {
        const s = src.bands[i] as GdalBand;
        assert.equal(b.type, s.type, 'dtype');
        assert.equal(b.type, GDAL_TYPE[job.info.dtype]);
        assert.equal(b.noDataValue, s.noDataValue, 'nodata');
        assert.equal(b.colorInterpretation, s.colorInterpretation, 'colour interpretation');
        assert.deepEqual(b.block, [256, 256]);
        assert.deepEqual(
          (b.overviews ?? []).map((o) => o.size),
          sizes,
          'overviews',
        );
      });
      const md = out.metadata[''] ?? {};
      const prov = job.result.provenance;
      assert.equal(md.AI_ENHANCED, 'YES');
      assert.equal(md.TILESR_MODEL, 'satellite-x2');
      assert.equal(md.TILESR_SHA256, prov.sha256);
      assert.equal(md.TILESR_SCALE, '2');
      assert.equal(
        md.TIFFTAG_IMAGEDESCRIPTION,
        `AI-enhanced · satellite-x2 · x2 (tilesr ${prov.tilesrVersion})`,
      );
      assert.equal(md.TIFFTAG_SOFTWARE, `tilesr ${prov.tilesrVersion}`);
      // the source's own items (not its TIFF tags such as TIFFTAG_XRESOLUTION, which GDAL lists too)
      for (const [k, v] of Object.entries(src.metadata[''] ?? {}))
        if (!k.startsWith('TIFFTAG_')) assert.equal(md[k], v, `source item ${k} kept`);
      const fromGdal = JSON.parse(md.TILESR_PROVENANCE ?? '{}') as Record<string, unknown>;
      assert.deepEqual(fromGdal, await readGeotiffProvenance(job.output.bytes));
      assert.deepEqual(
        { ...fromGdal, export: undefined },
        { ...JSON.parse(JSON.stringify(prov)), export: undefined },
      );
      const conv = (fromGdal.export as { conversion: { clamped: number } }).conversion;
      assert.equal(md.TILESR_CLAMPED_SAMPLES, String(conv.clamped));
      // pixels: GDAL's full resolution equals the enhanced raster after the dtype's rounding
      const [full, ...ovr] = c.levels as [NdArray, ...NdArray[]];
      assertSame(
        full.data,
        expectedStored(job.result, job.info),
        `${file} pixels`,
        job.info.dtype === 'float32',
      );
      const nd = job.info.valueMapping.nodata;
      const isInt = !job.info.dtype.startsWith('float');
      ovr.forEach((o, i) =>
        assertSame(
          o.data,
          halve(i === 0 ? full : (ovr[i - 1] as NdArray), nd, isInt),
          `overview ${i}`,
          job.info.dtype === 'float32',
        ),
      );
      // our own reader (geotiff.js) reads the same pixels and georeferencing
      const back = await openRaster(job.out);
      const r = await back.read();
      await back.close();
      assertSame(r.data, full.data, `${file}: geotiff.js read-back`);
      assert.deepEqual(
        r.info.spacing?.kind === 'geotransform' && r.info.spacing.geotransform,
        out.geoTransform,
      );
      assert.equal(r.info.valueMapping.nodata, job.info.valueMapping.nodata);
    });
  }

  const get = (name: string) => ({
    job: jobs.find((j) => j.name === name) as Job,
    c: checked.get(name) as Checked,
  });

  it('clamps out-of-range integers, counts them in provenance, metadata and notes', async () => {
    const { job, c } = get('clamped');
    const prov = await readGeotiffProvenance(job.output.bytes);
    const conv = (prov.export as { conversion: Record<string, number> }).conversion;
    assert.equal(conv.clamped, 2);
    assert.equal(conv.below, 1);
    assert.equal(conv.above, 1);
    assert.ok(Math.abs((conv.maxExcursion as number) - (Math.fround(65540.6) - 65535)) < 1e-9);
    assert.equal(conv.nanWithoutNodata, 1);
    assert.equal(c.info.metadata['']?.TILESR_CLAMPED_SAMPLES, '2');
    assert.match(
      job.output.notes.join('\n'),
      /2 enhanced samples \(1 below, 1 above\).*uint16 range.*clamped.*5\.60/,
    );
    assert.match(job.output.notes.join('\n'), /1 no-data samples were written as 0/);
    const px = c.levels[0] as NdArray;
    assert.deepEqual([px.data[0], px.data[4], px.data[8]], [0, 65535, 0]);
    assertSame(px.data, expectedStored(job.result, job.info), 'clamped pixels');
  });

  it('keeps band order and descriptions (source band i -> its description), colour through COLORINTERP', async () => {
    const { job, c } = get('bands');
    assert.deepEqual(
      c.info.bands.map((b) => b.description),
      ['B2', 'B3', 'B4 & <red>'],
    );
    const fromGdal = JSON.parse(c.info.metadata['']?.TILESR_PROVENANCE ?? '{}') as Record<string, unknown>;
    assert.equal(fromGdal.modelVersion, job.result.provenance.modelVersion);
    assert.deepEqual(fromGdal.source, job.result.provenance.source);
    assert.equal((await readGeotiffProvenance(job.output.bytes)).modelVersion, fromGdal.modelVersion);
    assert.deepEqual(
      c.info.bands.map((b) => b.colorInterpretation),
      ['Blue', 'Green', 'Red'],
    );
    assertSame((c.levels[0] as NdArray).data, expectedStored(job.result, job.info), 'reordered pixels');
  });

  it('writes ModelTransformation for rotated grids and PixelIsPoint origins as GDAL reads them', () => {
    for (const name of ['rotated', 'point']) {
      const { job, c } = get(name);
      const gt = job.result.spacing?.kind === 'geotransform' ? job.result.spacing.geotransform : [];
      c.info.geoTransform.forEach((v, i) =>
        assert.ok(Math.abs(v - (gt[i] as number)) <= 1e-9 * Math.max(1, Math.abs(v)), `${name} gt[${i}]`),
      );
      assert.deepEqual(c.errors, []);
    }
    assert.equal(get('point').c.info.metadata['']?.AREA_OR_POINT, 'Point');
  });

  it('forced BigTIFF: valid COG, same pixels as the classic file, read by geotiff.js', async () => {
    const { job, c } = get('bigtiff');
    assert.deepEqual([...job.output.bytes.subarray(0, 4)], [0x49, 0x49, 43, 0]);
    assert.deepEqual(c.errors, []);
    assertSame((c.levels[0] as NdArray).data, expectedStored(job.result, job.info), 'bigtiff pixels');
    const back = await openRaster(job.out);
    assert.equal(back.info.metadata.bigTiff, true);
    assertSame((await back.read()).data, (c.levels[0] as NdArray).data, 'geotiff.js bigtiff');
    await back.close();
  });

  it('2048x2048x3 uint16: write time, size vs gdal_translate -of COG, overviews valid; abort mid-write', async () => {
    assert.ok(u16);
    const { info, result } = u16;
    const n = 2048;
    const data = new Float32Array(n * n * 3);
    let seed = 1;
    for (let y = 0; y < n; y++)
      for (let x = 0; x < n; x++)
        for (let s = 0; s < 3; s++) {
          seed = (seed * 1103515245 + 12345) >>> 0;
          const smooth =
            9000 + 3000 * Math.sin(x / 37 + s) * Math.cos(y / 53) + 1500 * Math.sin((x + y) / 11);
          data[(y * n + x) * 3 + s] = smooth + ((seed >>> 16) % 64) - 32;
        }
    const big = { ...result, data, width: n, height: n };
    const t0 = performance.now();
    const out = await geotiffWriter.write({ result: big, source: { info } });
    const ms = performance.now() - t0;
    const file = join(tmp, 'big.tif');
    writeFileSync(file, out.bytes);
    const ref = join(tmp, 'big_gdal.tif');
    const g0 = performance.now();
    execFileSync('gdal_translate', [
      '-q',
      '-of',
      'COG',
      '-co',
      'COMPRESS=DEFLATE',
      '-co',
      'PREDICTOR=YES',
      '-co',
      'BLOCKSIZE=256',
      file,
      ref,
    ]);
    const gms = performance.now() - g0;
    const mib = (b: number) => (b / 2 ** 20).toFixed(2);
    console.log(
      `# 2048x2048x3 uint16: tilesr ${mib(out.bytes.length)} MiB in ${ms.toFixed(0)} ms; gdal_translate -of COG (DEFLATE, PREDICTOR=YES, 256) ${mib(statSync(ref).size)} MiB in ${gms.toFixed(0)} ms`,
    );
    const v = execFileSync('/usr/bin/python3', [VALIDATOR, '--full-check=yes', file], { encoding: 'utf8' });
    assert.match(v, /is a valid cloud optimized GeoTIFF/);
    const info2 = JSON.parse(
      execFileSync('gdalinfo', ['-json', file], { encoding: 'utf8', maxBuffer: 1 << 26 }),
    ) as GdalJson;
    assert.deepEqual(
      info2.bands[0]?.overviews?.map((o) => o.size),
      [
        [1024, 1024],
        [512, 512],
        [256, 256],
      ],
    );
    const ac = new AbortController();
    const pending = geotiffWriter.write({ result: big, source: { info }, signal: ac.signal });
    setTimeout(() => ac.abort(), 0);
    await assert.rejects(pending, { name: 'ExportError', code: 'ABORTED' });
  });
});

describe('GeoTIFF export: bad input and building blocks', () => {
  it('DICOM source -> UNSUPPORTED_EXPORT before any work; aborted signal -> ABORTED', async () => {
    const dcm = await openRaster('fixtures/dicom/ct128_signed16_explicit_le.dcm');
    const info = dcm.info;
    await dcm.close();
    assert.throws(() => geotiffWriter.check(info), { name: 'ExportError', code: 'UNSUPPORTED_EXPORT' });
    const result = {
      data: new Float32Array(4),
      width: 2,
      height: 2,
      samples: 1,
      scale: 2,
      spacing: undefined,
      provenance: {} as EnhanceResult['provenance'],
    };
    await assert.rejects(geotiffWriter.write({ result, source: { info } }), { code: 'UNSUPPORTED_EXPORT' });
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(geotiffWriter.write({ result, source: { info }, signal: ac.signal }), {
      code: 'ABORTED',
    });
  });

  it('predictors: 2 differences samples per band; 3 splits bytes MSB-first then differences', () => {
    const a = new Uint16Array([10, 20, 13, 25, 7, 0]);
    horizontalDifferencing(a, 3, 1, 2);
    assert.deepEqual([...a], [10, 20, 3, 5, 65530, 65511]);
    // 1 = 3f800000, 2 = 40000000: planes [3f 40 80 00 00 00 00 00], then each byte minus the previous
    const f = new Float32Array([1, 2]); // 0x3f800000, 0x40000000
    assert.deepEqual([...floatingPointDifferencing(f, 2, 1, 1)], [0x3f, 0x01, 0x40, 0x80, 0, 0, 0, 0]);
  });

  it('BigTIFF is chosen when a classic file would pass 4 GiB', () => {
    const images = [{ fields: [], tileCount: 2 }];
    assert.equal(needsBigTiff(images, [[2 ** 31, 2 ** 31 - 4096]]), false);
    assert.equal(needsBigTiff(images, [[2 ** 31, 2 ** 31]]), true);
  });

  it('tiles: 256 px, 512 above 16384 px a side', () => {
    assert.equal(cogTileSize(16384, 300), 256);
    assert.equal(cogTileSize(200, 16385), 512);
  });

  it('GeoKeys: doubles with integer values stay doubles, ASCII keys end with "|"', () => {
    const { fields, skipped } = encodeGeoKeys({
      GTModelTypeGeoKey: 1,
      ProjFalseEastingGeoKey: 500000,
      GTCitationGeoKey: 'x',
      GeogTOWGS84GeoKey: new Float64Array([1, 2, 3]),
      undefined: 5,
    });
    assert.deepEqual(skipped, ['undefined']);
    assert.deepEqual(
      fields.map((f) => f.value),
      [
        [1, 1, 0, 4, 1024, 0, 1, 1, 1026, 34737, 2, 0, 2062, 34736, 3, 0, 3082, 34736, 1, 3],
        [1, 2, 3, 500000],
        'x|',
      ],
    );
  });

  it('GDAL_METADATA XML escapes and parses back', () => {
    const xml = gdalMetadataXml([
      { name: 'A', value: '{"q":"<&>"}' },
      { name: 'DESCRIPTION', value: 'r', sample: 0 },
    ]);
    assert.match(xml, /<Item name="DESCRIPTION" sample="0" role="description">r<\/Item>/);
    // GDAL's double escaping (what GDAL itself writes for the value a & <b>)
    assert.match(
      gdalMetadataXml([{ name: 'X', value: 'a & <b>' }]),
      /">a &amp;amp; &amp;lt;b&amp;gt;<\/Item>/,
    );
    assert.deepEqual(parseGdalMetadata(xml), [
      { name: 'A', value: '{"q":"<&>"}' },
      { name: 'DESCRIPTION', value: 'r', sample: 0, role: 'description' },
    ]);
  });
});
