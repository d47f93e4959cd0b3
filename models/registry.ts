/**
 * The model registry: which generators ship, where their bytes are, and how to load them verified.
 * Ids name a task (`medical-x2`); the variant picks the weights. `fidelity` is the default and the only
 * variant fit for measurement; `perceptual` invents texture and is flagged so UIs must warn.
 * Works in Node (weights read from disk next to this module) and browsers (fetched from a local base
 * URL, never a CDN).
 */
import type * as NodeFs from 'node:fs/promises';
import type { Domain, ModelCard, Variant } from './card.ts';
import { CATALOG } from './catalog.ts';
import { summarizeCard } from './card.ts';
import { asModelError, ModelError, throwIfAborted } from './errors.ts';
import { verifySha256 } from './integrity.ts';

/** Model ids: `<domain>-x<scale>`. */
export type ModelId = 'medical-x2' | 'medical-x4' | 'satellite-x2' | 'satellite-x4';

/** Every id the registry knows, in display order. */
export const MODEL_IDS: readonly ModelId[] = ['medical-x2', 'medical-x4', 'satellite-x2', 'satellite-x4'];

/**
 * Id of a model loaded from an external card (`tilesr train` output, `--model-file`):
 * `external:<card name>`. Never collides with the shipped ids.
 */
export type ExternalModelId = `external:${string}`;

/** One generator: an id plus a variant, with its card and where its weights live. */
export interface ModelEntry {
  id: ModelId | ExternalModelId;
  variant: Variant;
  /** Weights file stem, e.g. `medical_x2_fidelity`; unique per entry. */
  key: string;
  scale: number;
  domain: Domain;
  /** True for GAN-tuned weights: plausible texture that may not exist; UIs must say so. */
  perceptual: boolean;
  card: ModelCard;
  /** Expected sha256 (hex) of the .onnx bytes, from the card. */
  sha256: string;
  /** Halo the tiler needs (LR pixels per side), from the card. */
  receptiveFieldLrPx: number;
  /** Absolute URL of the weights (file: in Node, http(s): in browsers). */
  onnxUrl: string;
  /** External models only: the card's URL (the weights sit next to it). */
  cardUrl?: string;
}

/** External cards loaded this session, by id. */
const EXTERNAL = new Map<string, ModelEntry>();

const DEFAULT_BASE = new URL('./weights/', import.meta.url).href;
let baseUrl = DEFAULT_BASE;

/**
 * Sets where browsers fetch weights from (a directory URL on your own origin, trailing slash added);
 * `undefined` restores the default, the weights/ folder next to this module.
 */
export function setModelBaseUrl(url: string | URL | undefined): void {
  if (url === undefined) {
    baseUrl = DEFAULT_BASE;
    return;
  }
  const href = new URL(String(url), globalThis.location?.href ?? DEFAULT_BASE).href;
  baseUrl = href.endsWith('/') ? href : `${href}/`;
}

function isModelId(id: string): id is ModelId {
  return (MODEL_IDS as readonly string[]).includes(id);
}

/** The entry for `id` and `variant` (default `fidelity`); throws ModelError UNKNOWN_MODEL. */
export function getModel(id: string, variant: Variant = 'fidelity'): ModelEntry {
  const external = EXTERNAL.get(id);
  if (external) {
    if (variant !== external.variant)
      throw new ModelError('UNKNOWN_MODEL', `${id} is a ${external.variant} model, not ${String(variant)}`);
    return external;
  }
  if (!isModelId(id))
    throw new ModelError('UNKNOWN_MODEL', `unknown model "${id}" (known: ${MODEL_IDS.join(', ')})`);
  if (variant !== 'fidelity' && variant !== 'perceptual')
    throw new ModelError('UNKNOWN_MODEL', `unknown variant "${String(variant)}" (fidelity or perceptual)`);
  const key = `${id.replace('-', '_')}_${variant}`;
  const card = CATALOG[key];
  if (!card) throw new ModelError('UNKNOWN_MODEL', `no card for ${key}`);
  return {
    id,
    variant,
    key,
    scale: card.scale,
    domain: card.domain,
    perceptual: variant === 'perceptual',
    card,
    sha256: card.onnx.sha256,
    receptiveFieldLrPx: card.receptive_field_lr_px,
    onnxUrl: new URL(card.onnx.file, baseUrl).href,
  };
}

/** Every entry: fidelity variants first, then perceptual. */
export function listModels(): ModelEntry[] {
  return (['fidelity', 'perceptual'] as const).flatMap((v) => MODEL_IDS.map((id) => getModel(id, v)));
}

// Node's fs is reached through a variable specifier so browser bundlers and dev servers leave it alone.
const NODE_FS = 'node:fs/promises';

/** A file or response larger than the card's `onnx.bytes`: refused before any byte is read. */
class OversizedError extends Error {}

async function readUrl(url: string, signal?: AbortSignal, maxBytes?: number): Promise<Uint8Array> {
  const tooBig = (size: number) => {
    if (maxBytes !== undefined && size > maxBytes)
      throw new OversizedError(`${url} is ${size} bytes, more than the card's ${maxBytes}`);
  };
  if (url.startsWith('file:')) {
    const fs = (await import(NODE_FS)) as typeof NodeFs;
    if (maxBytes !== undefined) tooBig((await fs.stat(new URL(url))).size);
    return new Uint8Array(await fs.readFile(new URL(url), { signal }));
  }
  const res = await fetch(url, { signal });
  if (!res.ok) throw new Error(`HTTP ${res.status} ${res.statusText} for ${url}`);
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared)) tooBig(declared);
  return new Uint8Array(await res.arrayBuffer());
}

/**
 * Reads the entry's weights and verifies their sha256 against the card before returning them, so no
 * session is ever created from unverified bytes. A file larger than the card's `onnx.bytes` is refused
 * (INTEGRITY_MISMATCH) before it is read, so an oversized file never fills memory. Throws
 * IntegrityError (INTEGRITY_MISMATCH), ModelError MODEL_LOAD_FAILED (missing/unreadable) or ABORTED.
 */
export async function loadModelBytes(entry: ModelEntry, signal?: AbortSignal): Promise<Uint8Array> {
  throwIfAborted(signal);
  let bytes: Uint8Array;
  try {
    bytes = await readUrl(entry.onnxUrl, signal, entry.card.onnx.bytes);
  } catch (err) {
    if (signal?.aborted) throw new ModelError('ABORTED', 'aborted', { cause: signal.reason });
    if (err instanceof OversizedError)
      throw new ModelError('INTEGRITY_MISMATCH', `${entry.key}.onnx: ${err.message}`, { cause: err });
    throw asModelError(err, 'MODEL_LOAD_FAILED', `reading ${entry.key} from ${entry.onnxUrl}`);
  }
  await verifySha256(bytes, entry.sha256, `${entry.key}.onnx`);
  throwIfAborted(signal);
  return bytes;
}

/** Loads and verifies weights, returning what `BackendFactory.createSession` takes. */
export async function loadModel(
  entry: ModelEntry,
  signal?: AbortSignal,
): Promise<{ id: string; scale: number; bytes: Uint8Array }> {
  return { id: entry.key, scale: entry.scale, bytes: await loadModelBytes(entry, signal) };
}

/** Fetches the full JSON card (training history and all) next to the weights. */
export async function loadFullCard(
  entry: ModelEntry,
  signal?: AbortSignal,
): Promise<Record<string, unknown>> {
  const url = entry.cardUrl ?? entry.onnxUrl.replace(/\.onnx$/, '.json');
  try {
    return JSON.parse(new TextDecoder().decode(await readUrl(url, signal))) as Record<string, unknown>;
  } catch (err) {
    throw asModelError(err, 'MODEL_LOAD_FAILED', `reading card ${url}`);
  }
}

/**
 * Loads an external model card (e.g. `tilesr train` output) from an absolute URL (file: in Node) and
 * registers it: `getModel(entry.id, entry.variant)` then finds it, so the pipeline, the CLI and
 * validation run it like a shipped model. Its weights are `card.onnx.file` next to the card and are
 * checked against `card.onnx.sha256` by loadModelBytes, exactly as shipped weights are (a mismatch is
 * the IntegrityError). The shipped catalog is untouched. Throws MODEL_LOAD_FAILED for an unreadable or
 * malformed card.
 */
export async function loadExternalModel(cardUrl: string | URL, signal?: AbortSignal): Promise<ModelEntry> {
  const url = new URL(String(cardUrl)).href;
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(await readUrl(url, signal)));
  } catch (err) {
    if (signal?.aborted) throw new ModelError('ABORTED', 'aborted', { cause: signal.reason });
    throw asModelError(err, 'MODEL_LOAD_FAILED', `reading model card ${url}`);
  }
  const card = summarizeCard(json, url);
  const id: ExternalModelId = `external:${card.name}`;
  const entry: ModelEntry = {
    id,
    variant: card.phase,
    key: card.name,
    scale: card.scale,
    domain: card.domain,
    perceptual: card.phase === 'perceptual',
    card,
    sha256: card.onnx.sha256,
    receptiveFieldLrPx: card.receptive_field_lr_px,
    onnxUrl: new URL(card.onnx.file, url).href,
    cardUrl: url,
  };
  EXTERNAL.set(id, entry);
  return entry;
}
