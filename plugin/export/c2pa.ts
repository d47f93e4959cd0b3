/**
 * C2PA Content Credentials for exported pictures (PNG caBX chunk, JPEG APP11), written and read
 * with @trustnxt/c2pa-ts (pure TS: Node and browsers). The manifest says what tilesr did: it opened
 * the source (a parentOf ingredient) and edited it with a trained model (IPTC digital source type
 * trainedAlgorithmicMedia), plus an `org.tilesr.enhancement` assertion with the model's identity.
 * No timestamp authority is used (exports work offline), so validity is checked against "now".
 */
import {
  BasicConstraintsExtension,
  KeyUsageFlags,
  KeyUsagesExtension,
  X509Certificate,
} from '@peculiar/x509';
import { JPEG, PNG, type Asset } from '@trustnxt/c2pa-ts/asset';
import { CoseAlgorithmIdentifier, type Signer } from '@trustnxt/c2pa-ts/cose';
import { CBORBox, type IBox } from '@trustnxt/c2pa-ts/jumbf';
import {
  ActionAssertion,
  ActionType,
  Assertion,
  ClaimVersion,
  type Claim,
  DataHashAssertion,
  DigitalSourceType,
  IngredientAssertion,
  ManifestStore,
  RelationshipType,
  Signature,
} from '@trustnxt/c2pa-ts/manifest';
import type { Provenance } from '../pipeline/provenance.ts';
import { TILESR_ASSERTION, type TilesrAssertion } from './c2pa-read.ts';
import { ExportError } from './errors.ts';
import { TEST_SIGNER_CHAIN_PEM, TEST_SIGNER_KEY_PEM } from './test-signer.ts';
import type { ExportSigner } from './types.ts';

export {
  readC2paProvenance,
  TILESR_ASSERTION,
  type C2paProvenance,
  type C2paStatus,
  type TilesrAssertion,
} from './c2pa-read.ts';

/** Media types tilesr signs. */
export type PictureMediaType = 'image/png' | 'image/jpeg';

/** What the manifest describes. */
export interface PictureCredentials {
  provenance: Provenance;
  watermark: string;
  /** The enhanced file: name, media type, and bytes when the caller has them (hashed, never embedded). */
  source: { name?: string; mediaType: string; bytes?: Uint8Array };
  /** Title of the exported picture (default: derived from the source name). */
  title?: string;
}

const SIGNING_ALGORITHM = { name: 'ECDSA', hash: 'SHA-256' } as const;
const P256 = { name: 'ECDSA', namedCurve: 'P-256' } as const;
/** Room for the ES256 signature (64 bytes) and CBOR slack; the library's default reserves 25 kB. */
const SIGNATURE_PADDING = 1024;

/** JUMBF content type of CBOR assertions (C2PA 2.1, 11.1). */
const CBOR_ASSERTION_UUID = Uint8Array.from([
  0x63, 0x62, 0x6f, 0x72, 0x00, 0x11, 0x00, 0x10, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71,
]);

/**
 * `c2pa.actions.v2` with each action's `description` where C2PA 2.x puts it (top level of the
 * action): the library writes only its parameters.
 */
class ActionsV2Assertion extends ActionAssertion {
  override generateJUMBFBoxForContent(claim: Claim): IBox {
    const box = super.generateJUMBFBoxForContent(claim);
    const raw = (box as CBORBox).content as { actions: Array<Record<string, unknown>> };
    raw.actions.forEach((a, i) => {
      const description = this.actions[i]?.description;
      if (description) a.description = description;
    });
    return box;
  }
}

/** A CBOR assertion with a label of our own (the library has classes for standard labels only). */
export class CborAssertion extends Assertion {
  content: unknown;
  constructor(label = '', content: unknown = undefined) {
    super();
    this.label = label;
    this.uuid = CBOR_ASSERTION_UUID;
    this.content = content;
  }
  readContentFromJUMBF(box: IBox): void {
    if (box instanceof CBORBox) this.content = box.content;
  }
  generateJUMBFBoxForContent(): IBox {
    const box = new CBORBox();
    box.content = this.content;
    return box;
  }
}

function pemBlocks(pem: string, type: string): Array<Uint8Array<ArrayBuffer>> {
  const re = new RegExp(`-----BEGIN ${type}-----([\\s\\S]*?)-----END ${type}-----`, 'g');
  return [...pem.matchAll(re)].map((m) => {
    const bin = atob((m[1] as string).replace(/\s+/g, ''));
    return Uint8Array.from(bin, (c) => c.charCodeAt(0));
  });
}

/**
 * Signs with WebCrypto and returns the raw r||s signature COSE requires (RFC 9053 2.1): the
 * library's LocalSigner DER-encodes it, which c2pa-rs rejects.
 */
class WebCryptoSigner implements Signer {
  readonly algorithm = CoseAlgorithmIdentifier.ES256;
  constructor(
    private readonly key: CryptoKey,
    readonly certificate: X509Certificate,
    readonly chainCertificates: X509Certificate[],
  ) {}
  async sign(payload: Uint8Array): Promise<Uint8Array> {
    // WebCrypto takes no views of shared memory; the library's payloads are plain ArrayBuffers
    const data = payload as Uint8Array<ArrayBuffer>;
    return new Uint8Array(await globalThis.crypto.subtle.sign(SIGNING_ALGORITHM, this.key, data));
  }
}

/**
 * A signer from PEM (leaf first, PKCS#8 ECDSA P-256 key); SIGNING_FAILED when the certificates or
 * the key cannot be read, the leaf is not P-256, or the key does not belong to the leaf.
 */
export async function createSigner(signer: ExportSigner): Promise<Signer> {
  const fail = (why: string, cause?: unknown): never => {
    throw new ExportError('SIGNING_FAILED', `C2PA signing failed: ${why}`, { cause });
  };
  let certs: X509Certificate[] = [];
  try {
    certs = pemBlocks(signer.certificateChainPem, 'CERTIFICATE').map((der) => new X509Certificate(der));
  } catch (e) {
    fail('the certificate chain is not valid PEM/X.509', e);
  }
  const [leaf, ...chain] = certs;
  if (!leaf) return fail('no certificate in the chain PEM');
  // what readers would reject anyway, caught before a picture is made with it
  const now = new Date();
  if (leaf.notBefore > now || leaf.notAfter < now)
    fail(
      `the signing certificate is valid ${leaf.notBefore.toISOString()} to ${leaf.notAfter.toISOString()} only`,
    );
  const usage = leaf.getExtension(KeyUsagesExtension);
  if (
    leaf.getExtension(BasicConstraintsExtension)?.ca ||
    (usage && !(usage.usages & KeyUsageFlags.digitalSignature))
  )
    fail('the first certificate is not a signing (end-entity, digitalSignature) certificate');
  const keyDer = pemBlocks(signer.privateKeyPem, 'PRIVATE KEY')[0];
  if (!keyDer) return fail('no PKCS#8 "PRIVATE KEY" block in the key PEM');
  let key: CryptoKey | undefined;
  let publicKey: CryptoKey | undefined;
  try {
    key = await globalThis.crypto.subtle.importKey('pkcs8', keyDer, P256, false, ['sign']);
  } catch (e) {
    fail('the private key is not a PKCS#8 ECDSA P-256 key', e);
  }
  try {
    publicKey = await leaf.publicKey.export(P256, ['verify']);
  } catch (e) {
    fail('the leaf certificate does not hold an ECDSA P-256 key', e);
  }
  // a key that does not match the certificate would sign manifests no reader accepts
  const probe = new TextEncoder().encode('tilesr key check');
  const sig = await globalThis.crypto.subtle.sign(SIGNING_ALGORITHM, key as CryptoKey, probe);
  if (!(await globalThis.crypto.subtle.verify(SIGNING_ALGORITHM, publicKey as CryptoKey, sig, probe)))
    fail('the private key does not belong to the leaf certificate');
  return new WebCryptoSigner(key as CryptoKey, leaf, chain);
}

/** The bundled untrusted test signer (see ./test-signer/README.md). */
export const TEST_SIGNER: ExportSigner = {
  certificateChainPem: TEST_SIGNER_CHAIN_PEM,
  privateKeyPem: TEST_SIGNER_KEY_PEM,
};

/** The note every picture signed with the test signer carries. */
export const TEST_SIGNER_NOTE =
  'Content Credentials signed with the UNTRUSTED tilesr test certificate: they show the picture is ' +
  'unmodified and AI-enhanced, but not who made it; pass a signer for a trusted signature';

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  // a DICOM source can be large: hash the view as it is rather than copy it out of shared memory
  const d = new Uint8Array(
    await globalThis.crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>),
  );
  return Array.from(d, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The `org.tilesr.enhancement` content for a result. */
export async function tilesrAssertion(c: PictureCredentials): Promise<TilesrAssertion> {
  const p = c.provenance;
  return {
    modelId: p.modelId,
    variant: p.variant,
    modelVersion: p.modelVersion,
    sha256: p.sha256,
    scale: p.scale,
    backends: Object.keys(p.backends),
    perceptual: p.perceptual,
    watermark: c.watermark,
    source: {
      format: p.source.format,
      ...(c.source.name !== undefined && { name: c.source.name }),
      ...(c.source.bytes && { sha256: await sha256Hex(c.source.bytes) }),
    },
    tilesrVersion: p.tilesrVersion,
  };
}

/**
 * Embeds a signed manifest into a PNG or JPEG. Without `signer` the bundled test signer is used
 * and a note says so. Throws ExportError('SIGNING_FAILED') for an unusable certificate or key.
 */
export async function signPicture(
  bytes: Uint8Array,
  mediaType: PictureMediaType,
  credentials: PictureCredentials,
  signer?: ExportSigner,
): Promise<{ bytes: Uint8Array; notes: string[] }> {
  const cose = await createSigner(signer ?? TEST_SIGNER);
  const p = credentials.provenance;
  const agent = { name: 'tilesr', version: p.tilesrVersion };
  const asset: Asset = mediaType === 'image/png' ? new PNG(bytes) : new JPEG(bytes);
  const store = new ManifestStore();
  const manifest = store.createManifest({
    claimVersion: ClaimVersion.V2,
    assetFormat: mediaType,
    instanceID: `xmp:iid:${globalThis.crypto.randomUUID()}`,
    defaultHashAlgorithm: 'SHA-256',
    signer: cose,
  });
  const claim = manifest.claim as NonNullable<typeof manifest.claim>;
  claim.claimGeneratorName = agent.name;
  claim.claimGeneratorVersion = agent.version;
  if (credentials.title ?? credentials.source.name)
    claim.title = credentials.title ?? `${credentials.source.name as string} (AI-enhanced)`;
  manifest.signature = Signature.create(cose, SIGNATURE_PADDING);

  const tilesr = await tilesrAssertion(credentials);
  const ingredient = IngredientAssertion.createV3(RelationshipType.ParentOf);
  ingredient.title = credentials.source.name ?? `source ${p.source.format} image`;
  ingredient.format = credentials.source.mediaType;
  // the ingredient is identified by its content hash; the bytes themselves stay out of the picture
  if (tilesr.source.sha256) ingredient.instanceID = `sha256:${tilesr.source.sha256}`;
  manifest.addAssertion(ingredient);

  const actions = new ActionsV2Assertion();
  actions.actions = [
    {
      action: ActionType.C2paOpened,
      parameters: { ingredients: [manifest.createAssertionReference(ingredient)] },
      softwareAgent: agent,
    },
    {
      action: ActionType.C2paEdited,
      digitalSourceType: DigitalSourceType.TrainedAlgorithmicMedia,
      softwareAgent: agent,
      description:
        `super-resolved x${p.scale} by ${p.modelId} (${p.variant}${p.perceptual ? ', GAN: may invent texture' : ''})` +
        ` with tilesr ${p.tilesrVersion}; "${credentials.watermark}" burned into the pixels`,
    },
  ];
  manifest.addAssertion(actions);
  manifest.addAssertion(new CborAssertion(TILESR_ASSERTION, tilesr));

  const hash = DataHashAssertion.create('SHA-256');
  manifest.addAssertion(hash);
  try {
    await asset.ensureManifestSpace(store.measureSize());
    await hash.updateWithAsset(asset);
    await manifest.sign(cose);
    await asset.writeManifestJUMBF(store.getBytes());
  } catch (e) {
    throw new ExportError('SIGNING_FAILED', `C2PA signing failed: ${(e as Error).message}`, { cause: e });
  }
  return {
    bytes: await asset.getDataRange(),
    notes: signer ? [] : [TEST_SIGNER_NOTE],
  };
}
