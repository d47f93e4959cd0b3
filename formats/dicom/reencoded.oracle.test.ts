/**
 * DCMTK and GDCM as encoders, DCMTK as second decoder. Part 1: DCMTK (dcmcjpeg, dcmcjpls, dcmcrle)
 * and GDCM (JPEG 2000, scripts/oracles/gdcm_encode.py) encode native fixtures in the variants no
 * committed file has (JPEG lossless predictors 2-7, 8/16-bit and signed
 * lossless JPEG, 12-bit extended, color baseline in YCbCr and RGB, JPEG-LS interleave modes and
 * near-lossless, RLE color, J2K color/signed/multi-frame lossless and lossy, several fragments per
 * frame with and without an offset table); we must
 * equal pydicom+GDCM on the result, and lossless results must equal the source pixels (near-lossless
 * within NEAR). Part 2: DCMTK decompresses the compressed fixtures; we must equal it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openRaster } from '../index.ts';
import type { TypedPixels } from '../raster.ts';
import { oracleMissing, PYTHON, reference, type Reference } from './testing/oracle.ts';

const TOOLS = ['dcmcjpeg', 'dcmcjpls', 'dcmcrle', 'dcmdjpeg', 'dcmdjpls', 'dcmdrle'];
const missingTool = TOOLS.find((t) => spawnSync(t, ['--version']).error !== undefined);
const skip =
  oracleMissing() ?? (missingTool ? `DCMTK's ${missingTool} not found (apt-get install dcmtk)` : undefined);

const F = (n: string) => join('fixtures', 'dicom', n);
const MR12 = F('mr384_12bit_explicit_le.dcm');
const MR10F = F('mr64_10frame_12bit_explicit_le.dcm');
const CT16S = F('ct128_signed16_explicit_le.dcm');
const OT8 = F('ot512_8bit_deflated.dcm');
const RGB8 = 'RGB8'; // made in before(): the color JPEG fixture decompressed by dcmdjpeg

interface Case {
  name: string;
  src: string;
  tool: string;
  args: string[];
  ts: string;
  /** Max |ours - source| (0: lossless); undefined for lossy without a bound. */
  vsSource?: number;
  /** Max |ours - GDCM| on the same file. */
  vsGdcm: number;
}

const JPEG_LOSSLESS = '1.2.840.10008.1.2.4.57';
const J2K_LOSSLESS = '1.2.840.10008.1.2.4.90';
const J2K = '1.2.840.10008.1.2.4.91';
const gdcm = (mode: string) => ({ tool: PYTHON, args: [join('scripts', 'oracles', 'gdcm_encode.py'), mode] });
const CASES: Case[] = [
  ...[2, 3, 4, 5, 6, 7].map((sv) => ({
    name: `JPEG lossless predictor ${sv}, 12-bit`,
    src: MR12,
    tool: 'dcmcjpeg',
    args: ['+el', '+sv', String(sv)],
    ts: JPEG_LOSSLESS,
    vsSource: 0,
    vsGdcm: 0,
  })),
  {
    name: 'JPEG lossless, signed 16-bit',
    src: CT16S,
    tool: 'dcmcjpeg',
    args: ['+el'],
    ts: JPEG_LOSSLESS,
    vsSource: 0,
    vsGdcm: 0,
  },
  {
    name: 'JPEG lossless, 8-bit',
    src: OT8,
    tool: 'dcmcjpeg',
    args: ['+el'],
    ts: JPEG_LOSSLESS,
    vsSource: 0,
    vsGdcm: 0,
  },
  {
    name: 'JPEG lossless, RGB',
    src: RGB8,
    tool: 'dcmcjpeg',
    args: ['+el'],
    ts: JPEG_LOSSLESS,
    vsSource: 0,
    vsGdcm: 0,
  },
  {
    name: 'JPEG lossless SV1, 10 frames, 1 KB fragments, empty BOT',
    src: MR10F,
    tool: 'dcmcjpeg',
    args: ['+e1', '+fs', '1', '-ot'],
    ts: '1.2.840.10008.1.2.4.70',
    vsSource: 0,
    vsGdcm: 0,
  },
  {
    name: 'JPEG lossless SV1, 10 frames, 1 KB fragments, with BOT',
    src: MR10F,
    tool: 'dcmcjpeg',
    args: ['+e1', '+fs', '1', '+ot'],
    ts: '1.2.840.10008.1.2.4.70',
    vsSource: 0,
    vsGdcm: 0,
  },
  {
    name: 'JPEG extended 12-bit',
    src: MR12,
    tool: 'dcmcjpeg',
    args: ['+ee'],
    ts: '1.2.840.10008.1.2.4.51',
    vsGdcm: 1,
  },
  {
    name: 'JPEG extended 12-bit, 10 frames, 2 KB fragments, empty BOT, q 50',
    src: MR10F,
    tool: 'dcmcjpeg',
    args: ['+ee', '+q', '50', '+fs', '2', '-ot'],
    ts: '1.2.840.10008.1.2.4.51',
    vsGdcm: 1,
  },
  {
    name: 'JPEG baseline 8-bit gray',
    src: OT8,
    tool: 'dcmcjpeg',
    args: ['+eb'],
    ts: '1.2.840.10008.1.2.4.50',
    vsGdcm: 1,
  },
  {
    name: 'JPEG baseline color YCbCr',
    src: RGB8,
    tool: 'dcmcjpeg',
    args: ['+eb'],
    ts: '1.2.840.10008.1.2.4.50',
    vsGdcm: 1,
  },
  {
    name: 'JPEG baseline color RGB',
    src: RGB8,
    tool: 'dcmcjpeg',
    args: ['+eb', '+cr'],
    ts: '1.2.840.10008.1.2.4.50',
    vsGdcm: 1,
  },
  ...(['+il', '+is', '+in'] as const).map((mode) => ({
    name: `JPEG-LS lossless RGB ${mode}`,
    src: RGB8,
    tool: 'dcmcjpls',
    args: [mode],
    ts: '1.2.840.10008.1.2.4.80',
    vsSource: 0,
    vsGdcm: 0,
  })),
  {
    name: 'JPEG-LS lossless signed 16-bit',
    src: CT16S,
    tool: 'dcmcjpls',
    args: [],
    ts: '1.2.840.10008.1.2.4.80',
    vsSource: 0,
    vsGdcm: 0,
  },
  {
    name: 'JPEG-LS near-lossless NEAR 3, 12-bit',
    src: MR12,
    tool: 'dcmcjpls',
    args: ['+en', '+md', '3'],
    ts: '1.2.840.10008.1.2.4.81',
    vsSource: 3,
    vsGdcm: 0,
  },
  {
    name: 'JPEG-LS near-lossless NEAR 2, 10 frames',
    src: MR10F,
    tool: 'dcmcjpls',
    args: ['+en', '+md', '2'],
    ts: '1.2.840.10008.1.2.4.81',
    vsSource: 2,
    vsGdcm: 0,
  },
  ...([RGB8, CT16S, OT8, MR10F] as const).map((src) => ({
    name: `J2K lossless (GDCM) ${src}`,
    src,
    ...gdcm('j2k-lossless'),
    ts: J2K_LOSSLESS,
    vsSource: 0,
    vsGdcm: 0,
  })),
  ...([RGB8, MR12, MR10F] as const).map((src) => ({
    name: `J2K lossy (GDCM) ${src}`,
    src,
    ...gdcm('j2k-lossy'),
    ts: J2K,
    vsGdcm: 0,
  })),
  {
    name: 'RLE RGB',
    src: RGB8,
    tool: 'dcmcrle',
    args: [],
    ts: '1.2.840.10008.1.2.5',
    vsSource: 0,
    vsGdcm: 0,
  },
  {
    name: 'RLE 8-bit',
    src: OT8,
    tool: 'dcmcrle',
    args: [],
    ts: '1.2.840.10008.1.2.5',
    vsSource: 0,
    vsGdcm: 0,
  },
  {
    name: 'RLE signed 16-bit',
    src: CT16S,
    tool: 'dcmcrle',
    args: [],
    ts: '1.2.840.10008.1.2.5',
    vsSource: 0,
    vsGdcm: 0,
  },
];

/** Compressed fixtures and the DCMTK tool that decompresses them. */
const DECOMPRESS: [string, string][] = [
  ['ct512_jpeg_baseline_8bit.dcm', 'dcmdjpeg'],
  ['sc100_rgb_jpeg_baseline_ybr422.dcm', 'dcmdjpeg'],
  ['ct512_2frame_jpeg_extended12_fragmented_nobot.dcm', 'dcmdjpeg'],
  ['mr384_12bit_jpeg_lossless_sv1.dcm', 'dcmdjpeg'],
  ['mr384_12bit_jpegls_lossless_charls.dcm', 'dcmdjpls'],
  ['ct512_jpegls_near_lossless.dcm', 'dcmdjpls'],
  ['mr384_12bit_rle.dcm', 'dcmdrle'],
  ['mr64_10frame_12bit_rle.dcm', 'dcmdrle'],
];

function run(tool: string, args: string[]): void {
  const r = spawnSync(tool, args, { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`${tool} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
}

/** Max |a - b|; fails on a length mismatch. */
function maxDiff(a: TypedPixels, b: TypedPixels): number {
  assert.equal(a.length, b.length, 'sample count');
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs((a[i] as number) - (b[i] as number)));
  return worst;
}

async function decodeAll(path: string): Promise<{ ts: string | undefined; frames: TypedPixels[] }> {
  const src = await openRaster(path);
  const frames: TypedPixels[] = [];
  for (let f = 0; f < src.info.frames; f++) frames.push((await src.read({ frame: f })).data);
  await src.close();
  return { ts: src.info.transferSyntaxUID, frames };
}

describe('DCMTK-encoded variants against pydicom + GDCM', { skip }, () => {
  const tmp = mkdtempSync(join(tmpdir(), 'tilesr-dcmtk-'));
  const rgbPath = join(tmp, 'rgb8.dcm');
  const srcRefs = new Map<string, Reference>();
  const resolve = (src: string) => (src === RGB8 ? rgbPath : src);
  const sourceRef = (src: string) => {
    let r = srcRefs.get(src);
    if (!r) {
      r = reference(resolve(src), join(tmp, 'src-ref', src.replace(/\W/g, '_')));
      srcRefs.set(src, r);
    }
    return r;
  };
  before(() => run('dcmdjpeg', [F('sc100_rgb_jpeg_baseline_ybr422.dcm'), rgbPath]));
  after(() => rmSync(tmp, { recursive: true, force: true }));

  CASES.forEach((c, i) => {
    test(c.name, async (t) => {
      const out = join(tmp, `case${i}.dcm`);
      if (c.tool === PYTHON) run(PYTHON, [c.args[0] as string, resolve(c.src), out, ...c.args.slice(1)]);
      else run(c.tool, [...c.args, resolve(c.src), out]);
      const ours = await decodeAll(out);
      assert.equal(ours.ts, c.ts, 'transfer syntax written by DCMTK');
      const gdcm = reference(out, join(tmp, `case${i}-ref`));
      assert.equal(gdcm.header.error, undefined, `GDCM failed: ${gdcm.header.error}`);
      const source = sourceRef(c.src);
      let worstGdcm = 0;
      let worstSource = 0;
      ours.frames.forEach((px, f) => {
        worstGdcm = Math.max(worstGdcm, maxDiff(px, gdcm.frame(f).data));
        worstSource = Math.max(worstSource, maxDiff(px, source.frame(f).data));
      });
      t.diagnostic(
        `max |ours - GDCM| = ${worstGdcm} (allowed ${c.vsGdcm}); max |ours - source| = ${worstSource}`,
      );
      assert.ok(worstGdcm <= c.vsGdcm, `|ours - GDCM| ${worstGdcm} > ${c.vsGdcm}`);
      if (c.vsSource !== undefined)
        assert.ok(worstSource <= c.vsSource, `|ours - source| ${worstSource} > ${c.vsSource}`);
    });
  });

  for (const [name, tool] of DECOMPRESS) {
    test(`${tool} decompression of ${name} equals ours`, async (t) => {
      const out = join(tmp, `${name}.native.dcm`);
      run(tool, [F(name), out]);
      const theirs = await decodeAll(out);
      const ours = await decodeAll(F(name));
      assert.equal(theirs.frames.length, ours.frames.length);
      const worst = Math.max(...ours.frames.map((px, f) => maxDiff(px, theirs.frames[f] as TypedPixels)));
      t.diagnostic(`max |ours - DCMTK| = ${worst}`);
      assert.ok(worst <= 1, `max |ours - DCMTK| = ${worst}`);
    });
  }
});
