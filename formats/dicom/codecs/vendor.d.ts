// Types for the one codec package that ships none (its package.json names a .d.ts it lacks).
declare module 'jpeg-lossless-decoder-js' {
  /** Lossless JPEG (ITU T.81 process 14) decoder. */
  export class Decoder {
    constructor(buffer?: ArrayBuffer, numBytes?: number);
    decode(buffer: ArrayBuffer, offset: number, length: number, numBytes?: number): Uint8Array | Uint16Array;
  }
}
