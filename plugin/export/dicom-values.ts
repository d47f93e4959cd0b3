/**
 * Value formatting for the derived-DICOM writer: Decimal Strings within 16 characters (dcmjs would
 * truncate longer ones silently), UIDs under the UUID-derived root 2.25, dates, coded entries.
 */

/** Largest DS value length (PS3.5 6.2). */
const DS_MAX = 16;

/** `v` as a DICOM Decimal String of at most 16 characters, keeping as many digits as fit. */
export function formatDS(v: number): string {
  if (!Number.isFinite(v)) throw new RangeError(`DS cannot hold ${v}`);
  const plain = String(v);
  if (plain.length <= DS_MAX) return plain;
  for (let p = 15; p >= 1; p--) {
    // toPrecision may give "1.2300e+21"-style output: DS allows the exponent form
    const s = trimZeros(v.toPrecision(p));
    if (s.length <= DS_MAX) return s;
  }
  throw new RangeError(`DS cannot hold ${v} in ${DS_MAX} characters`);
}

function trimZeros(s: string): string {
  const [mant = '', exp] = s.split('e');
  const m = mant.includes('.') ? mant.replace(/0+$/, '').replace(/\.$/, '') : mant;
  return exp === undefined ? m : `${m}e${exp}`;
}

/** A new UID 2.25.<decimal of a random (version 4) UUID>, from crypto.getRandomValues. */
export function newUid(): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = ((b[6] as number) & 0x0f) | 0x40;
  b[8] = ((b[8] as number) & 0x3f) | 0x80;
  let n = 0n;
  for (const x of b) n = (n << 8n) | BigInt(x);
  return `2.25.${n.toString()}`;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** DICOM DA, TM and DT (UTC) of a moment. */
export function dicomDateTime(d: Date): { date: string; time: string; dateTime: string } {
  const date = `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}`;
  const time = `${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`;
  return { date, time, dateTime: `${date}${time}+0000` };
}

/** A Code Sequence item (PS3.3 8.8). */
export function code(value: string, scheme: string, meaning: string): Record<string, string> {
  return { CodeValue: value, CodingSchemeDesignator: scheme, CodeMeaning: meaning };
}

/** Codes of the derivation (PS3.16 CID 7203, CID 7202, CID 7005). */
export const CODES = {
  spatialResampling: () => code('113085', 'DCM', 'Spatial resampling'),
  sourceForProcessing: () => code('121322', 'DCM', 'Source image for image processing operation'),
  processingEquipment: () => code('109102', 'DCM', 'Processing Equipment'),
};

/** `s` cut to `max` characters (LO 64, ST 1024, ...) so dcmjs never truncates behind our back. */
export function fit(s: string, max: number): string {
  return s.length <= max ? s : s.slice(0, max);
}
