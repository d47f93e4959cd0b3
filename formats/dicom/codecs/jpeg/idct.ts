/**
 * The accurate integer inverse DCT of the IJG libjpeg (jidctint.c, "islow", Loeffler-Ligtenberg-
 * Moschytz), written from the published algorithm so that 12-bit output equals what libjpeg-based
 * decoders (GDCM, DCMTK) produce. PASS1_BITS is 2 for 8-bit and 1 for 12-bit samples, as in libjpeg.
 */

const CONST_BITS = 13;
const FIX_0_298631336 = 2446;
const FIX_0_390180644 = 3196;
const FIX_0_541196100 = 4433;
const FIX_0_765366865 = 6270;
const FIX_0_899976223 = 7373;
const FIX_1_175875602 = 9633;
const FIX_1_501321110 = 12299;
const FIX_1_847759065 = 15137;
const FIX_1_961570560 = 16069;
const FIX_2_053119869 = 16819;
const FIX_2_562915447 = 20995;
const FIX_3_072711026 = 25172;

const ws = new Int32Array(64);

/** One stage of the 1-D IDCT on 8 values read with stride `s` from `v` at `o`; writes 8 results. */
function idct1d(v: Int32Array, o: number, s: number, out: (i: number, x: number) => void): void {
  // even part
  let z2 = v[o + 2 * s] as number;
  let z3 = v[o + 6 * s] as number;
  let z1 = (z2 + z3) * FIX_0_541196100;
  const e2 = z1 + z3 * -FIX_1_847759065;
  const e3 = z1 + z2 * FIX_0_765366865;
  z2 = v[o] as number;
  z3 = v[o + 4 * s] as number;
  const e0 = (z2 + z3) * (1 << CONST_BITS);
  const e1 = (z2 - z3) * (1 << CONST_BITS);
  const t10 = e0 + e3;
  const t13 = e0 - e3;
  const t11 = e1 + e2;
  const t12 = e1 - e2;
  // odd part
  let t0 = v[o + 7 * s] as number;
  let t1 = v[o + 5 * s] as number;
  let t2 = v[o + 3 * s] as number;
  let t3 = v[o + s] as number;
  z1 = t0 + t3;
  z2 = t1 + t2;
  z3 = t0 + t2;
  let z4 = t1 + t3;
  const z5 = (z3 + z4) * FIX_1_175875602;
  t0 *= FIX_0_298631336;
  t1 *= FIX_2_053119869;
  t2 *= FIX_3_072711026;
  t3 *= FIX_1_501321110;
  z1 *= -FIX_0_899976223;
  z2 *= -FIX_2_562915447;
  z3 = z3 * -FIX_1_961570560 + z5;
  z4 = z4 * -FIX_0_390180644 + z5;
  t0 += z1 + z3;
  t1 += z2 + z4;
  t2 += z2 + z3;
  t3 += z1 + z4;
  out(0, t10 + t3);
  out(7, t10 - t3);
  out(1, t11 + t2);
  out(6, t11 - t2);
  out(2, t12 + t1);
  out(5, t12 - t1);
  out(3, t13 + t0);
  out(4, t13 - t0);
}

/** Rounding right shift, as libjpeg's DESCALE (values stay well inside 2^53). */
function descale(x: number, n: number): number {
  return Math.floor((x + 2 ** (n - 1)) / 2 ** n);
}

/**
 * Dequantized coefficients (natural order) -> samples of `precision` bits, written to `out` at
 * `offset` with row stride `stride`.
 */
export function idctBlock(
  coef: Int32Array,
  precision: number,
  out: Uint16Array,
  offset: number,
  stride: number,
): void {
  const pass1 = precision === 8 ? 2 : 1;
  const center = 1 << (precision - 1);
  const max = (1 << precision) - 1;
  for (let c = 0; c < 8; c++) {
    idct1d(coef, c, 8, (i, x) => {
      ws[c + 8 * i] = descale(x, CONST_BITS - pass1);
    });
  }
  const shift = CONST_BITS + pass1 + 3;
  for (let r = 0; r < 8; r++) {
    const row = offset + r * stride;
    idct1d(ws, 8 * r, 1, (i, x) => {
      const v = descale(x, shift) + center;
      out[row + i] = v < 0 ? 0 : v > max ? max : v;
    });
  }
}
