/**
 * Derived objects a PACS can trust (issue 22 section 3): an Enhanced CT with a palette written per
 * its IOD (dciodvfy adds no error), the "AI-enhanced" overlay plane read back by pydicom, distinct
 * SeriesNumbers for x2 and x4, no MOSAIC, Derivation Description within 64/256 characters, and an
 * already enhanced source refused (ALREADY_ENHANCED) by every pipeline entry unless allowed, the
 * new file then naming both steps.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { errorCode } from '../../core/errors.ts';
import { openRaster } from '../../formats/index.ts';
import type { InferenceSession } from '../../models/backend/types.ts';
import { enhanceRaster } from '../pipeline/enhance.ts';
import { enhanceInBlocks } from '../pipeline/stream.ts';
import { TileService } from '../pipeline/tile-service.ts';
import { watermarkText } from '../watermark/burn.ts';
import { npyBytes, PYTHON, pythonHas } from '../../validation/testing/python.ts';
import { dicomWriter, readDicomProvenance } from './dicom.ts';
import { markBitmap } from './dicom-overlay.ts';
import { writeEnhancedCt } from './testing/enhanced-ct.ts';

const tmp = mkdtempSync(join(tmpdir(), 'tilesr-derived-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const CT = join('fixtures', 'dicom', 'ct128_signed16_explicit_le.dcm');
const MR = join('fixtures', 'dicom', 'mr64_explicit_be.dcm');
const noPy = pythonHas('pydicom', 'numpy') ? undefined : `${PYTHON} lacks pydicom/numpy`;
const noDciodvfy = existsSync('/usr/bin/dciodvfy') ? undefined : 'dciodvfy missing (dicom3tools)';
const noDcmodify = existsSync('/usr/bin/dcmodify') ? undefined : 'dcmodify missing (dcmtk)';
const lead = (model: string, scale: number) =>
  `AI-enhanced (tilesr ${model} x${scale}), not for primary diagnosis`;

/** Enhances a 32 px window of frame 0 of `path` and writes the derived DICOM next to `tmp`. */
async function derive(path: string, name: string, modelId = 'medical-x2', allowDerived = false) {
  const src = await openRaster(path);
  try {
    const raster = await src.read({ frame: 0 });
    const window = { x: 16, y: 16, width: 32, height: 32 };
    const result = await enhanceRaster(raster, { modelId, window, allowDerived });
    const bytes = new Uint8Array(readFileSync(path));
    const out = await dicomWriter.write({ result, source: { info: src.info, bytes } });
    const file = join(tmp, name);
    writeFileSync(file, out.bytes);
    return { file, result, info: src.info, bytes: out.bytes };
  } finally {
    await src.close();
  }
}

function dciodvfyErrors(file: string): string[] {
  const r = spawnSync('/usr/bin/dciodvfy', [file], { encoding: 'utf8' });
  return `${r.stdout}\n${r.stderr}`
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('Error'));
}

/** pydicom's view of a derived file (one JSON line). */
function py(file: string, script: string, cwd = tmp): Record<string, unknown> {
  const r = spawnSync(
    PYTHON,
    ['-c', `import json, sys, numpy as np, pydicom\nds = pydicom.dcmread(sys.argv[1])\n${script}`, file],
    {
      cwd,
      encoding: 'utf8',
    },
  );
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as Record<string, unknown>;
}

describe('derived DICOM a PACS can trust', () => {
  test(
    'Enhanced CT with a COLOR palette: derivation per the IOD, palette kept, dciodvfy adds no error',
    { skip: noPy ?? noDciodvfy },
    async () => {
      const source = writeEnhancedCt(join(tmp, 'enhanced-ct.dcm'));
      assert.deepEqual(dciodvfyErrors(source), [], 'the generated Enhanced CT is itself conformant');
      const { file, result, info } = await derive(source, 'enhanced-ct-x2.dcm');
      assert.deepEqual(dciodvfyErrors(file), [], 'dciodvfy errors in the derived Enhanced CT');
      // values beyond 16 bits get a new rescale grid: the palette no longer maps them, so it goes
      // and Pixel Presentation says MONOCHROME everywhere
      const data = result.data.slice();
      data[0] = 70000;
      const wide = await dicomWriter.write({
        result: { ...result, data },
        source: { info, bytes: new Uint8Array(readFileSync(source)) },
      });
      assert.ok(
        wide.notes.some((n) => n.includes('Pixel Presentation set to MONOCHROME')),
        wide.notes.join(' | '),
      );
      const wideFile = join(tmp, 'enhanced-ct-wide.dcm');
      writeFileSync(wideFile, wide.bytes);
      assert.deepEqual(dciodvfyErrors(wideFile), [], 'dciodvfy errors without the palette');
      const w = py(
        wideFile,
        `print(json.dumps([ds.PixelPresentation, ds.SharedFunctionalGroupsSequence[0].CTImageFrameTypeSequence[0].PixelPresentation, 'RedPaletteColorLookupTableData' in ds]))`,
      );
      assert.deepEqual(w, ['MONOCHROME', 'MONOCHROME', false]);
      const d = py(
        file,
        `sh = ds.SharedFunctionalGroupsSequence[0]; pf = ds.PerFrameFunctionalGroupsSequence
dv = pf[0].DerivationImageSequence[0]
print(json.dumps({'frames': int(ds.NumberOfFrames), 'perFrame': len(pf),
  'presentation': ds.PixelPresentation, 'frameType': list(sh.CTImageFrameTypeSequence[0].FrameType),
  'framePresentation': sh.CTImageFrameTypeSequence[0].PixelPresentation,
  'palette': 'RedPaletteColorLookupTableData' in ds,
  'top': [k for k in ('DerivationDescription', 'DerivationCodeSequence', 'SourceImageSequence') if k in ds],
  'sharedDerivation': 'DerivationImageSequence' in sh,
  'code': dv.DerivationCodeSequence[0].CodeValue, 'description': dv.DerivationDescription}))`,
      );
      assert.deepEqual([d.frames, d.perFrame], [1, 1]);
      // Pixel Presentation COLOR stays only together with its palette
      assert.deepEqual([d.presentation, d.framePresentation, d.palette], ['COLOR', 'COLOR', true]);
      assert.deepEqual(d.frameType, ['DERIVED', 'PRIMARY', 'VOLUME', 'NONE']);
      assert.deepEqual(d.top, []);
      assert.equal(d.sharedDerivation, false);
      assert.equal(d.code, '113085');
      assert.ok(String(d.description).startsWith(lead('medical-x2', 2)));
      // the functional-group derivation is what the next reader detects
      const again = await openRaster(file);
      assert.deepEqual(
        { ...again.info.enhancement, description: undefined },
        { by: 'tilesr', model: 'medical-x2', scale: 2, description: undefined },
      );
      await again.close();
    },
  );

  test(
    'the mark is an Overlay Plane: pydicom reads the text bitmap, pixels untouched',
    { skip: noPy },
    async () => {
      const { file, result } = await derive(CT, 'ct-overlay.dcm');
      const want = markBitmap(result.width, result.height, watermarkText('medical-x2', 2));
      const dir = mkdtempSync(join(tmp, 'ov-'));
      writeFileSync(
        join(dir, 'want.npy'),
        npyBytes({ shape: [result.height, result.width], data: Float32Array.from(want) }),
      );
      const d = py(
        file,
        `o = ds.overlay_array(0x6000); want = np.load('want.npy')
ys, xs = np.nonzero(o)
print(json.dumps({'shape': list(o.shape), 'set': int(o.sum()), 'equal': bool(np.array_equal(o, want)),
  'type': ds[0x60000040].value, 'label': ds[0x60001500].value, 'description': ds[0x60000022].value,
  'bits': [ds[0x60000100].value, ds[0x60000102].value], 'origin': list(ds[0x60000050].value),
  'box': [int(ys.min()), int(ys.max()), int(xs.min()), int(xs.max())], 'burned': ds.BurnedInAnnotation}))`,
        dir,
      );
      assert.deepEqual(d.shape, [result.height, result.width]);
      assert.equal(d.equal, true, 'overlay bits are the watermark glyphs');
      assert.ok((d.set as number) > 100, `only ${d.set} bits set`);
      const [y0, y1] = d.box as number[];
      assert.ok(
        (y0 as number) >= result.height / 2 && (y1 as number) < result.height,
        'text in the bottom corner',
      );
      assert.deepEqual([d.type, d.label, d.bits, d.origin], ['G', 'AI-enhanced', [1, 0], [1, 1]]);
      assert.match(String(d.description), /^AI-enhanced \(tilesr medical-x2 x2\)/);
      assert.equal(d.burned, 'NO');
    },
  );

  test(
    'x2 and x4 get distinct, reproducible SeriesNumbers; MOSAIC dropped; descriptions within 64/256',
    { skip: noPy ?? noDcmodify },
    async () => {
      // a Siemens-style MOSAIC image whose source derivation (another tool) is long
      const source = join(tmp, 'mosaic.dcm');
      copyFileSync(MR, source);
      const long = `Motion corrected by vendor tool ${'and filtered '.repeat(40)}`.trim();
      const m = spawnSync(
        '/usr/bin/dcmodify',
        ['-nb', '-m', '(0008,0008)=ORIGINAL\\PRIMARY\\M\\ND\\MOSAIC', '-i', `(0008,2111)=${long}`, source],
        { encoding: 'utf8' },
      );
      assert.equal(m.status, 0, m.stderr);
      const x2 = await derive(source, 'mosaic-x2.dcm', 'medical-x2');
      const x4 = await derive(source, 'mosaic-x4.dcm', 'medical-x4');
      const x2again = await derive(source, 'mosaic-x2b.dcm', 'medical-x2');
      const read = (f: string) =>
        py(
          f,
          `print(json.dumps({'n': int(ds.SeriesNumber), 'type': list(ds.ImageType), 'd': ds.DerivationDescription}))`,
        );
      const [a, b, c] = [x2.file, x4.file, x2again.file].map(read) as Array<Record<string, unknown>>;
      assert.notEqual(a?.n, b?.n, 'x2 and x4 share a SeriesNumber');
      assert.equal(a?.n, c?.n, 'the same model gives the same SeriesNumber');
      assert.notEqual(a?.n, Number(x2.info.metadata.SeriesNumber));
      for (const [r, model, scale] of [
        [a, 'medical-x2', 2],
        [b, 'medical-x4', 4],
      ] as const) {
        assert.ok(!(r?.type as string[]).includes('MOSAIC'), `ImageType ${String(r?.type)}`);
        const text = String(r?.d);
        assert.ok(lead(model, scale).length <= 64);
        assert.ok(text.startsWith(lead(model, scale)), text);
        assert.ok(text.length <= 256, `${text.length} characters`);
        assert.ok(text.includes('source: Motion corrected'), 'the source derivation, cut to fit');
      }
      if (!noDciodvfy) {
        const before = dciodvfyErrors(source);
        for (const f of [x2.file, x4.file])
          assert.deepEqual(
            dciodvfyErrors(f).filter((l) => !before.includes(l)),
            [],
            f,
          );
      }
    },
  );

  test('an enhanced source is refused (ALREADY_ENHANCED) everywhere unless allowed; then both steps are named', async () => {
    const first = await derive(CT, 'ct-x2.dcm');
    const src = await openRaster(first.file);
    try {
      const { info } = src;
      assert.deepEqual(
        { ...info.enhancement, description: undefined },
        { by: 'tilesr', model: 'medical-x2', scale: 2, description: undefined },
      );
      const raster = await src.read();
      const refused = (e: unknown) =>
        errorCode(e) === 'ALREADY_ENHANCED' &&
        /^already AI-enhanced by tilesr medical-x2 x2/.test((e as Error).message);
      await assert.rejects(enhanceRaster(raster, { modelId: 'medical-x4' }), refused);
      await assert.rejects(
        enhanceInBlocks(src, { modelId: 'medical-x4' }, { block: async () => undefined } as never),
        refused,
      );
      const service = new TileService({
        modelId: 'medical-x4',
        variant: 'fidelity',
        session: {} as unknown as InferenceSession,
      });
      const image = {
        imageId: 'derived',
        frame: 0,
        width: info.width,
        height: info.height,
        samples: 1,
        bands: [0],
        ranges: [{ lo: 0, hi: 1, constant: false, count: 1 }],
        values: new Float32Array(info.width * info.height),
        enhancement: info.enhancement,
      };
      await assert.rejects(service.enhance(image, { x: 0, y: 0, width: 16, height: 16 }), refused);

      const second = await derive(first.file, 'ct-x2-x4.dcm', 'medical-x4', true);
      assert.deepEqual(
        { ...second.result.provenance.derivedFrom, description: undefined },
        { by: 'tilesr', model: 'medical-x2', scale: 2, description: undefined },
      );
      const p = readDicomProvenance(second.bytes);
      const text = String(p.DerivationDescription);
      assert.ok(text.startsWith(lead('medical-x4', 4)), text);
      assert.match(text, /already AI-enhanced by tilesr medical-x2 x2 \(x8 in all\)/);
      assert.ok(text.length <= 256);
      const ours = (p.ContributingEquipmentSequence as Array<Record<string, unknown>>).filter(
        (e) => e.Manufacturer === 'tilesr',
      );
      assert.deepEqual(
        ours.map((e) => String(e.ContributionDescription).slice(0, 34)),
        ['AI super-resolution x2 (medical-x2', 'AI super-resolution x4 (medical-x4'],
      );
      // the newest step is what the next reader reports
      const third = await openRaster(second.file);
      assert.deepEqual([third.info.enhancement?.model, third.info.enhancement?.scale], ['medical-x4', 4]);
      await third.close();
    } finally {
      await src.close();
    }
  });

  test(
    'a spatial resampling by another tool (DCM 113085 only) is refused too',
    { skip: noDcmodify },
    async () => {
      const source = join(tmp, 'resampled.dcm');
      copyFileSync(MR, source);
      const m = spawnSync(
        '/usr/bin/dcmodify',
        [
          '-nb',
          '-i',
          '(0008,9215)[0].(0008,0100)=113085',
          '-i',
          '(0008,9215)[0].(0008,0102)=DCM',
          '-i',
          '(0008,9215)[0].(0008,0104)=Spatial resampling',
          source,
        ],
        { encoding: 'utf8' },
      );
      assert.equal(m.status, 0, m.stderr);
      const src = await openRaster(source);
      try {
        assert.deepEqual(src.info.enhancement, { by: 'unknown' });
        const raster = await src.read();
        await assert.rejects(
          enhanceRaster(raster, { modelId: 'medical-x2' }),
          (e) =>
            errorCode(e) === 'ALREADY_ENHANCED' &&
            /spatially resampled by another tool/.test((e as Error).message),
        );
        const ok = await enhanceRaster(raster, {
          modelId: 'medical-x2',
          window: { x: 0, y: 0, width: 16, height: 16 },
          allowDerived: true,
        });
        assert.deepEqual(ok.provenance.derivedFrom, { by: 'unknown' });
      } finally {
        await src.close();
      }
    },
  );
});
