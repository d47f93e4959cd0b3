import { expect } from '@esm-bundle/chai';
import { IntegrityError, ModelError } from './errors.ts';
import { sha256Hex, verifySha256 } from './integrity.ts';
import { getModel, loadModelBytes, setModelBaseUrl } from './registry.ts';

const rejection = async (p: Promise<unknown>): Promise<unknown> =>
  p.then(
    () => undefined,
    (e: unknown) => e,
  );

describe('registry and integrity in the browser (fetch + WebCrypto)', function () {
  this.timeout(60_000);
  afterEach(() => setModelBaseUrl(undefined));

  it('fetches weights from this origin and verifies them against the card', async () => {
    const e = getModel('satellite-x2');
    expect(new URL(e.onnxUrl).origin).to.equal(location.origin);
    const bytes = await loadModelBytes(e);
    expect(bytes.length).to.equal(e.card.onnx.bytes);
    expect(await sha256Hex(bytes)).to.equal(e.sha256);
  });

  it('substituted weights (the perceptual file under the fidelity card) fail before any session', async () => {
    const e = getModel('medical-x2');
    const swapped = { ...e, onnxUrl: getModel('medical-x2', 'perceptual').onnxUrl };
    const err = await rejection(loadModelBytes(swapped));
    expect(err).to.be.instanceOf(IntegrityError);
    expect((err as IntegrityError).code).to.equal('INTEGRITY_MISMATCH');
    const bytes = await loadModelBytes(e);
    const truncated = await rejection(verifySha256(bytes.subarray(0, bytes.length - 1), e.sha256, 'short'));
    expect(truncated).to.be.instanceOf(IntegrityError);
  });

  it('a configurable base URL; a missing file is MODEL_LOAD_FAILED (not a protobuf error later)', async () => {
    setModelBaseUrl('/models/weights');
    expect(getModel('medical-x4').onnxUrl).to.equal(
      `${location.origin}/models/weights/medical_x4_fidelity.onnx`,
    );
    setModelBaseUrl('/no/such/dir/');
    const err = await rejection(loadModelBytes(getModel('medical-x4')));
    expect(err).to.be.instanceOf(ModelError);
    expect((err as ModelError).code).to.equal('MODEL_LOAD_FAILED');
    expect((err as ModelError).message).to.match(/HTTP 404/);
  });
});
