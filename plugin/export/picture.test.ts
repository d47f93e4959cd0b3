// Pictures: the pixels are the display rendering with the label burned in, and the C2PA manifest
// is judged by the reference reader (c2pa-rs compiled to wasm, @contentauth/c2pa-wasm): valid with
// only the untrusted-credential status for the test chain, invalid after one byte of image data
// changes, and readC2paProvenance agrees with it both times.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as c2paWasm from '@contentauth/c2pa-wasm';
import jpeg from 'jpeg-js';
import { openRaster } from '../../formats/index.ts';
import { crc32 } from '../../formats/png/common.ts';
import { decodePng } from '../../formats/png/decode.ts';
import type { ImageInfo } from '../../formats/raster.ts';
import { enhanceRaster, type EnhanceResult } from '../pipeline/enhance.ts';
import { TILESR_VERSION } from '../pipeline/provenance.ts';
import { burnLabel, watermarkText } from '../watermark/burn.ts';
import { createSigner, readC2paProvenance, TEST_SIGNER_NOTE } from './c2pa.ts';
import { ExportError } from './errors.ts';
import { getWriter } from './index.ts';
import { jpegWriter, markedPicture, pngWriter } from './picture.ts';
import { renderForDisplay } from './render.ts';
import { TEST_SIGNER_CHAIN_PEM, TEST_SIGNER_KEY_PEM, TEST_SIGNER_ROOT_PEM } from './test-signer.ts';
import type { ExportRequest, ExportSigner } from './types.ts';

const AI = 'http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia';

interface Enhanced {
  result: EnhanceResult;
  info: ImageInfo;
  bytes: Uint8Array;
  name: string;
}

let mr: Enhanced;
let rgb: Enhanced;

async function enhanceFile(file: string, modelId: string, size: number): Promise<Enhanced> {
  const src = await openRaster(file);
  try {
    const raster = await src.read();
    const x = Math.floor((raster.width - size) / 2);
    const y = Math.floor((raster.height - size) / 2);
    const result = await enhanceRaster(raster, { modelId, window: { x, y, width: size, height: size } });
    return { result, info: src.info, bytes: readFileSync(file), name: file.split('/').pop() as string };
  } finally {
    await src.close();
  }
}

before(async () => {
  c2paWasm.initSync({ module: readFileSync('node_modules/@contentauth/c2pa-wasm/pkg/c2pa_bg.wasm') });
  mr = await enhanceFile('fixtures/dicom/mr384_12bit_explicit_le.dcm', 'medical-x2', 64);
  assert.equal(mr.result.provenance.source.window.x, 160, 'the brief window 160,160,64,64');
  rgb = await enhanceFile('fixtures/geotiff/u8_rgb_jpeg_tiled.tif', 'satellite-x2', 48);
});

function request(e: Enhanced, extra: Partial<ExportRequest> = {}): ExportRequest {
  return { result: e.result, source: { info: e.info, bytes: e.bytes, name: e.name }, ...extra };
}

interface Reference {
  state: string;
  failures: string[];
  json: {
    active_manifest: string;
    manifests: Record<string, { assertions: Array<{ label: string; data: Record<string, unknown> }> }>;
  };
}

/** What c2pa-rs says; trust anchors turn the test root into a trusted one. */
async function reference(bytes: Uint8Array, mediaType: string, anchors?: string): Promise<Reference> {
  const context = anchors ? JSON.stringify({ trust: { trust_anchors: anchors } }) : undefined;
  const reader = await c2paWasm.WasmReader.fromBytes(mediaType, bytes, context);
  try {
    const json = JSON.parse(reader.json());
    const failures = (json.validation_status ?? []).map((s: { code: string }) => s.code).sort();
    return { state: json.validation_state, failures, json };
  } finally {
    reader.free();
  }
}

/** Flips one byte in the middle of the first IDAT's compressed data; the CRC is fixed so only pixels change. */
function tamperPng(bytes: Uint8Array): Uint8Array {
  const out = bytes.slice();
  const dv = new DataView(out.buffer);
  for (let pos = 8; pos + 8 <= out.length;) {
    const len = dv.getUint32(pos);
    if (String.fromCharCode(...out.subarray(pos + 4, pos + 8)) === 'IDAT') {
      const i = pos + 8 + (len >> 1);
      out[i] = (out[i] as number) ^ 0x01;
      dv.setUint32(pos + 8 + len, crc32(out.subarray(pos + 4, pos + 8 + len)));
      return out;
    }
    pos += 12 + len;
  }
  throw new Error('no IDAT');
}

/** Flips one bit of an entropy-coded byte in the middle of the JPEG scan (no marker is created or broken). */
function tamperJpeg(bytes: Uint8Array): Uint8Array {
  const out = bytes.slice();
  let pos = 2;
  while (!(out[pos] === 0xff && out[pos + 1] === 0xda))
    pos += 2 + ((out[pos + 2] as number) << 8) + (out[pos + 3] as number);
  const start = pos + 2 + ((out[pos + 2] as number) << 8) + (out[pos + 3] as number);
  for (let i = start + ((out.length - start) >> 1); i < out.length - 2; i++) {
    const v = out[i] as number;
    if (v !== 0xff && out[i - 1] !== 0xff && (v ^ 1) !== 0xff) {
      out[i] = v ^ 1;
      return out;
    }
  }
  throw new Error('no scan byte to flip');
}

/** Checks a signed picture against the reference reader and readC2paProvenance, intact and tampered. */
async function checkCredentials(bytes: Uint8Array, mediaType: string, tamper: (b: Uint8Array) => Uint8Array) {
  const ref = await reference(bytes, mediaType);
  assert.equal(ref.state, 'Valid', JSON.stringify(ref.failures));
  assert.deepEqual(ref.failures, ['signingCredential.untrusted']);
  const manifest = ref.json.manifests[ref.json.active_manifest];
  const actions = manifest?.assertions.find((a) => a.label === 'c2pa.actions.v2')?.data.actions as Array<{
    action: string;
    digitalSourceType?: string;
    description?: string;
  }>;
  assert.deepEqual(
    actions.map((a) => a.action),
    ['c2pa.opened', 'c2pa.edited'],
  );
  assert.equal(actions[1]?.digitalSourceType, AI);
  assert.match(actions[1]?.description ?? '', /^super-resolved x\d by /);
  assert.ok(manifest?.assertions.some((a) => a.label === 'org.tilesr.enhancement'));
  // the chain meets c2pa-rs's certificate profile: trusted once its root is an anchor
  assert.equal((await reference(bytes, mediaType, TEST_SIGNER_ROOT_PEM)).state, 'Trusted');

  const ours = await readC2paProvenance(bytes, mediaType);
  assert.equal(ours.validation.valid, true);
  assert.deepEqual(failures(ours), ref.failures);
  assert.equal(ours.aiGenerated, true);
  assert.equal(ours.testSigner, true);
  assert.equal(ours.manifest?.actions[1]?.description, actions[1]?.description);
  assert.equal(ours.manifest?.actions[1]?.softwareAgent, `tilesr ${TILESR_VERSION}`);

  const bad = tamper(bytes);
  const refBad = await reference(bad, mediaType);
  assert.equal(refBad.state, 'Invalid');
  assert.deepEqual(refBad.failures, ['assertion.dataHash.mismatch', 'signingCredential.untrusted']);
  const oursBad = await readC2paProvenance(bad, mediaType);
  assert.equal(oursBad.validation.valid, false);
  assert.deepEqual(failures(oursBad), refBad.failures);
  return ours;
}

function failures(p: Awaited<ReturnType<typeof readC2paProvenance>>): string[] {
  return p.validation.statuses
    .filter((s) => !s.success)
    .map((s) => s.code)
    .sort();
}

test('the bundled test signer: the TS strings equal the PEM files', () => {
  const dir = 'plugin/export/test-signer/';
  assert.equal(TEST_SIGNER_CHAIN_PEM, readFileSync(dir + 'chain.pem', 'utf8'));
  assert.equal(TEST_SIGNER_KEY_PEM, readFileSync(dir + 'key.pem', 'utf8'));
  assert.equal(TEST_SIGNER_ROOT_PEM, readFileSync(dir + 'root.pem', 'utf8'));
});

test('writers are registered by format with their media types and extensions', async () => {
  assert.equal(await getWriter('png'), pngWriter);
  assert.equal(await getWriter('jpeg'), jpegWriter);
  assert.deepEqual([pngWriter.mediaType, [...pngWriter.extensions]], ['image/png', ['png']]);
  assert.deepEqual([jpegWriter.mediaType, [...jpegWriter.extensions]], ['image/jpeg', ['jpg', 'jpeg']]);
});

test('PNG of an MR window: rendering + burned label, provenance tEXt, valid C2PA; one byte changed is caught', async () => {
  const out = await pngWriter.write(request(mr));
  assert.equal(out.format, 'png');
  assert.equal(out.extension, 'png');
  assert.deepEqual(out.notes, [TEST_SIGNER_NOTE]);
  // the same composition as `tilesr enhance --out x.png`, done by hand
  const { image } = renderForDisplay(mr.result, {
    bits: 8,
    photometric: mr.info.photometric,
    windows: mr.info.windows,
  });
  const unmarked = image.data.slice();
  const text = watermarkText('medical-x2', 2);
  burnLabel(image, text);
  const png = decodePng(out.bytes);
  assert.deepEqual([png.width, png.height, png.samples, png.bitDepth], [128, 128, 1, 8]);
  assert.deepEqual(png.data, image.data);
  assert.notDeepEqual(png.data, unmarked, 'the label is in the pixels');
  const latin1 = new TextDecoder('latin1').decode(out.bytes);
  assert.ok(latin1.includes('tilesr:provenance\0{"aiEnhanced":true'), 'provenance tEXt');
  assert.ok(latin1.includes('caBX'), 'C2PA chunk');

  const ours = await checkCredentials(out.bytes, 'image/png', tamperPng);
  const t = ours.manifest?.tilesr;
  assert.equal(t?.modelId, 'medical-x2');
  assert.equal(t?.sha256, mr.result.provenance.sha256);
  assert.equal(t?.scale, 2);
  assert.equal(t?.perceptual, false);
  assert.equal(t?.watermark, text);
  const sourceHash = createHash('sha256').update(mr.bytes).digest('hex');
  assert.equal(t?.source.sha256, sourceHash);
  assert.deepEqual(ours.manifest?.ingredients, [
    {
      title: mr.name,
      format: 'application/dicom',
      relationship: 'parentOf',
      instanceID: `sha256:${sourceHash}`,
    },
  ]);
  assert.equal(ours.manifest?.claimGenerator, `tilesr ${TILESR_VERSION}`);
});

test('JPEG of an MR window and PNG/JPEG of a GeoTIFF RGB window: decodable, valid C2PA, tampering caught', async () => {
  const mrJpeg = await jpegWriter.write(request(mr));
  assert.equal(mrJpeg.extension, 'jpg');
  await checkCredentials(mrJpeg.bytes, 'image/jpeg', tamperJpeg);

  const rgbPng = await pngWriter.write(request(rgb));
  const png = decodePng(rgbPng.bytes);
  assert.deepEqual(png.data, markedPicture(rgb.result, rgb.info).image.data);
  assert.equal(png.samples, 3);
  await checkCredentials(rgbPng.bytes, 'image/png', tamperPng);

  const rgbJpeg = await jpegWriter.write(request(rgb));
  await checkCredentials(rgbJpeg.bytes, 'image/jpeg', tamperJpeg);
  const decoded = jpeg.decode(rgbJpeg.bytes, { useTArray: true });
  assert.deepEqual([decoded.width, decoded.height], [96, 96]);
  // lossy, but close to the marked rendering: the label survives
  const marked = markedPicture(rgb.result, rgb.info).image;
  let err = 0;
  for (let i = 0; i < 96 * 96; i++)
    for (let c = 0; c < 3; c++)
      err += Math.abs((decoded.data[i * 4 + c] as number) - (marked.data[i * 3 + c] as number));
  assert.ok(err / (96 * 96 * 3) < 6, `mean abs error ${err / (96 * 96 * 3)}`);
});

test('a caller-supplied signer: no test-signer note; bad certificates or keys fail with SIGNING_FAILED', async () => {
  const signer = { certificateChainPem: TEST_SIGNER_CHAIN_PEM, privateKeyPem: TEST_SIGNER_KEY_PEM };
  const out = await pngWriter.write(request(mr, { signer }));
  assert.deepEqual(out.notes, []);
  assert.equal((await reference(out.bytes, 'image/png')).state, 'Valid');

  const other = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign']);
  const der = Buffer.from(await crypto.subtle.exportKey('pkcs8', other.privateKey)).toString('base64');
  const otherKey = `-----BEGIN PRIVATE KEY-----\n${der}\n-----END PRIVATE KEY-----\n`;
  const intermediate = TEST_SIGNER_CHAIN_PEM.slice(
    TEST_SIGNER_CHAIN_PEM.indexOf('-----END CERTIFICATE-----') + 26,
  );
  const bad = [
    { certificateChainPem: 'not a certificate', privateKeyPem: TEST_SIGNER_KEY_PEM },
    { certificateChainPem: TEST_SIGNER_CHAIN_PEM, privateKeyPem: 'not a key' },
    { certificateChainPem: TEST_SIGNER_CHAIN_PEM, privateKeyPem: otherKey },
    {
      certificateChainPem: TEST_SIGNER_CHAIN_PEM.replace(/[A-Za-z]{8}\n/, 'AAAAAAAA\n'),
      privateKeyPem: TEST_SIGNER_KEY_PEM,
    },
    // the intermediate CA alone: a CA certificate is not a signing certificate
    { certificateChainPem: intermediate, privateKeyPem: TEST_SIGNER_KEY_PEM },
  ];
  for (const s of bad)
    await assert.rejects(
      jpegWriter.write(request(mr, { signer: s })),
      (e: unknown) => e instanceof ExportError && e.code === 'SIGNING_FAILED',
    );
  await assert.rejects(createSigner(bad[4] as ExportSigner), /not a signing \(end-entity/);
});

test('a perceptual model says so in the burned label, the tEXt and the manifest', async () => {
  const result = { ...mr.result, provenance: { ...mr.result.provenance, perceptual: true } };
  const out = await pngWriter.write(request({ ...mr, result }));
  const text = watermarkText('medical-x2 perceptual', 2);
  assert.equal(markedPicture(result, mr.info).text, text);
  assert.deepEqual(decodePng(out.bytes).data, markedPicture(result, mr.info).image.data);
  assert.ok(new TextDecoder('latin1').decode(out.bytes).includes('Description\0' + text.replace(/·/g, '-')));
  const p = await readC2paProvenance(out.bytes, 'image/png');
  assert.equal(p.manifest?.tilesr?.perceptual, true);
  assert.match(p.manifest?.actions[1]?.description ?? '', /GAN: may invent texture/);
});

test('burnIn=false does not remove the mark from a picture, and says so', async () => {
  const out = await pngWriter.write(request(mr, { burnIn: false }));
  assert.deepEqual(decodePng(out.bytes).data, markedPicture(mr.result, mr.info).image.data);
  assert.equal(out.notes.length, 2);
  assert.match(out.notes[1] as string, /burned into PNG pictures regardless/);
});

test('readC2paProvenance on a picture without credentials: no manifest, not valid, not AI-declared', async () => {
  const { encodePng } = await import('../../formats/png/encode.ts');
  const plain = encodePng({ width: 2, height: 2, channels: 1, data: new Uint8Array(4) });
  const p = await readC2paProvenance(plain, 'image/png');
  assert.equal(p.manifest, undefined);
  assert.equal(p.validation.valid, false);
  assert.equal(p.aiGenerated, false);
});

test('an aborted export throws ABORTED', async () => {
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(
    pngWriter.write(request(mr, { signal: controller.signal })),
    (e: unknown) => e instanceof ExportError && e.code === 'ABORTED',
  );
});
