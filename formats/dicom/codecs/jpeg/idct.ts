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

const ws = new Float64Array(64);
const tmp = new Float64Array(8);

/**
 * One 1-D IDCT of 8 values read with stride `s` from `v` at `o`, results (unscaled) into `tmp` in
 * natural order. Plain arithmetic on doubles: every intermediate stays far below 2^53, so this is
 * exact integer arithmetic as in libjpeg's 32-bit INT32 code.
 */
function idct1d(v: Float64Array | Int32Array, o: number, s: number): void {
  // even part
  let z2 = v[o + 2 * s] as number;
  let z3 = v[o + 6 * s] as number;
  let z1 = (z2 + z3) * FIX_0_541196100;
  const e2 = z1 + z3 * -FIX_1_847759065;
  const e3 = z1 + z2 * FIX_0_765366865;
  z2 = v[o] as number;
  z3 = v[o + 4 * s] as number;
  const e0 = (z2 + z3) * 8192; // << CONST_BITS
  const e1 = (z2 - z3) * 8192;
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
  tmp[0] = t10 + t3;
  tmp[7] = t10 - t3;
  tmp[1] = t11 + t2;
  tmp[6] = t11 - t2;
  tmp[2] = t12 + t1;
  tmp[5] = t12 - t1;
  tmp[3] = t13 + t0;
  tmp[4] = t13 - t0;
}

/**
 * Dequantized coefficients (natural order) -> samples of `precision` bits, written to `out` at
 * `offset` with row stride `stride`. DESCALE(x, n) = floor((x + 2^(n-1)) / 2^n), as libjpeg.
 */
export function idctBlock(
  coef: Int32Array,
  precision: number,
  out: Uint16Array,
  offset: number,
  stride: number,
): void {
  const pass1 = precision === 8 ? 2 : 1;
  const d1 = 2 ** (CONST_BITS - pass1);
  const h1 = d1 / 2;
  for (let c = 0; c < 8; c++) {
    idct1d(coef, c, 8);
    for (let i = 0; i < 8; i++) ws[c + 8 * i] = Math.floor(((tmp[i] as number) + h1) / d1);
  }
  const d2 = 2 ** (CONST_BITS + pass1 + 3);
  const h2 = d2 / 2;
  const center = 1 << (precision - 1);
  const max = (1 << precision) - 1;
  for (let r = 0; r < 8; r++) {
    idct1d(ws, 8 * r, 1);
    const row = offset + r * stride;
    for (let i = 0; i < 8; i++) {
      const v = Math.floor(((tmp[i] as number) + h2) / d2) + center;
      out[row + i] = v < 0 ? 0 : v > max ? max : v;
    }
  }
}
