/**
 * sha256 checks of model bytes against their card, done before any session is created so a corrupted
 * or substituted file never runs. WebCrypto's digest exists in Node >= 20 and in browsers (secure
 * contexts, which includes localhost).
 */
import { IntegrityError, ModelError } from './errors.ts';

/** Lower-case hex sha256 of `bytes`. */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) throw new ModelError('BACKEND_UNAVAILABLE', 'WebCrypto (crypto.subtle) is not available here');
  // digest wants an ArrayBuffer-backed view; a SharedArrayBuffer view must be copied first
  const view = bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : bytes.slice();
  const digest = new Uint8Array(await subtle.digest('SHA-256', view));
  let hex = '';
  for (const b of digest) hex += b.toString(16).padStart(2, '0');
  return hex;
}

/** Throws IntegrityError unless `bytes` hash to `expectedHex`; `label` names the file in the message. */
export async function verifySha256(bytes: Uint8Array, expectedHex: string, label: string): Promise<void> {
  const actual = await sha256Hex(bytes);
  if (actual !== expectedHex.toLowerCase())
    throw new IntegrityError(label, expectedHex, actual, bytes.length);
}
