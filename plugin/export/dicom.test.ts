/**
 * Derived DICOM export: every DICOM fixture, enhanced for real (a 64 px window; one whole image),
 * is written and checked attribute by attribute with readDicomProvenance and pydicom, its pixels
 * against the enhanced raster (modality LUT applied), read by GDCM and dcmdump, and validated by
 * dciodvfy with no error the source does not already have. Bad inputs get their stable codes.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { openRaster } from '../../formats/index.ts';
import { enhanceRaster, type EnhanceResult } from '../pipeline/enhance.ts';
import { npyBytes, PYTHON, pythonHas } from '../../validation/testing/python.ts';
import { ExportError } from './errors.ts';
import { dicomWriter, readDicomProvenance } from './dicom.ts';
import { encodePixels } from './dicom-pixels.ts';
import { shiftedPosition } from './dicom-geometry.ts';
import { formatDS, newUid } from './dicom-values.ts';

const dir = join('fixtures', 'dicom');
const fixtures = readdirSync(dir).filter((f) => f.endsWith('.dcm'));
const tmp = mkdtempSync(join(tmpdir(), 'tilesr-dicom-export-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const has = (tool: string) => existsSync(tool);
const pyMissing = pythonHas('pydicom', 'gdcm', 'numpy') ? undefined : `${PYTHON} lacks pydicom/gdcm/numpy`;
const dciodvfyMissing = has('/usr/bin/dciodvfy')
  ? undefined
  : '/usr/bin/dciodvfy missing (apt-get install dicom3tools)';
const dcmdumpMissing = has('/usr/bin/dcmdump')
  ? undefined
  : '/usr/bin/dcmdump missing (apt-get install dcmtk)';

const isError = (e: unknown, code: string) => e instanceof ExportError && e.code === code;

async function enhanced(path: string, whole = false) {
  const src = await openRaster(path);
  try {
    const { info } = src;
    const frame = info.frames - 1;
    const raster = await src.read({ frame });
    const side = 64;
    const window = whole
      ? undefined
      : {
          x: info.width > side ? Math.floor(info.width / 3) : 0,
          y: info.height > side ? Math.floor(info.height / 3) : 0,
          width: Math.min(side, info.width),
          height: Math.min(side, info.height),
        };
    if (window) {
      window.x = Math.min(window.x, info.width - window.width);
      window.y = Math.min(window.y, info.height - window.height);
    }
    const result = await enhanceRaster(raster, { modelId: 'medical-x2', window });
    return { info, result, bytes: new Uint8Array(readFileSync(path)) };
  } finally {
    await src.close();
  }
}

/** pydicom + GDCM read of a derived file: attributes, pixel diff against the enhanced values. */
const PY = `
import json, sys, numpy as np, pydicom, gdcm
path = sys.argv[1]
ds = pydicom.dcmread(path)
def first(seq_owner, key):
    s = getattr(seq_owner, key, None) if seq_owner is not None else None
    return s[0] if s else None
sh = first(ds, 'SharedFunctionalGroupsSequence'); pf = first(ds, 'PerFrameFunctionalGroupsSequence')
def find(key, macro):
    if key in ds: return ds[key].value
    for g in (pf, sh):
        it = first(g, macro)
        if it is not None and key in it: return it[key].value
    return None
slope = float(find('RescaleSlope', 'PixelValueTransformationSequence') or 1)
inter = float(find('RescaleIntercept', 'PixelValueTransformationSequence') or 0)
arr = ds.pixel_array.astype(np.float64)
real = arr * slope + inter
exp = np.load('enhanced.npy').astype(np.float64).reshape(real.shape)
r = gdcm.ImageReader(); r.SetFileName(path)
def codes(seq): return [[c.CodeValue, c.CodingSchemeDesignator, c.CodeMeaning] for c in (seq or [])]
# enhanced IODs hold derivation in the per-frame Derivation Image functional group only
dv = ds if 'DerivationDescription' in ds else pf.DerivationImageSequence[0]
src_item = dv.SourceImageSequence[0]
eq = ds.ContributingEquipmentSequence[-1]
ps = find('PixelSpacing', 'PixelMeasuresSequence')
ipp = find('ImagePositionPatient', 'PlanePositionSequence')
print(json.dumps({
  'ts': str(ds.file_meta.TransferSyntaxUID), 'mediaSop': str(ds.file_meta.MediaStorageSOPInstanceUID),
  'sopClass': ds.SOPClassUID, 'sop': ds.SOPInstanceUID, 'series': ds.SeriesInstanceUID, 'study': ds.StudyInstanceUID,
  'seriesDescription': str(ds.get('SeriesDescription', '')), 'seriesNumber': int(ds.SeriesNumber),
  'imageType': list(ds.ImageType), 'derivation': str(dv.DerivationDescription),
  'derivationCodes': codes(dv.DerivationCodeSequence), 'topDerivation': 'DerivationDescription' in ds,
  'perFrameGroups': pf is not None,
  'sourceRef': [src_item.ReferencedSOPClassUID, src_item.ReferencedSOPInstanceUID], 'sourcePurpose': codes(src_item.PurposeOfReferenceCodeSequence),
  'equipment': [str(eq.Manufacturer), list(eq.SoftwareVersions) if eq['SoftwareVersions'].VM > 1 else [str(eq.SoftwareVersions)], str(eq.ContributionDateTime), str(eq.ContributionDescription)],
  'equipmentPurpose': codes(eq.PurposeOfReferenceCodeSequence),
  'burned': str(ds.BurnedInAnnotation), 'lossy': str(ds.get('LossyImageCompression', '')),
  'rows': int(ds.Rows), 'cols': int(ds.Columns), 'spp': int(ds.SamplesPerPixel), 'bitsAllocated': int(ds.BitsAllocated),
  'bitsStored': int(ds.BitsStored), 'highBit': int(ds.HighBit), 'pixelRep': int(ds.PixelRepresentation),
  'photometric': ds.PhotometricInterpretation, 'planar': int(ds.get('PlanarConfiguration', 0)),
  'frames': int(ds.get('NumberOfFrames', 1)), 'slope': slope,
  'spacing': [float(v) for v in ps] if ps else None, 'ipp': [float(v) for v in ipp] if ipp else None,
  'iconGone': 'IconImageSequence' not in ds,
  'maxDiff': float(np.nanmax(np.abs(real - exp))), 'gdcm': bool(r.Read()),
}))
`;

function pydicomRead(file: string, result: EnhanceResult) {
  const d = mkdtempSync(join(tmp, 'py-'));
  writeFileSync(join(d, 'enhanced.npy'), npyBytes({ shape: [result.data.length], data: result.data }));
  const r = spawnSync(PYTHON, ['-c', PY, file], { cwd: d, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as Record<string, unknown>;
}

/** dciodvfy error lines (deflated sources are inflated first: dciodvfy cannot read them). */
function dciodvfyLines(file: string, deflated = false): { errors: string[]; warnings: number } {
  let path = file;
  if (deflated && has('/usr/bin/dcmconv')) {
    path = join(mkdtempSync(join(tmp, 'inflated-')), 'src.dcm');
    spawnSync('/usr/bin/dcmconv', ['+te', file, path]);
  }
  const r = spawnSync('/usr/bin/dciodvfy', [path], { encoding: 'utf8' });
  const lines = `${r.stdout}\n${r.stderr}`.split('\n').map((l) => l.trim());
  return {
    errors: lines.filter((l) => l.startsWith('Error')),
    warnings: lines.filter((l) => l.startsWith('Warning')).length,
  };
}

describe('DICOM export values', () => {
  test('DS values fit 16 characters and keep their value', () => {
    for (const v of [
      0.661468 / 2,
      1 / 3,
      -161.399994 + 0.123456789,
      1e-7 / 3,
      123456789012.345,
      -4047,
      32.1216,
    ]) {
      const s = formatDS(v);
      assert.ok(s.length <= 16, `${s} longer than 16`);
      assert.ok(/^[0-9+\-.eE]+$/.test(s), s);
      assert.ok(Math.abs(Number(s) - v) <= Math.abs(v) * 1e-9 + 1e-15, `${s} vs ${v}`);
    }
  });
  test('UIDs are 2.25 UUID-derived, unique and within 64 characters', () => {
    const a = newUid();
    const b = newUid();
    assert.match(a, /^2\.25\.[1-9][0-9]*$/);
    assert.ok(a.length <= 64);
    assert.notEqual(a, b);
  });
  test('Image Position moves to the first SR pixel centre along both directions', () => {
    // row direction +x with column spacing 2, column direction +y with row spacing 3; x2 from (10, 20)
    const p = shiftedPosition([100, 200, 5], [1, 0, 0, 0, 1, 0], [3, 2], { x: 10, y: 20, scale: 2 });
    assert.deepEqual(p, [100 + 2 * 9.75, 200 + 3 * 19.75, 5]);
  });
  test('overshoot raises BitsStored or switches to signed, never clips', () => {
    const base = { samples: 1, slope: 1, intercept: 0, bitsStored: 12, signed: false, rescalable: false };
    const up = encodePixels({ ...base, data: Float32Array.from([0, 4100]) });
    assert.equal(up.bitsStored, 13);
    assert.equal(up.pixelRepresentation, 0);
    const neg = encodePixels({ ...base, data: Float32Array.from([-3.4, 4000]) });
    assert.equal(neg.pixelRepresentation, 1);
    assert.deepEqual([...neg.pixels], [-3, 4000]);
    assert.throws(
      () => encodePixels({ ...base, data: Float32Array.from([-40000, 70000]) }),
      (e) => isError(e, 'VALUE_OUT_OF_RANGE'),
    );
    const wide = encodePixels({ ...base, rescalable: true, data: Float32Array.from([-40000, 12.5, 70000]) });
    assert.ok(wide.rescaleChanged);
    for (const [i, v] of [-40000, 12.5, 70000].entries())
      assert.ok(
        Math.abs((wide.pixels[i] as number) * wide.slope + wide.intercept - v) <= wide.slope / 2 + 1e-6,
      );
    assert.throws(
      () => encodePixels({ ...base, samples: 3, data: Float32Array.from([0, 128, 256.4]) }),
      (e) => isError(e, 'VALUE_OUT_OF_RANGE'),
    );
    const nan = encodePixels({ ...base, data: Float32Array.from([NaN, 7, 9]) });
    assert.equal(nan.nanCount, 1);
    assert.equal(nan.pixels[0], 7);
  });
});

describe('DICOM export bad input', () => {
  test('GeoTIFF source: UNSUPPORTED_EXPORT from check() and write()', async () => {
    const src = await openRaster(join('fixtures', 'geotiff', 'f32_dsm_none.tif'));
    const info = src.info;
    await src.close();
    assert.throws(
      () => dicomWriter.check(info),
      (e) => isError(e, 'UNSUPPORTED_EXPORT'),
    );
    const { result, bytes } = await enhanced(join(dir, 'mr64_explicit_be.dcm'));
    await assert.rejects(dicomWriter.write({ result, source: { info, bytes } }), (e) =>
      isError(e, 'UNSUPPORTED_EXPORT'),
    );
  });
  test('missing bytes: MISSING_SOURCE; aborted: ABORTED', async () => {
    const { info, result, bytes } = await enhanced(join(dir, 'mr64_explicit_be.dcm'));
    await assert.rejects(dicomWriter.write({ result, source: { info } }), (e) =>
      isError(e, 'MISSING_SOURCE'),
    );
    await assert.rejects(dicomWriter.write({ result, source: { info, bytes: new Uint8Array(300) } }), (e) =>
      isError(e, 'MISSING_SOURCE'),
    );
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(dicomWriter.write({ result, source: { info, bytes }, signal: ac.signal }), (e) =>
      isError(e, 'ABORTED'),
    );
  });
});

describe('derived DICOM of every fixture', () => {
  for (const name of fixtures) {
    // one whole image (the CT, 128 px); a 64 px window elsewhere; the CR carries the burned-in mark
    const whole = name.startsWith('ct128');
    const burnIn = name.startsWith('cr440');
    test(name, async (t) => {
      const path = join(dir, name);
      const { info, result, bytes } = await enhanced(path, whole);
      const out = await dicomWriter.write({ result, source: { info, bytes, name }, burnIn });
      assert.equal(out.format, 'dicom');
      assert.equal(out.mediaType, 'application/dicom');
      assert.equal(out.extension, 'dcm');
      const file = join(tmp, name);
      writeFileSync(file, out.bytes);
      if (out.notes.length) t.diagnostic(`notes: ${out.notes.join(' | ')}`);

      const p = readDicomProvenance(out.bytes);
      const meta = info.metadata;
      assert.equal(p.aiEnhanced, true);
      assert.deepEqual((p.ImageType as string[]).slice(0, 1), ['DERIVED']);
      // the lead PACS lists show within 64 characters; the whole within 256; details in the equipment item
      const lead = 'AI-enhanced (tilesr medical-x2 x2), not for primary diagnosis';
      assert.ok(String(p.DerivationDescription).startsWith(lead) && lead.length <= 64);
      assert.ok(String(p.DerivationDescription).length <= 256);
      assert.deepEqual(p.DerivationCodeSequence, [
        { CodeValue: '113085', CodingSchemeDesignator: 'DCM', CodeMeaning: 'Spatial resampling' },
      ]);
      const [sref] = p.SourceImageSequence as Array<Record<string, unknown>>;
      assert.equal(sref?.ReferencedSOPClassUID, meta.SOPClassUID);
      assert.equal(sref?.ReferencedSOPInstanceUID, meta.SOPInstanceUID);
      assert.deepEqual(sref?.PurposeOfReferenceCodeSequence, [
        {
          CodeValue: '121322',
          CodingSchemeDesignator: 'DCM',
          CodeMeaning: 'Source image for image processing operation',
        },
      ]);
      const eq = (p.ContributingEquipmentSequence as Array<Record<string, unknown>>).at(-1);
      assert.equal(eq?.Manufacturer, 'tilesr');
      for (const w of ['tilesr 0.1.0', 'medical-x2', 'fidelity', result.provenance.sha256, 'x2'])
        assert.ok(String(eq?.ContributionDescription).includes(w), `ContributionDescription lacks ${w}`);
      assert.deepEqual(eq?.PurposeOfReferenceCodeSequence, [
        { CodeValue: '109102', CodingSchemeDesignator: 'DCM', CodeMeaning: 'Processing Equipment' },
      ]);
      assert.equal(p.BurnedInAnnotation, burnIn ? 'YES' : 'NO');
      assert.notEqual(p.SeriesInstanceUID, meta.SeriesInstanceUID);
      assert.notEqual(p.SOPInstanceUID, meta.SOPInstanceUID);
      assert.match(String(p.SeriesInstanceUID), /^2\.25\./);
      assert.match(String(p.SOPInstanceUID), /^2\.25\./);

      if (!pyMissing) {
        const d = pydicomRead(file, result);
        assert.equal(d.ts, '1.2.840.10008.1.2.1');
        assert.equal(d.mediaSop, d.sop);
        assert.equal(d.sop, p.SOPInstanceUID);
        assert.equal(d.series, p.SeriesInstanceUID);
        assert.equal(d.study, meta.StudyInstanceUID);
        assert.equal(d.sopClass, meta.SOPClassUID);
        assert.match(String(d.seriesDescription), /AI-enhanced/);
        assert.notEqual(String(d.seriesNumber), String(meta.SeriesNumber));
        assert.deepEqual(d.imageType, p.ImageType);
        assert.equal(d.derivation, p.DerivationDescription);
        // enhanced multi-frame IODs: derivation in the functional groups, not at the top level
        assert.equal(d.topDerivation, !d.perFrameGroups);
        assert.deepEqual(d.derivationCodes, [['113085', 'DCM', 'Spatial resampling']]);
        assert.deepEqual(d.sourceRef, [meta.SOPClassUID, meta.SOPInstanceUID]);
        assert.deepEqual(d.sourcePurpose, [['121322', 'DCM', 'Source image for image processing operation']]);
        const [maker, versions, when, what] = d.equipment as [string, string[], string, string];
        assert.equal(maker, 'tilesr');
        assert.ok(versions.includes('tilesr 0.1.0'));
        assert.match(when, /^\d{14}/);
        assert.match(what, /AI-enhanced/);
        assert.deepEqual(d.equipmentPurpose, [['109102', 'DCM', 'Processing Equipment']]);
        assert.equal(d.burned, burnIn ? 'YES' : 'NO');
        if (info.lossy || meta.LossyImageCompression === '01') assert.equal(d.lossy, '01');
        assert.equal(d.rows, result.height);
        assert.equal(d.cols, result.width);
        assert.equal(d.frames, 1);
        assert.equal(d.spp, info.samples);
        assert.equal(d.highBit, (d.bitsStored as number) - 1);
        assert.ok(d.iconGone);
        if (info.samples === 3) {
          assert.deepEqual([d.photometric, d.planar, d.bitsAllocated], ['RGB', 0, 8]);
        } else {
          assert.equal(d.photometric, info.photometric);
          assert.equal(d.bitsAllocated, 16);
          assert.ok((d.bitsStored as number) >= info.bitsStored);
        }
        if (info.spacing && info.spacing.kind !== 'geotransform') {
          const sp = d.spacing as number[];
          assert.ok(Math.abs((sp[0] as number) - info.spacing.rowMm / 2) < 1e-9);
          assert.ok(Math.abs((sp[1] as number) - info.spacing.columnMm / 2) < 1e-9);
          const ipp = meta.ImagePositionPatient as number[] | undefined;
          const iop = meta.ImageOrientationPatient as number[] | undefined;
          if (ipp && iop) {
            const w = result.provenance.source.window;
            const want = shiftedPosition(ipp, iop, [info.spacing.rowMm, info.spacing.columnMm], {
              x: w.x,
              y: w.y,
              scale: 2,
            });
            (d.ipp as number[]).forEach((v, k) =>
              assert.ok(Math.abs(v - (want[k] as number)) < 1e-6, `IPP ${k}`),
            );
          }
        }
        // the only loss is rounding to the stored grid (the burned-in mark changes pixels on purpose)
        if (!burnIn)
          assert.ok((d.maxDiff as number) <= (d.slope as number) / 2 + 1e-3, `max |diff| ${d.maxDiff}`);
        assert.equal(d.gdcm, true, 'GDCM could not read it');
        t.diagnostic(`pydicom max |diff| ${d.maxDiff} (slope ${d.slope}), BitsStored ${d.bitsStored}`);
      } else t.diagnostic(`pydicom/GDCM checks skipped: ${pyMissing}`);

      if (!dcmdumpMissing) {
        const r = spawnSync('/usr/bin/dcmdump', [file], { encoding: 'utf8' });
        assert.equal(r.status, 0, r.stderr);
        assert.doesNotMatch(`${r.stdout}${r.stderr}`, /error/i);
      } else t.diagnostic(`dcmdump skipped: ${dcmdumpMissing}`);

      if (!dciodvfyMissing) {
        const src = dciodvfyLines(path, info.transferSyntaxUID === '1.2.840.10008.1.2.1.99');
        const der = dciodvfyLines(file);
        const ours = der.errors.filter((l) => !src.errors.includes(l));
        t.diagnostic(
          `dciodvfy source ${src.errors.length} errors ${src.warnings} warnings; derived ${der.errors.length} errors ${der.warnings} warnings`,
        );
        assert.deepEqual(ours, [], 'dciodvfy errors the source does not have');
      } else t.diagnostic(`dciodvfy skipped: ${dciodvfyMissing}`);
    });
  }

  test(
    'burned-in mark changes the pixels and sets Burned In Annotation YES',
    { skip: pyMissing },
    async () => {
      const { info, result, bytes } = await enhanced(join(dir, 'mr64_explicit_be.dcm'), true);
      const plain = readDicomProvenance((await dicomWriter.write({ result, source: { info, bytes } })).bytes);
      const marked = await dicomWriter.write({ result, source: { info, bytes }, burnIn: true });
      assert.equal(plain.BurnedInAnnotation, 'NO');
      assert.equal(readDicomProvenance(marked.bytes).BurnedInAnnotation, 'YES');
      const file = join(tmp, 'burned.dcm');
      writeFileSync(file, marked.bytes);
      const d = pydicomRead(file, result);
      assert.ok((d.maxDiff as number) > 10, 'the label should change the pixels');
    },
  );
});
