// Chromium: every DICOM fixture decodes through the module worker, from a URL served by the test
// server and from a File, to exactly the bytes Node's decoder produces (compared live through the
// node-decode server command's sha256). Also: an AbortSignal cancels a running worker decode and
// the source keeps working afterwards.
import { expect } from '@esm-bundle/chai';
import { digest, nodeDigest, type RasterDigest } from '../../test/raster-digest.ts';
import { FormatError, openRaster, type PixelWindow } from '../index.ts';
import { DEFAULT_LIMITS } from '../raster.ts';
import { canUseWorker, openDicom } from './source.ts';
import { decodeHtj2k } from './codecs/htj2k.ts';
import { loadUmd, packageFileUrl } from '../load.ts';
import { WorkerDicomSource } from './worker-client.ts';

const FILES = [
  'cr440_mono1_10bit.dcm',
  'ct128_signed16_explicit_le.dcm',
  'ct512_2frame_jpeg_extended12_fragmented_nobot.dcm',
  'ct512_j2k_lossy.dcm',
  'ct512_jpeg_baseline_8bit.dcm',
  'ct512_jpegls_near_lossless.dcm',
  'mr384_12bit_explicit_le.dcm',
  'mr384_12bit_j2k_lossless.dcm',
  'mr384_12bit_jpeg_lossless_sv1.dcm',
  'mr384_12bit_jpegls_lossless_charls.dcm',
  'mr384_12bit_rle.dcm',
  'mr64_10frame_12bit_explicit_le.dcm',
  'mr64_10frame_12bit_rle.dcm',
  'mr64_explicit_be.dcm',
  'mr64_implicit_le.dcm',
  'ot512_8bit_deflated.dcm',
  'sc100_rgb_jpeg_baseline_ybr422.dcm',
];

function nodeDicomDigest(name: string, frame: number, window?: PixelWindow): Promise<RasterDigest> {
  return nodeDigest({ path: `fixtures/dicom/${name}`, frame, ...(window ? { window } : {}) });
}

const url = (name: string) => new URL(`/fixtures/dicom/${name}`, location.href);

describe('DICOM in Chromium (worker) equals Node', () => {
  it('decodes in a module worker by default in a window', async () => {
    expect(canUseWorker()).to.equal(true);
    const src = await openRaster(url('mr64_implicit_le.dcm'));
    expect(src).to.be.instanceOf(WorkerDicomSource);
    await src.close();
  });

  for (const name of FILES) {
    it(name, async () => {
      const src = await openRaster(url(name));
      try {
        const frames = [...new Set([0, src.info.frames - 1])];
        for (const frame of frames) {
          const ours = await digest(await src.read({ frame }));
          expect(ours, `frame ${frame}`).to.deep.equal(await nodeDicomDigest(name, frame));
        }
        const w = {
          x: 3,
          y: 5,
          width: Math.floor(src.info.width / 2),
          height: Math.floor(src.info.height / 3),
        };
        expect(await digest(await src.read({ frame: 0, window: w }))).to.deep.equal(
          await nodeDicomDigest(name, 0, w),
        );
      } finally {
        await src.close();
      }
    });
  }

  it('decodes from a File the same as from the URL', async () => {
    const name = 'mr384_12bit_jpegls_lossless_charls.dcm';
    const blob = await (await fetch(url(name))).blob();
    const src = await openRaster(new File([blob], name));
    expect(await digest(await src.read())).to.deep.equal(await nodeDicomDigest(name, 0));
    await src.close();
  });

  it('also decodes on the main thread when asked (worker: false), identically', async () => {
    for (const name of [
      'mr384_12bit_jpegls_lossless_charls.dcm',
      'ct512_j2k_lossy.dcm',
      'mr384_12bit_rle.dcm',
    ]) {
      const bytes = new Uint8Array(await (await fetch(url(name))).arrayBuffer());
      const src = await openDicom(bytes, { limits: DEFAULT_LIMITS, worker: false });
      expect(src).not.to.be.instanceOf(WorkerDicomSource);
      expect(await digest(await src.read())).to.deep.equal(await nodeDicomDigest(name, 0));
      await src.close();
    }
  });

  it('HTJ2K (no fixture): OpenJPH round trip of a fixture frame in the browser is lossless', async () => {
    const src = await openDicom(
      new Uint8Array(await (await fetch(url('mr384_12bit_explicit_le.dcm'))).arrayBuffer()),
      {
        limits: DEFAULT_LIMITS,
        worker: false,
      },
    );
    const original = (await src.read()).data as Uint16Array;
    type Encoder = {
      getDecodedBuffer(i: object): Uint8Array;
      setQuality(l: boolean, q: number): void;
      encode(): void;
      getEncodedBuffer(): Uint8Array;
    };
    const factory = (await loadUmd(() => import('@cornerstonejs/codec-openjph/wasmjs'), 'OpenJPH')) as (
      o: object,
    ) => Promise<{
      HTJ2KEncoder: new () => Encoder;
    }>;
    const mod = await factory({
      locateFile: (f: string) => packageFileUrl(`@cornerstonejs/codec-openjph/dist/${f}`),
    });
    const enc = new mod.HTJ2KEncoder();
    const info = {
      width: 384,
      height: 384,
      bitsPerSample: 12,
      componentCount: 1,
      isSigned: false,
      isUsingColorTransform: false,
    };
    enc.getDecodedBuffer(info).set(new Uint8Array(original.buffer, original.byteOffset, original.byteLength));
    enc.setQuality(true, 0);
    enc.encode();
    const encoded = enc.getEncodedBuffer().slice();
    const out = await decodeHtj2k({
      encoded,
      rows: 384,
      columns: 384,
      samples: 1,
      bitsAllocated: 16,
      bitsStored: 12,
      signed: false,
      planar: false,
      photometric: 'MONOCHROME2',
    });
    expect(encoded.length).to.be.below(original.byteLength); // it did compress
    expect(Array.from(out.pixels)).to.deep.equal(Array.from(original));
  });

  it('errors cross the worker boundary as FormatError with their code', async () => {
    const src = await openRaster(url('mr64_10frame_12bit_rle.dcm'));
    try {
      await src.read({ frame: 10 });
      expect.fail('frame 10 of 10 decoded');
    } catch (err) {
      expect(err).to.be.instanceOf(FormatError);
      expect((err as FormatError).code).to.equal('FRAME_OUT_OF_RANGE');
    }
    await src.close();
    const bytes = new Uint8Array(await (await fetch(url('mr64_implicit_le.dcm'))).arrayBuffer());
    bytes[131] = 0x58; // DICM -> DICX, and the TIFF preamble cleared: not DICOM any more
    bytes.fill(0, 0, 128);
    try {
      await openDicom(bytes, { limits: DEFAULT_LIMITS });
      expect.fail('opened a damaged file');
    } catch (err) {
      expect((err as FormatError).code).to.equal('NOT_DICOM');
    }
  });

  it('AbortSignal cancels a running worker decode; later reads still work', async () => {
    const name = 'ct512_2frame_jpeg_extended12_fragmented_nobot.dcm';
    const src = await openRaster(url(name));
    try {
      const ctrl = new AbortController();
      const started = performance.now();
      const pending = src.read({ frame: 1, signal: ctrl.signal });
      const queued = src.read({ frame: 0, signal: ctrl.signal }); // waiting behind it: cancelled too
      setTimeout(() => ctrl.abort(), 5);
      for (const p of [pending, queued]) {
        try {
          await p;
          expect.fail('read finished despite the abort');
        } catch (err) {
          expect((err as FormatError).code).to.equal('ABORTED');
        }
      }
      expect(performance.now() - started).to.be.below(2000);
      // the terminated worker is replaced: the next read decodes, identical to Node
      expect(await digest(await src.read({ frame: 1 }))).to.deep.equal(await nodeDicomDigest(name, 1));
    } finally {
      await src.close();
    }
  });

  it('an already-aborted signal rejects opening', async () => {
    const bytes = new Uint8Array(await (await fetch(url('mr64_implicit_le.dcm'))).arrayBuffer());
    try {
      await openDicom(bytes, { limits: DEFAULT_LIMITS, signal: AbortSignal.abort() });
      expect.fail('opened with an aborted signal');
    } catch (err) {
      expect((err as FormatError).code).to.equal('ABORTED');
    }
  });
});
