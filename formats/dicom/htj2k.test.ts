/**
 * HTJ2K (1.2.840.10008.1.2.4.201 / .202): no reference tool here decodes it, and no fixture has it.
 * So: real fixtures' pixels (as pydicom delivers them) are encoded losslessly with OpenJPH's encoder,
 * pydicom writes the codestreams into a real DICOM file, and our decoder must give back exactly
 * pydicom's pixels of the source file, frame by frame.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { openRaster } from '../index.ts';
import { oracleMissing, reference, runPython } from './testing/oracle.ts';

interface Encoder {
  getDecodedBuffer(info: object): Uint8Array;
  setQuality(lossless: boolean, quantizationStep: number): void;
  encode(): void;
  getEncodedBuffer(): Uint8Array;
  delete(): void;
}

async function encoder(): Promise<new () => Encoder> {
  const spec = '@cornerstonejs/codec-openjph/wasmjs';
  const mod = (await import(spec)) as {
    default: (o: object) => Promise<{ HTJ2KEncoder: new () => Encoder }>;
  };
  return (await mod.default({ print: () => {}, printErr: () => {} })).HTJ2KEncoder;
}

const skip = oracleMissing();

describe('HTJ2K lossless round trip through a pydicom-written file', { skip }, () => {
  const tmp = mkdtempSync(join(tmpdir(), 'tilesr-htj2k-'));
  after(() => rmSync(tmp, { recursive: true, force: true }));

  for (const [fixture, ts] of [
    ['mr384_12bit_explicit_le.dcm', '1.2.840.10008.1.2.4.201'],
    ['ct128_signed16_explicit_le.dcm', '1.2.840.10008.1.2.4.202'],
    ['mr64_10frame_12bit_explicit_le.dcm', '1.2.840.10008.1.2.4.201'],
  ] as const) {
    test(`${fixture} as ${ts}`, async () => {
      const src = join('fixtures', 'dicom', fixture);
      const ref = reference(src, join(tmp, `ref-${fixture}`));
      const h = ref.header;
      const Encoder = await encoder();
      const streams: string[] = [];
      for (let f = 0; f < h.frames; f++) {
        const px = ref.frame(f);
        const enc = new Encoder();
        const info = {
          width: h.columns,
          height: h.rows,
          bitsPerSample: h.bitsStored,
          componentCount: 1,
          isSigned: h.pixelRepresentation === 1,
          isUsingColorTransform: false,
        };
        enc
          .getDecodedBuffer(info)
          .set(new Uint8Array(px.data.buffer, px.data.byteOffset, px.data.byteLength));
        enc.setQuality(true, 0);
        enc.encode();
        const path = join(tmp, `${fixture}-${f}.j2c`);
        writeFileSync(path, enc.getEncodedBuffer());
        enc.delete();
        streams.push(path);
      }
      const out = join(tmp, `${fixture}.htj2k.dcm`);
      runPython('dicom_encapsulate.py', [src, ts, out, ...streams]);
      const source = await openRaster(out);
      assert.equal(source.info.transferSyntaxUID, ts);
      assert.equal(source.info.lossy, false);
      for (let f = 0; f < h.frames; f++) {
        const r = await source.read({ frame: f });
        const want = ref.frame(f);
        assert.equal(r.dtype, want.dtype);
        assert.deepEqual(r.data, want.data, `frame ${f}`);
      }
      await source.close();
    });
  }
});
