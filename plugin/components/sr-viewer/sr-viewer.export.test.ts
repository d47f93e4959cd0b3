// <sr-viewer>.export() in real Chromium on WASM with real fixtures, judged on the Node side by the
// reference tools (test/export-check.plugin.mjs): verifyBytes, dciodvfy, pydicom + GDCM pixels,
// gdalinfo -json, c2pa-rs. Also: a refused combination fails before any inference, cancel leaves
// nothing, and the exported pixels are the live view's cells (same enhanceRaster, same ranges).
import { expect } from '@esm-bundle/chai';
import { executeServerCommand } from '@web/test-runner-commands';
import { decodeNpy } from '../../../formats/npy.ts';
import { decodePng } from '../../../formats/png/decode.ts';
import { computeRange } from '../../../models/normalize.ts';
import type { ExportOutput } from '../../export/types.ts';
import { enhanceCell } from '../../live/cell.ts';
import { getLoadedRaster } from '../../viewer/cornerstone/loader.ts';
import { sharedSession } from '../../live/sessions.ts';
import { mountViewer } from '../testing/dom.ts';
import './sr-viewer.ts';
import type { SrViewer } from './sr-viewer.component.ts';

const MR64 = 'fixtures/dicom/mr64_explicit_be.dcm';
const MR = 'fixtures/dicom/mr384_12bit_explicit_le.dcm';
const DSM = 'fixtures/geotiff/f32_dsm_none.tif';

interface Check {
  size: number;
  verify: {
    format: string;
    aiEnhanced: boolean;
    dicom?: Record<string, unknown>;
    geotiff?: Record<string, unknown>;
  };
  dicom?: {
    skipped?: string;
    dciodvfy: { source: number; derived: number; new: string[] };
    pydicom: { rows: number; cols: number; slope: number; maxDiff?: number; gdcm: boolean; error?: string };
  };
  geotiff?: {
    skipped?: string;
    derived: { size: number[]; geoTransform: number[]; wkt: string; tilesr: boolean; bands: unknown[] };
    source: { size: number[]; geoTransform: number[]; wkt: string };
  };
  c2pa?: {
    state: string;
    failures: string[];
    actions: string[];
    digitalSourceType: string;
    tilesrAssertion: boolean;
    ingredients: Array<{ title: string; format: string }>;
  };
}

function base64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function check(out: ExportOutput, source: string, expected?: Float32Array): Promise<Check> {
  return executeServerCommand('export-check', {
    bytes: base64(out.bytes),
    source,
    ...(expected && {
      expected: base64(new Uint8Array(expected.buffer, expected.byteOffset, expected.byteLength)),
    }),
  }) as Promise<Check>;
}

async function open(el: SrViewer, path: string): Promise<void> {
  const loaded = new Promise((r) => el.addEventListener('sr-image-loaded', r, { once: true }));
  el.src = `/${path}`;
  await loaded;
}

function record<K extends 'sr-export-progress' | 'sr-export-done' | 'sr-export-error'>(
  el: SrViewer,
  type: K,
) {
  const seen: Array<HTMLElementEventMap[K]['detail']> = [];
  el.addEventListener(type, (e) => seen.push(e.detail));
  return seen;
}

describe('<sr-viewer> export (real fixtures, WASM, reference tools on the Node side)', function () {
  this.timeout(180_000);

  describe('whole frames', () => {
    afterEach(() => document.body.replaceChildren());

    it('DICOM of the whole 64x64 MR frame: derived, no new dciodvfy error, pydicom pixels = the enhanced values', async () => {
      const el = mountViewer();
      await open(el, MR64);
      expect(await el.exportFormats()).to.deep.equal(['dicom', 'png', 'jpeg', 'npy']);
      const progress = record(el, 'sr-export-progress');
      const done = record(el, 'sr-export-done');
      const t0 = performance.now();
      const dcm = await el.export({ format: 'dicom' });
      const ms = performance.now() - t0;
      expect(dcm.format).to.equal('dicom');
      expect(progress.length).to.be.greaterThan(0);
      expect(progress.at(-1)!.done).to.equal(progress.at(-1)!.total);
      expect(done).to.deep.equal([{ format: 'dicom', bytes: dcm.bytes.length, notes: dcm.notes }]);
      // the same frame as float32: its tiles come from the shared cache, so these are the same values
      const npy = decodeNpy((await el.export({ format: 'npy' })).bytes);
      expect(npy.shape).to.deep.equal([128, 128]);
      const c = await check(dcm, MR64, npy.data as Float32Array);
      console.log(
        `MR64 DICOM x2 on WASM in ${ms.toFixed(0)} ms, ${dcm.bytes.length} B; dciodvfy errors source ${c.dicom?.dciodvfy.source} derived ${c.dicom?.dciodvfy.derived}; ` +
          `pydicom max |diff| ${c.dicom?.pydicom.maxDiff} (slope ${c.dicom?.pydicom.slope}); notes ${JSON.stringify(dcm.notes)}`,
      );
      expect(c.verify.format).to.equal('dicom');
      expect(c.verify.aiEnhanced).to.equal(true);
      expect(String(c.verify.dicom?.['DerivationDescription'])).to.contain('AI-enhanced');
      if (c.dicom?.skipped) return console.log(`oracles skipped: ${c.dicom.skipped}`);
      expect(c.dicom!.dciodvfy.new).to.deep.equal([]);
      const py = c.dicom!.pydicom;
      expect(py.error).to.equal(undefined);
      expect([py.rows, py.cols, py.gdcm]).to.deep.equal([128, 128, true]);
      // stored on the rescale grid: at most half a step from the enhanced value
      expect(py.maxDiff!).to.be.at.most(py.slope / 2 + 1e-6);
    });

    it('GeoTIFF of the whole 128x128 DSM: same CRS, geotransform / 2, provenance; DICOM refused before any inference', async () => {
      const el = mountViewer();
      await open(el, DSM);
      expect(await el.exportFormats()).to.deep.equal(['geotiff', 'png', 'jpeg', 'npy']);
      const progress = record(el, 'sr-export-progress');
      const errors = record(el, 'sr-export-error');
      let refused: { code?: string } | undefined;
      const t0 = performance.now();
      await el.export({ format: 'dicom' }).catch((e: { code?: string }) => (refused = e));
      console.log(`DICOM of a GeoTIFF refused in ${(performance.now() - t0).toFixed(0)} ms`);
      expect(refused?.code).to.equal('UNSUPPORTED_EXPORT');
      expect(errors.map((e) => e.code)).to.deep.equal(['UNSUPPORTED_EXPORT']);
      expect(progress).to.deep.equal([]); // no tile was run
      const tif = await el.export({ format: 'geotiff' });
      expect(progress.at(-1)).to.deep.include({ done: progress.at(-1)!.total });
      const c = await check(tif, DSM);
      expect(c.verify.aiEnhanced).to.equal(true);
      if (c.geotiff?.skipped) return console.log(`gdalinfo skipped: ${c.geotiff.skipped}`);
      const { derived: d, source: s } = c.geotiff!;
      console.log(
        `DSM GeoTIFF ${tif.bytes.length} B: size ${d.size}, geotransform ${d.geoTransform} (source ${s.geoTransform})`,
      );
      expect(d.size).to.deep.equal([256, 256]);
      expect(d.wkt).to.equal(s.wkt);
      expect(d.tilesr).to.equal(true);
      const [ox, pw, rr, oy, cr, ph] = s.geoTransform as [number, number, number, number, number, number];
      const want = [ox, pw / 2, rr / 2, oy, cr / 2, ph / 2];
      d.geoTransform.forEach((v, i) =>
        expect(v).to.be.closeTo(want[i]!, 1e-9 * Math.max(1, Math.abs(want[i]!))),
      );
    });

    it('an opened File is read again for the export: its dataset and name carry over', async () => {
      const el = mountViewer();
      const file = new File([await (await fetch(`/${MR64}`)).arrayBuffer()], 'study-1.dcm');
      await el.open(file);
      expect(el.sourceName).to.equal('study-1.dcm');
      const dcm = await el.export({ format: 'dicom', burnIn: true });
      const c = await check(dcm, MR64);
      expect(c.verify.aiEnhanced).to.equal(true);
      expect(c.verify.dicom?.['BurnedInAnnotation']).to.equal('YES');
      if (!c.dicom?.skipped) expect(c.dicom!.dciodvfy.new).to.deep.equal([]);
    });
  });

  describe('the 384x384 MR zoomed in, enhanced live', () => {
    let el: SrViewer;
    before(async () => {
      el = mountViewer();
      await open(el, MR);
      const prov = new Promise((r) => el.addEventListener('sr-provenance', r, { once: true }));
      el.zoomTo(4, { x: 192, y: 192 });
      el.enhance = true;
      await prov;
    });
    after(() => el.remove());

    it('PNG of the visible cells: marked, C2PA valid by c2pa-rs (untrusted test signer), the source as ingredient', async () => {
      const region = el.provenance!.region;
      expect(region).to.deep.equal({ x: 128, y: 128, width: 128, height: 128 });
      const png = await el.export({ format: 'png', scope: 'visible' });
      const img = decodePng(png.bytes);
      expect([img.width, img.height]).to.deep.equal([256, 256]);
      expect(png.notes.join(' ')).to.contain('UNTRUSTED tilesr test certificate');
      const c = await check(png, MR);
      console.log(
        `PNG ${png.bytes.length} B: c2pa ${c.c2pa?.state} ${JSON.stringify(c.c2pa?.failures)}, ingredients ${JSON.stringify(c.c2pa?.ingredients)}`,
      );
      expect(c.verify.aiEnhanced).to.equal(true);
      expect(c.c2pa!.state).to.equal('Valid');
      expect(c.c2pa!.failures).to.deep.equal(['signingCredential.untrusted']);
      expect(c.c2pa!.actions).to.deep.equal(['c2pa.opened', 'c2pa.edited']);
      expect(c.c2pa!.digitalSourceType).to.match(/trainedAlgorithmicMedia$/);
      expect(c.c2pa!.tilesrAssertion).to.equal(true);
      expect(c.c2pa!.ingredients.map((i) => i.title)).to.include('mr384_12bit_explicit_le.dcm');
    });

    it('the exported pixels are the live cells (same enhanceRaster, same ranges) within 1e-4 normalized', async () => {
      const region = el.provenance!.region;
      const npy = decodeNpy((await el.export({ format: 'npy', scope: 'visible' })).bytes);
      expect(npy.shape).to.deep.equal([region.height * 2, region.width * 2]);
      const loaded = getLoadedRaster(el.info!.imageId)!;
      const range = computeRange(loaded.modality, { stride: 1, band: 0 });
      const shared = await sharedSession('medical-x2', 'fidelity', 'wasm');
      let worst = 0;
      for (const t of el.provenance!.tiles) {
        // what live-enhance runs for this cell (plugin/viewer/cell.ts)
        const cell = await enhanceCell(loaded.raster, t.rect, {
          modelId: 'medical-x2',
          bands: [0],
          ranges: [range],
          session: shared.session,
        });
        const W = region.width * 2;
        for (let j = 0; j < cell.height; j++)
          for (let i = 0; i < cell.width; i++) {
            const x = (t.rect.x - region.x) * 2 + i;
            const y = (t.rect.y - region.y) * 2 + j;
            const d = Math.abs(Number(npy.data[y * W + x]) - cell.data[j * cell.width + i]!);
            worst = Math.max(worst, d / (range.hi - range.lo));
          }
      }
      console.log(
        `${el.provenance!.tiles.length} live cells vs export: max |diff| ${worst.toExponential(2)} normalized`,
      );
      expect(el.provenance!.tiles.length).to.equal(4);
      expect(worst).to.be.at.most(1e-4);
    });

    it('cancel() mid-export rejects with ABORTED, no sr-export-done; so does the caller signal', async () => {
      for (const how of ['cancel()', 'signal'] as const) {
        const progress = record(el, 'sr-export-progress');
        const done = record(el, 'sr-export-done');
        const errors = record(el, 'sr-export-error');
        const ac = new AbortController();
        const first = new Promise((r) => el.addEventListener('sr-export-progress', r, { once: true }));
        const pending = el.export({ format: 'dicom', signal: ac.signal }).then(
          () => undefined,
          (e: { code?: string }) => e,
        );
        await first; // mid-export: at least one tile of the whole 384x384 frame is done
        if (how === 'cancel()') el.cancel();
        else ac.abort();
        const err = await pending;
        console.log(`${how}: aborted after ${progress.at(-1)?.done}/${progress.at(-1)?.total} tiles`);
        expect(err?.code, how).to.equal('ABORTED');
        expect(progress.at(-1)!.done).to.be.lessThan(progress.at(-1)!.total);
        expect(done, how).to.deep.equal([]);
        expect(errors.map((e) => e.code)).to.deep.equal(['ABORTED']);
        expect(el.exporting).to.equal(0);
      }
    });
  });
});
