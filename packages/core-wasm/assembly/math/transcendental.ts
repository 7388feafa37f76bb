// Transcendentals for the kernels: SIMD (f32x4) versions and their scalar twins.
//
// exp: Cephes `expf` (S. L. Moshier, Cephes Math Library 2.2, file `expf.c`): Cody–Waite range
//   reduction x = n·ln2 + r, |r| ≤ ln2/2, with ln2 split as C1 + C2 (C1 = 0.693359375 has 9
//   significant bits, so n·C1 is exact for every n we reach), then the degree-7 polynomial
//   e^r ≈ 1 + r + r²·P(r), P of degree 5 (Moshier's minimax coefficients; his measured peak
//   relative error on [−MAXLOG, MAXLOG] is 1.7e-7). 2ⁿ is built in the exponent bits, in two
//   halves 2^⌊n/2⌋·2^(n−⌊n/2⌋) so that n = 128 (x just below the overflow threshold) and
//   n ∈ [−149, −127] (subnormal results) need no special case: the first product is exact and
//   only the second rounds, once, into the subnormal range or to +Inf.
// sigmoid: σ(x) = 1/(1+e^{−|x|}) for x ≥ 0 and e^{x}/(1+e^{x}) = e^{−|x|}·σ(|x|) for x < 0, so
//   e^{−|x|} ∈ (0, 1] never overflows and σ(x) for x ≪ 0 keeps full relative accuracy down to the
//   subnormals (1/(1+e^{−x}) would give exactly 0 below x ≈ −88.7).
// tanh: Cephes `tanhf.c`: for |x| < 0.625 the odd polynomial x + x·z·Q(z), z = x², Q of degree 4
//   (Moshier's minimax, peak relative error 1.3e-7); above it 1 − 2/(e^{2|x|} + 1), where there is
//   no cancellation worth the name (tanh ≥ 0.55). NOTE: the exp form near 0 would lose all relative
//   accuracy (1 − (1 − 2x/2)…), which is why the polynomial branch exists.
//   e^{2|x|} = +Inf beyond |x| ≈ 44.4 gives exactly 1; the sign is copied from x (tanh(−0) = −0).
// log: Cephes `logf.c`: x = m·2^e with m ∈ [√½, √2), log x = e·ln2 + (m−1) − (m−1)²/2 + (m−1)³·R(m−1),
//   R of degree 8 (Moshier's minimax; peak relative error 7.6e-8 on [0.5, 2]); e·ln2 is added in
//   the Cody–Waite halves C1, C2 last, so log x near 1 keeps its relative accuracy (m − 1 is exact).
//   Subnormal x is scaled by 2²³ first; log 0 = −Inf, log(x < 0) = NaN, log(+Inf) = +Inf.
//
// NOTE: the scalar twins run the same operations in the same order as the lanes (no FMA, not even
// in the relaxed build), so SIMD and scalar agree to the last bit; the tests check it. NaN in gives
// NaN out in every function: the clamp lets NaN through and the integer path only shapes a scale
// factor that multiplies a NaN.

const LOG2E: f32 = 1.44269504088896341;
// Cody–Waite split of ln 2 (Cephes): C1 + C2 = ln 2 to about 2⁻³⁵.
const C1: f32 = 0.693359375;
const C2: f32 = -2.12194440e-4;
// 1.5·2²³: adding it rounds x·log₂e to the nearest integer (ties to even) and leaves that integer
// in the low mantissa bits, with no float→int conversion (which would trap on NaN in scalar code).
const ROUNDER: f32 = 12582912.0;
const ROUNDER_BITS: i32 = 0x4b400000;
// exp(x) overflows above ≈ 88.72 and is 0 below ≈ −103.97; clamping beyond both keeps 2ⁿ's
// exponent fields in range while leaving the answer (+Inf or 0) unchanged.
const EXP_HI: f32 = 100.0;
const EXP_LO: f32 = -120.0;
const P0: f32 = 1.9875691500e-4;
const P1: f32 = 1.3981999507e-3;
const P2: f32 = 8.3334519073e-3;
const P3: f32 = 4.1665795894e-2;
const P4: f32 = 1.6666665459e-1;
const P5: f32 = 5.0000001201e-1;
const TANH_SMALL: f32 = 0.625;
const Q0: f32 = -5.70498872745e-3;
const Q1: f32 = 2.06390887954e-2;
const Q2: f32 = -5.37397155531e-2;
const Q3: f32 = 1.33314422036e-1;
const Q4: f32 = -3.33332819422e-1;
const SIGN_MASK: i32 = 0x80000000;
const SQRTHF: f32 = 0.707106781186547524;
const MIN_NORMAL: f32 = 1.17549435e-38;
const TWO23: f32 = 8388608.0;
const MANTISSA: i32 = 0x007fffff;
const HALF_BITS: i32 = 0x3f000000;
const L0: f32 = 7.0376836292e-2;
const L1: f32 = -1.1514610310e-1;
const L2: f32 = 1.1676998740e-1;
const L3: f32 = -1.2420140846e-1;
const L4: f32 = 1.4249322787e-1;
const L5: f32 = -1.6668057665e-1;
const L6: f32 = 2.0000714765e-1;
const L7: f32 = -2.4999993993e-1;
const L8: f32 = 3.3333331174e-1;

/** e^x, Cephes expf (see the file header). */
export function expS(x: f32): f32 {
  // The lanes' pmax/pmin written out: NaN fails both tests and passes through.
  x = x < EXP_LO ? EXP_LO : x;
  x = EXP_HI < x ? EXP_HI : x;
  const t = x * LOG2E + ROUNDER;
  const n = reinterpret<i32>(t) - ROUNDER_BITS;
  const k = t - ROUNDER;
  const r = x - k * C1 - k * C2;
  let p = P0;
  p = p * r + P1;
  p = p * r + P2;
  p = p * r + P3;
  p = p * r + P4;
  p = p * r + P5;
  const y = p * (r * r) + r + 1;
  const n1 = n >> 1;
  const s1 = reinterpret<f32>((n1 + 127) << 23);
  const s2 = reinterpret<f32>((n - n1 + 127) << 23);
  return y * s1 * s2;
}

/** σ(x) = 1/(1+e^{−x}), evaluated through e^{−|x|} (see the file header). */
export function sigmoidS(x: f32): f32 {
  const e = expS(-abs<f32>(x));
  const q: f32 = 1 / (1 + e);
  return x >= 0 ? q : e * q;
}

/** tanh x, Cephes tanhf (see the file header). */
export function tanhS(x: f32): f32 {
  const a = abs<f32>(x);
  let y: f32;
  if (a < TANH_SMALL) {
    const z = a * a;
    let q = Q0;
    q = q * z + Q1;
    q = q * z + Q2;
    q = q * z + Q3;
    q = q * z + Q4;
    y = q * z * a + a;
  } else {
    y = 1 - 2 / (expS(a + a) + 1);
  }
  return reinterpret<f32>(reinterpret<i32>(y) | (reinterpret<i32>(x) & SIGN_MASK));
}

/** log x, Cephes logf (see the file header). */
export function logS(x: f32): f32 {
  let adjust: i32 = 0;
  let v = x;
  if (v < MIN_NORMAL) {
    v = v * TWO23;
    adjust = -23;
  }
  const bits = reinterpret<i32>(v);
  let e = (bits >> 23) - 126 + adjust;
  let m = reinterpret<f32>((bits & MANTISSA) | HALF_BITS);
  if (m < SQRTHF) {
    e -= 1;
    m = m + m - 1;
  } else {
    m = m - 1;
  }
  const z = m * m;
  let p = L0;
  p = p * m + L1;
  p = p * m + L2;
  p = p * m + L3;
  p = p * m + L4;
  p = p * m + L5;
  p = p * m + L6;
  p = p * m + L7;
  p = p * m + L8;
  const fe = <f32>e;
  let y = p * m * z;
  y = y + fe * C2;
  y = y + z * -0.5;
  y = m + y;
  y = y + fe * C1;
  if (x == Infinity) y = Infinity;
  if (x == 0) y = -Infinity;
  if (!(x >= 0)) y = NaN;
  return y;
}

// @ts-ignore: decorator
@inline
export function exp4(x: v128): v128 {
  // pmax/pmin (a compare and a blend) rather than max/min, whose NaN and ±0 rules cost several
  // instructions on x86; with x first, a NaN lane fails both compares and passes through.
  x = f32x4.pmin(f32x4.pmax(x, f32x4.splat(EXP_LO)), f32x4.splat(EXP_HI));
  const t = f32x4.add(f32x4.mul(x, f32x4.splat(LOG2E)), f32x4.splat(ROUNDER));
  const n = i32x4.sub(t, i32x4.splat(ROUNDER_BITS));
  const k = f32x4.sub(t, f32x4.splat(ROUNDER));
  const r = f32x4.sub(f32x4.sub(x, f32x4.mul(k, f32x4.splat(C1))), f32x4.mul(k, f32x4.splat(C2)));
  let p = f32x4.splat(P0);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(P1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(P2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(P3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(P4));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(P5));
  const y = f32x4.add(f32x4.add(f32x4.mul(p, f32x4.mul(r, r)), r), f32x4.splat(1));
  const n1 = i32x4.shr_s(n, 1);
  const bias = i32x4.splat(127);
  const s1 = i32x4.shl(i32x4.add(n1, bias), 23);
  const s2 = i32x4.shl(i32x4.add(i32x4.sub(n, n1), bias), 23);
  return f32x4.mul(f32x4.mul(y, s1), s2);
}

// @ts-ignore: decorator
@inline
export function sigmoid4(x: v128): v128 {
  const e = exp4(f32x4.neg(f32x4.abs(x)));
  const q = f32x4.div(f32x4.splat(1), f32x4.add(f32x4.splat(1), e));
  return v128.bitselect(q, f32x4.mul(e, q), f32x4.ge(x, f32x4.splat(0)));
}

// @ts-ignore: decorator
@inline
export function tanh4(x: v128): v128 {
  const a = f32x4.abs(x);
  const z = f32x4.mul(a, a);
  let q = f32x4.splat(Q0);
  q = f32x4.add(f32x4.mul(q, z), f32x4.splat(Q1));
  q = f32x4.add(f32x4.mul(q, z), f32x4.splat(Q2));
  q = f32x4.add(f32x4.mul(q, z), f32x4.splat(Q3));
  q = f32x4.add(f32x4.mul(q, z), f32x4.splat(Q4));
  const small = f32x4.add(f32x4.mul(f32x4.mul(q, z), a), a);
  const one = f32x4.splat(1);
  const large = f32x4.sub(one, f32x4.div(f32x4.splat(2), f32x4.add(exp4(f32x4.add(a, a)), one)));
  const y = v128.bitselect(small, large, f32x4.lt(a, f32x4.splat(TANH_SMALL)));
  return v128.or(y, v128.and(x, i32x4.splat(SIGN_MASK)));
}

// @ts-ignore: decorator
@inline
export function log4(x: v128): v128 {
  const sub = f32x4.lt(x, f32x4.splat(MIN_NORMAL));
  const v = v128.bitselect(f32x4.mul(x, f32x4.splat(TWO23)), x, sub);
  const adjust = v128.and(sub, i32x4.splat(-23));
  const e0 = i32x4.add(i32x4.sub(i32x4.shr_s(v, 23), i32x4.splat(126)), adjust);
  const m0 = v128.or(v128.and(v, i32x4.splat(MANTISSA)), i32x4.splat(HALF_BITS));
  const low = f32x4.lt(m0, f32x4.splat(SQRTHF));
  const one = f32x4.splat(1);
  // i32 lanes of `low` are −1 where true: adding them decrements e.
  const e = i32x4.add(e0, low);
  const m = v128.bitselect(f32x4.sub(f32x4.add(m0, m0), one), f32x4.sub(m0, one), low);
  const z = f32x4.mul(m, m);
  let p = f32x4.splat(L0);
  p = f32x4.add(f32x4.mul(p, m), f32x4.splat(L1));
  p = f32x4.add(f32x4.mul(p, m), f32x4.splat(L2));
  p = f32x4.add(f32x4.mul(p, m), f32x4.splat(L3));
  p = f32x4.add(f32x4.mul(p, m), f32x4.splat(L4));
  p = f32x4.add(f32x4.mul(p, m), f32x4.splat(L5));
  p = f32x4.add(f32x4.mul(p, m), f32x4.splat(L6));
  p = f32x4.add(f32x4.mul(p, m), f32x4.splat(L7));
  p = f32x4.add(f32x4.mul(p, m), f32x4.splat(L8));
  const fe = f32x4.convert_i32x4_s(e);
  let y = f32x4.mul(f32x4.mul(p, m), z);
  y = f32x4.add(y, f32x4.mul(fe, f32x4.splat(C2)));
  y = f32x4.add(y, f32x4.mul(z, f32x4.splat(-0.5)));
  y = f32x4.add(m, y);
  y = f32x4.add(y, f32x4.mul(fe, f32x4.splat(C1)));
  y = v128.bitselect(f32x4.splat(Infinity), y, f32x4.eq(x, f32x4.splat(Infinity)));
  y = v128.bitselect(f32x4.splat(-Infinity), y, f32x4.eq(x, f32x4.splat(0)));
  return v128.bitselect(f32x4.splat(NaN), y, v128.not(f32x4.ge(x, f32x4.splat(0))));
}
