/**
 * Model cards: the facts about a generator that code relies on (scale, domain, phase, sha256,
 * receptive field, I/O names). The full card (training history etc.) stays in weights/<key>.json;
 * catalog.ts holds these summaries so browsers need no JSON import.
 */
import { ModelError } from './errors.ts';

/** Image domain a generator was trained on. */
export type Domain = 'medical' | 'satellite';

/** `fidelity` (L1, the default) or `perceptual` (GAN fine-tuned: invents texture, opt-in only). */
export type Variant = 'fidelity' | 'perceptual';

/** The subset of a model card that code depends on; field names follow the JSON card. */
export interface ModelCard {
  name: string;
  domain: Domain;
  scale: number;
  phase: Variant;
  params: number;
  architecture: Readonly<Record<string, string | number | boolean>>;
  /** `range_rule`: how values outside the robust range are kept (plugin/pipeline/range.ts). */
  normalization: { input: string; output: string; range_rule: string };
  degradation: string;
  losses: string;
  iterations: number;
  val_psnr: number;
  bicubic_psnr: number;
  /** LR pixels per side that can influence an output pixel (measured by tools/receptive-field.ts). */
  receptive_field_lr_px: number;
  receptive_field_method: string;
  onnx: {
    file: string;
    opset: number;
    input: string;
    output: string;
    bytes: number;
    sha256: string;
    ops: string[];
  };
}

function field<T>(
  obj: Record<string, unknown>,
  key: string,
  kind: 'string' | 'number' | 'object',
  where: string,
): T {
  const v = obj[key];
  if (kind === 'object' ? typeof v !== 'object' || v === null : typeof v !== kind)
    throw new ModelError('MODEL_LOAD_FAILED', `${where}: card field "${key}" is missing or not a ${kind}`);
  return v as T;
}

/** Checks a parsed card JSON and returns its summary; throws MODEL_LOAD_FAILED naming the bad field. */
export function summarizeCard(json: unknown, where: string): ModelCard {
  if (typeof json !== 'object' || json === null)
    throw new ModelError('MODEL_LOAD_FAILED', `${where}: not an object`);
  const c = json as Record<string, unknown>;
  const onnx = field<Record<string, unknown>>(c, 'onnx', 'object', where);
  const norm = field<Record<string, unknown>>(c, 'normalization', 'object', where);
  const domain = field<string>(c, 'domain', 'string', where);
  const phase = field<string>(c, 'phase', 'string', where);
  if (domain !== 'medical' && domain !== 'satellite')
    throw new ModelError('MODEL_LOAD_FAILED', `${where}: unknown domain ${domain}`);
  if (phase !== 'fidelity' && phase !== 'perceptual')
    throw new ModelError('MODEL_LOAD_FAILED', `${where}: unknown phase ${phase}`);
  const sha256 = field<string>(onnx, 'sha256', 'string', where);
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw new ModelError('MODEL_LOAD_FAILED', `${where}: malformed sha256`);
  const ops = onnx['ops'];
  // numbers the tiler and the loader compute with: a card must not make them nonsense
  const whole = (key: string, v: number, min: number, max: number): number => {
    if (!Number.isInteger(v) || v < min || v > max)
      throw new ModelError(
        'MODEL_LOAD_FAILED',
        `${where}: card field "${key}" must be an integer in ${min}..${max}`,
      );
    return v;
  };
  whole('scale', field<number>(c, 'scale', 'number', where), 1, 16);
  whole('receptive_field_lr_px', field<number>(c, 'receptive_field_lr_px', 'number', where), 0, 4096);
  whole('onnx.bytes', field<number>(onnx, 'bytes', 'number', where), 0, Number.MAX_SAFE_INTEGER);
  return {
    name: field(c, 'name', 'string', where),
    domain,
    scale: field(c, 'scale', 'number', where),
    phase,
    params: field(c, 'params', 'number', where),
    architecture: field(c, 'architecture', 'object', where),
    normalization: {
      input: field(norm, 'input', 'string', where),
      output: field(norm, 'output', 'string', where),
      range_rule: field(norm, 'range_rule', 'string', where),
    },
    degradation: field(c, 'degradation', 'string', where),
    losses: field(c, 'losses', 'string', where),
    iterations: field(c, 'iterations', 'number', where),
    val_psnr: field(c, 'val_psnr', 'number', where),
    bicubic_psnr: field(c, 'bicubic_psnr', 'number', where),
    receptive_field_lr_px: field(c, 'receptive_field_lr_px', 'number', where),
    receptive_field_method: field(c, 'receptive_field_method', 'string', where),
    onnx: {
      file: field(onnx, 'file', 'string', where),
      opset: field(onnx, 'opset', 'number', where),
      input: field(onnx, 'input', 'string', where),
      output: field(onnx, 'output', 'string', where),
      bytes: field(onnx, 'bytes', 'number', where),
      sha256,
      ops: Array.isArray(ops) ? ops.map(String) : [],
    },
  };
}
