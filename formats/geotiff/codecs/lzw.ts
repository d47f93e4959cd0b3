/**
 * TIFF LZW (Compression 5), a typed-array decoder replacing geotiff.js's (which builds every string
 * in a JS array and reads codes bit by bit: 0.8-3.7 MP/s, 5-8x slower than libtiff).
 *
 * Codes are MSB-first, 9 to 12 bits, with TIFF's "early change" (the width grows one code before
 * the table fills), as libtiff's LZWDecode. Every table entry's string already lies in the output
 * (the previous code's string followed by the first byte of the next), so an entry is just an
 * (offset, length) into the output and decoding a code is a forward copy: no per-entry strings.
 * Output is bounded by the block size (a stream decoding to more fails fast, see limit.ts).
 */
import { BaseDecoder } from 'geotiff';
import { blockLimit, tooBig } from './limit.ts';

const CLEAR = 256;
const EOI = 257;
const FIRST_FREE = 258;
const MAX_CODES = 4096;

/**
 * Decodes one TIFF LZW block into at most `limit` bytes. A stream that ends without EOI stops
 * there (libtiff warns and keeps what was decoded); old-style (LSB-first, pre-TIFF 6) LZW is refused.
 */
export function lzwDecode(input: Uint8Array, limit: number): Uint8Array {
  if (input.length >= 2 && input[0] === 0 && ((input[1] as number) & 1) === 1)
    throw new Error('old-style (LSB-first) LZW is not supported');
  const out = new Uint8Array(limit);
  // entry -> where its string starts in `out` and how long it is (codes < 256 are single bytes)
  const start = new Int32Array(MAX_CODES);
  const len = new Int32Array(MAX_CODES);
  const n = input.length;
  let ip = 0;
  let bits = 0; // bit buffer: the low `nbits` bits are unread (bits above are stale, masked off)
  let nbits = 0; // bits held in `bits`
  let width = 9;
  let mask = 0x1ff;
  let next = FIRST_FREE;
  let oldStart = -1; // output offset of the previous code's string (-1 right after a clear)
  let oldLen = 0;
  let op = 0;
  for (;;) {
    if (nbits < width) {
      // width <= 12: at most two bytes complete a code
      if (ip + 1 < n) {
        bits = (bits << 16) | ((input[ip] as number) << 8) | (input[ip + 1] as number);
        ip += 2;
        nbits += 16;
      } else {
        while (nbits < width) {
          if (ip >= n) return out.subarray(0, op); // no EOI: keep what was decoded, as libtiff does
          bits = (bits << 8) | (input[ip++] as number);
          nbits += 8;
        }
      }
    }
    nbits -= width;
    const code = (bits >>> nbits) & mask;
    let l: number;
    if (code < 256) {
      if (op >= limit) throw tooBig(limit);
      out[op] = code;
      l = 1;
    } else if (code < next) {
      if (code === EOI) break;
      if (code === CLEAR) {
        width = 9;
        mask = 0x1ff;
        next = FIRST_FREE;
        oldStart = -1;
        continue;
      }
      const s = start[code] as number;
      l = len[code] as number;
      if (op + l > limit) throw tooBig(limit);
      // the source lies wholly before `op`: a plain forward copy (short strings beat copyWithin)
      if (l > 32) out.copyWithin(op, s, s + l);
      else for (let k = 0; k < l; k++) out[op + k] = out[s + k] as number;
    } else if (code === next && oldStart >= 0) {
      // KwKwK: the previous string plus its own first byte; the byte-wise copy reads what it wrote
      l = oldLen + 1;
      if (op + l > limit) throw tooBig(limit);
      for (let k = 0; k < l; k++) out[op + k] = out[oldStart + k] as number;
    } else {
      throw new Error(`corrupt LZW stream: code ${code} with ${next} table entries`);
    }
    if (oldStart >= 0 && next < MAX_CODES) {
      // new entry = previous string + first byte of this one, contiguous in the output
      start[next] = oldStart;
      len[next] = oldLen + 1;
      next++;
      if (next >= mask && width < 12) {
        width++;
        mask = (1 << width) - 1;
      }
    }
    oldStart = op;
    oldLen = l;
    op += l;
  }
  return out.subarray(0, op);
}

/** geotiff.js decoder class for LZW blocks (the predictor is undone by BaseDecoder). */
export default class LzwDecoder extends BaseDecoder {
  override decodeBlock(buffer: ArrayBufferLike): ArrayBufferLike {
    const out = lzwDecode(new Uint8Array(buffer), blockLimit(this.parameters));
    return out.byteLength === out.buffer.byteLength ? out.buffer : out.slice().buffer;
  }
}
