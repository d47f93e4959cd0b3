/** Entropy-coded segment reading for the sequential JPEG decoder: bits, Huffman codes, restarts. */
import { FormatError } from '../../../errors.ts';

/** Reads bits MSB first, undoing FF00 stuffing; at a marker or the end it supplies zero bits. */
export class BitReader {
  private acc = 0;
  private bits = 0;
  private atMarker = false;
  constructor(
    private readonly b: Uint8Array,
    private pos: number,
  ) {}

  private fill(): void {
    while (this.bits <= 16) {
      let byte = 0;
      if (!this.atMarker && this.pos < this.b.length) {
        byte = this.b[this.pos] as number;
        if (byte === 0xff) {
          const next = this.b[this.pos + 1];
          if (next === 0x00) this.pos += 2;
          else {
            this.atMarker = true; // a marker ends the entropy-coded data; leave it for the caller
            byte = 0;
          }
        } else this.pos++;
      }
      this.acc = ((this.acc << 8) | byte) >>> 0;
      this.bits += 8;
    }
  }

  /** The next `n` (1..16) bits as an unsigned number. */
  bitsOf(n: number): number {
    if (this.bits < n) this.fill();
    this.bits -= n;
    return (this.acc >>> this.bits) & ((1 << n) - 1);
  }

  /** Gives back the last `n` bits read (n <= 8, right after a read). */
  unread(n: number): void {
    this.bits += n;
  }

  /** T.81 RECEIVE + EXTEND: `s` bits as a signed difference. */
  receiveExtend(s: number): number {
    const v = this.bitsOf(s);
    return v < 1 << (s - 1) ? v - (1 << s) + 1 : v;
  }

  /** Discards buffered bits and skips an RSTn marker (when present) at a restart interval. */
  restart(): void {
    this.bits = 0;
    this.acc = 0;
    this.atMarker = false;
    const b = this.b;
    while (
      this.pos + 1 < b.length &&
      !(b[this.pos] === 0xff && (b[this.pos + 1] as number) >= 0xd0 && (b[this.pos + 1] as number) <= 0xd7)
    ) {
      if (b[this.pos] === 0xff && b[this.pos + 1] !== 0x00 && b[this.pos + 1] !== 0xff) return; // another marker: leave it
      this.pos++;
    }
    if (this.pos + 1 < b.length) this.pos += 2;
  }

  /** Position of the marker that follows the scan data. */
  nextMarker(): number {
    const b = this.b;
    let p = this.pos;
    while (
      p + 1 < b.length &&
      !(b[p] === 0xff && b[p + 1] !== 0x00 && !((b[p + 1] as number) >= 0xd0 && (b[p + 1] as number) <= 0xd7))
    )
      p++;
    return p + 1 < b.length ? p : b.length;
  }
}

/** A Huffman table decoded canonically (T.81 Annex C), with an 8-bit fast lookup. */
export class HuffmanTable {
  private readonly maxcode = new Int32Array(18).fill(-1);
  private readonly valptr = new Int32Array(17);
  private readonly mincode = new Int32Array(17);
  private readonly fast = new Int32Array(256).fill(-1);

  constructor(
    counts: Uint8Array,
    private readonly values: Uint8Array,
  ) {
    let code = 0;
    let k = 0;
    for (let l = 1; l <= 16; l++) {
      const n = counts[l - 1] as number;
      this.valptr[l] = k;
      this.mincode[l] = code;
      if (n > 0) {
        if (l <= 8)
          for (let i = 0; i < n; i++)
            for (let pad = 0; pad < 1 << (8 - l); pad++)
              this.fast[((code + i) << (8 - l)) | pad] = (l << 8) | (values[k + i] as number);
        code += n;
        k += n;
        this.maxcode[l] = code - 1;
      }
      if (code > 1 << l) throw new FormatError('CORRUPT_DATA', 'JPEG: over-subscribed Huffman table');
      code <<= 1;
    }
    this.maxcode[17] = 0x7fffffff; // sentinel: ends the search
  }

  /** Decodes one symbol; a code longer than 16 bits is corrupt data. */
  decode(r: BitReader): number {
    const peek = r.bitsOf(8);
    const hit = this.fast[peek] as number;
    if (hit >= 0) {
      const len = hit >> 8;
      r.unread(8 - len);
      return hit & 0xff;
    }
    let code = peek;
    for (let l = 9; l <= 16; l++) {
      code = (code << 1) | r.bitsOf(1);
      if (code <= (this.maxcode[l] as number))
        return this.values[(this.valptr[l] as number) + code - (this.mincode[l] as number)] as number;
    }
    throw new FormatError('CORRUPT_DATA', 'JPEG: invalid Huffman code');
  }
}
