/**
 * Reads and validates the C2PA manifest of a PNG or JPEG (for `tilesr verify` and the viewer):
 * signature, hard binding (data hash) and assertion hashes, with @trustnxt/c2pa-ts. tilesr holds
 * no trust list, so a signing credential is never reported trusted: like c2pa-rs without trust
 * anchors, it adds `signingCredential.untrusted`, which does not make the manifest invalid.
 */
import { JPEG, PNG, type Asset } from '@trustnxt/c2pa-ts/asset';
import { CBORBox, SuperBox } from '@trustnxt/c2pa-ts/jumbf';
import {
  AssertionLabels,
  DigitalSourceType,
  IngredientAssertion,
  ManifestStore,
  ValidationResult,
  ValidationStatusCode,
} from '@trustnxt/c2pa-ts/manifest';
import { TEST_SIGNER_CHAIN_PEM } from './test-signer.ts';

/** Label of tilesr's own assertion (reverse-domain, as C2PA asks of custom labels). */
export const TILESR_ASSERTION = 'org.tilesr.enhancement';

/** Content of the `org.tilesr.enhancement` assertion. */
export interface TilesrAssertion {
  modelId: string;
  variant: string;
  modelVersion: string;
  /** sha256 of the model weights. */
  sha256: string;
  scale: number;
  backends: string[];
  perceptual: boolean;
  /** The text burned into the pixels. */
  watermark: string;
  source: { format: string; name?: string; sha256?: string };
  tilesrVersion: string;
}

/** One validation status (C2PA 2.1, 15.2.1 codes). `success: false` marks a failure. */
export interface C2paStatus {
  code: string;
  url?: string;
  explanation?: string;
  success: boolean;
}

/** What a picture's Content Credentials say, and whether they hold. */
export interface C2paProvenance {
  /** The active manifest, when the file has one that could be parsed. */
  manifest?: {
    label: string;
    title?: string;
    format?: string;
    claimGenerator?: string;
    actions: Array<{
      action: string;
      digitalSourceType?: string;
      softwareAgent?: string;
      description?: string;
    }>;
    ingredients: Array<{ title?: string; format?: string; relationship?: string; instanceID?: string }>;
    /** The `org.tilesr.enhancement` assertion, when present. */
    tilesr?: TilesrAssertion;
    signer?: { subject: string; issuer: string; notBefore: string; notAfter: string };
  };
  validation: {
    /** Signature, data hash and assertion hashes all hold (trust is not part of it). */
    valid: boolean;
    /** Always false: tilesr has no trust list. */
    trusted: false;
    statuses: C2paStatus[];
  };
  /** An action declares AI (trained-model) media, whether or not the manifest is valid. */
  aiGenerated: boolean;
  /** Signed with the bundled UNTRUSTED tilesr test certificate. */
  testSigner: boolean;
}

const AI_SOURCE_TYPES: readonly string[] = [
  DigitalSourceType.TrainedAlgorithmicMedia,
  DigitalSourceType.CompositeWithTrainedAlgorithmicMedia,
  DigitalSourceType.C2paTrainedAlgorithmicMedia,
];

function base64Der(pem: string): string {
  return (/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END/.exec(pem)?.[1] ?? '').replace(/\s+/g, '');
}

function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

function openAsset(bytes: Uint8Array, mediaType: string): Asset | undefined {
  if ((mediaType === 'image/png' || !JPEG.canRead(bytes)) && PNG.canRead(bytes)) return new PNG(bytes);
  if (JPEG.canRead(bytes)) return new JPEG(bytes);
  return undefined;
}

/** Reads and validates the active manifest of a PNG or JPEG. Never throws for bad content. */
export async function readC2paProvenance(bytes: Uint8Array, mediaType: string): Promise<C2paProvenance> {
  const none: C2paProvenance = {
    validation: { valid: false, trusted: false, statuses: [] },
    aiGenerated: false,
    testSigner: false,
  };
  const asset = openAsset(bytes, mediaType);
  const jumbf = asset?.getManifestJUMBF();
  if (!asset || !jumbf) {
    none.validation.statuses.push({ code: 'claim.missing', explanation: 'no C2PA manifest', success: false });
    return none;
  }
  let store: ManifestStore;
  let result: ValidationResult;
  try {
    store = ManifestStore.read(SuperBox.fromBuffer(jumbf as Uint8Array<ArrayBuffer>));
    result = await store.validate(asset);
  } catch (e) {
    result = ValidationResult.fromError(e as Error);
    none.validation.statuses = result.statusEntries.map((s) => ({ ...s, success: s.success === true }));
    return none;
  }
  const active = store.getActiveManifest();
  // the library says "trusted" for a certificate that merely fits the C2PA profile: trust needs
  // anchors, which tilesr does not hold, so that entry is replaced by "untrusted" (as c2pa-rs does)
  const statuses: C2paStatus[] = result.statusEntries
    .filter((s) => s.code !== ValidationStatusCode.SigningCredentialTrusted)
    .map((s) => ({
      code: s.code,
      ...(s.url !== undefined && { url: s.url }),
      ...(s.explanation !== undefined && { explanation: s.explanation }),
      success: s.success === true,
    }));
  const cert = active?.signature?.signatureData.certificate;
  if (cert)
    statuses.push({
      code: 'signingCredential.untrusted',
      url: `self#jumbf=/c2pa/${active?.label ?? ''}/c2pa.signature`,
      explanation: 'signing certificate untrusted (tilesr holds no trust list)',
      success: false,
    });
  const assertions = active?.assertions;
  const actions = (assertions?.getActionAssertions() ?? []).flatMap((a) =>
    a.actions.map((x, i) => {
      // the library does not read a v2 action's own description: take it from the CBOR
      const box = a.sourceBox?.contentBoxes[0];
      const raw =
        box instanceof CBORBox ? (box.content as { actions?: Array<{ description?: unknown }> }) : {};
      const desc = raw.actions?.[i]?.description ?? x.description ?? x.parameters?.description;
      return {
        action: x.action as string,
        ...(x.digitalSourceType && { digitalSourceType: x.digitalSourceType as string }),
        ...(x.softwareAgent && {
          softwareAgent: [x.softwareAgent.name, x.softwareAgent.version].filter(Boolean).join(' '),
        }),
        ...(typeof desc === 'string' && { description: desc }),
      };
    }),
  );
  const ingredientLabels = [
    AssertionLabels.ingredient,
    AssertionLabels.ingredientV2,
    AssertionLabels.ingredientV3,
  ];
  const ingredients = ingredientLabels
    .flatMap((l) => assertions?.getAssertionsByLabel(l) ?? [])
    .filter((a): a is IngredientAssertion => a instanceof IngredientAssertion)
    .map((i) => ({
      ...(i.title !== undefined && { title: i.title }),
      ...(i.format !== undefined && { format: i.format }),
      ...(i.relationship !== undefined && { relationship: i.relationship as string }),
      ...(i.instanceID !== undefined && { instanceID: i.instanceID }),
    }));
  const box = assertions?.getAssertionsByLabel(TILESR_ASSERTION)[0]?.sourceBox?.contentBoxes[0];
  const tilesr = box instanceof CBORBox ? (box.content as TilesrAssertion) : undefined;
  const claim = active?.claim;
  return {
    ...(active && {
      manifest: {
        label: active.label ?? '',
        ...(claim?.title !== undefined && { title: claim.title }),
        ...(claim?.format !== undefined && { format: claim.format }),
        ...(claim && {
          claimGenerator: [claim.claimGeneratorName, claim.claimGeneratorVersion].filter(Boolean).join(' '),
        }),
        actions,
        ingredients,
        ...(tilesr && { tilesr }),
        ...(cert && {
          signer: {
            subject: cert.subject,
            issuer: cert.issuer,
            notBefore: cert.notBefore.toISOString(),
            notAfter: cert.notAfter.toISOString(),
          },
        }),
      },
    }),
    validation: { valid: result.isValid, trusted: false, statuses },
    aiGenerated: actions.some((a) => a.digitalSourceType && AI_SOURCE_TYPES.includes(a.digitalSourceType)),
    testSigner: !!cert && toBase64(new Uint8Array(cert.rawData)) === base64Der(TEST_SIGNER_CHAIN_PEM),
  };
}
