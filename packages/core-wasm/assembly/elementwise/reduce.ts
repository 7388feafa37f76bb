// Reductions over float32 vectors, accumulated in float64.
//
// Why f64: a float32 running sum of 10⁶ terms loses ~3 decimal digits; f64 partial sums of f32 terms
// (and of their exact f64 squares) stay exact to ~1e-16 relative per term, so the result is the f32
// (or f64) rounding of an almost exact sum whatever n is. The cost is two f32→f64 promotions per
// four elements, small next to the loads.
//
// Order: blocks of 8 elements go to 8 partial sums s0…s7 (element 8b+j to s_j); they combine as
// ((s0+s4)+(s2+s6)) + ((s1+s5)+(s3+s7)), then the n mod 8 tail elements are added in order. The
// SIMD path keeps s0…s7 as four f64x2 lanes and the scalar twin as eight f64 locals, with the same
// additions in the same order, so the twins agree to the last bit.
import { exp4, expS } from "../math/transcendental";
import { rangeTeamSize, runTeam, setTaskWord, taskF64 } from "../gemm/parallel";
import { REDUCE } from "../threads/team";

export const enum Reduce { SUM, SUMSQ, EXPSUM, DOT }

// @ts-ignore: decorator
@inline function term(op: Reduce, v: f32, w: f32): f64 {
  const d = <f64>v;
  if (op == Reduce.SUMSQ) return d * d;
  if (op == Reduce.DOT) return d * <f64>w;
  return d;
}

// @ts-ignore: decorator
@inline function terms(op: Reduce, v: v128, w: v128): v128 {
  const d = f64x2.promote_low_f32x4(v);
  if (op == Reduce.SUMSQ) return f64x2.mul(d, d);
  if (op == Reduce.DOT) return f64x2.mul(d, f64x2.promote_low_f32x4(w));
  return d;
}

// @ts-ignore: decorator
@inline function upper(v: v128): v128 {
  return v128.shuffle<i64>(v, v, 1, 1);
}

/**
 * Σ x[i] (SUM), Σ x[i]² (SUMSQ), Σ x[i]·aux[i] (DOT; products exact in f64), or Σ e^{x[i] − shift}
 * (EXPSUM, which also stores each e^{x[i] − shift} to aux when aux ≠ 0; aux may be x). The value
 * is the f64 sum.
 */
// @ts-ignore: decorator
@inline export function reduce(simd: bool, op: Reduce, n: i32, x: usize, shift: f32, aux: usize): f64 {
  const blocks = n >> 3;
  let total: f64 = 0;
  if (simd) {
    let a0 = f64x2.splat(0);
    let a1 = f64x2.splat(0);
    let a2 = f64x2.splat(0);
    let a3 = f64x2.splat(0);
    const vshift = f32x4.splat(shift);
    for (let b = 0; b < blocks; b++) {
      const o = <usize>b << 5;
      let v0 = v128.load(x + o);
      let v1 = v128.load(x + o, 16);
      let w0 = v0;
      let w1 = v1;
      if (op == Reduce.EXPSUM) {
        v0 = exp4(f32x4.sub(v0, vshift));
        v1 = exp4(f32x4.sub(v1, vshift));
        if (aux) {
          v128.store(aux + o, v0);
          v128.store(aux + o, v1, 16);
        }
      }
      if (op == Reduce.DOT) {
        w0 = v128.load(aux + o);
        w1 = v128.load(aux + o, 16);
      }
      a0 = f64x2.add(a0, terms(op, v0, w0));
      a1 = f64x2.add(a1, terms(op, upper(v0), upper(w0)));
      a2 = f64x2.add(a2, terms(op, v1, w1));
      a3 = f64x2.add(a3, terms(op, upper(v1), upper(w1)));
    }
    const s = f64x2.add(f64x2.add(a0, a2), f64x2.add(a1, a3));
    total = f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
  } else {
    let s0: f64 = 0, s1: f64 = 0, s2: f64 = 0, s3: f64 = 0;
    let s4: f64 = 0, s5: f64 = 0, s6: f64 = 0, s7: f64 = 0;
    for (let b = 0; b < blocks; b++) {
      const o = <usize>b << 5;
      // Unrolled by hand: eight named accumulators are what the SIMD lanes hold.
      s0 += term(op, element(op, x, o, 0, shift, aux), second(op, aux, o, 0));
      s1 += term(op, element(op, x, o, 4, shift, aux), second(op, aux, o, 4));
      s2 += term(op, element(op, x, o, 8, shift, aux), second(op, aux, o, 8));
      s3 += term(op, element(op, x, o, 12, shift, aux), second(op, aux, o, 12));
      s4 += term(op, element(op, x, o, 16, shift, aux), second(op, aux, o, 16));
      s5 += term(op, element(op, x, o, 20, shift, aux), second(op, aux, o, 20));
      s6 += term(op, element(op, x, o, 24, shift, aux), second(op, aux, o, 24));
      s7 += term(op, element(op, x, o, 28, shift, aux), second(op, aux, o, 28));
    }
    total = ((s0 + s4) + (s2 + s6)) + ((s1 + s5) + (s3 + s7));
  }
  for (let i = blocks << 3; i < n; i++) {
    total += term(op, element(op, x, <usize>i << 2, 0, shift, aux), second(op, aux, <usize>i << 2, 0));
  }
  return total;
}

/** The f32 term at byte offset o + k: x itself, or e^{x − shift} (stored to aux when aux ≠ 0). */
// @ts-ignore: decorator
@inline function element(op: Reduce, x: usize, o: usize, k: usize, shift: f32, aux: usize): f32 {
  let v = load<f32>(x + o + k);
  if (op == Reduce.EXPSUM) {
    v = expS(v - shift);
    if (aux) store<f32>(aux + o + k, v);
  }
  return v;
}

/** DOT's second factor aux[(o + k)/4]; 0 (unused) for the other reductions. */
// @ts-ignore: decorator
@inline function second(op: Reduce, aux: usize, o: usize, k: usize): f32 {
  return op == Reduce.DOT ? load<f32>(aux + o + k) : 0;
}

/** max_i x[i] (−Inf for n = 0); NaN if any x[i] is NaN. Exact, so the twins agree. */
// @ts-ignore: decorator
@inline export function rowMax(simd: bool, n: i32, x: usize): f32 {
  let m: f32 = -Infinity;
  let i = 0;
  if (simd && n >= 4) {
    let vm = v128.load(x);
    for (i = 4; i + 4 <= n; i += 4) vm = f32x4.max(vm, v128.load(x + (<usize>i << 2)));
    m = max<f32>(max<f32>(f32x4.extract_lane(vm, 0), f32x4.extract_lane(vm, 1)),
      max<f32>(f32x4.extract_lane(vm, 2), f32x4.extract_lane(vm, 3)));
  }
  for (; i < n; i++) m = max<f32>(m, load<f32>(x + (<usize>i << 2)));
  return m;
}

/**
 * Chunk length of a whole-vector reduction over n elements: 2¹⁶, or n/16 rounded up to a block of 8
 * when that is longer, so there are at most 16 chunks (their f64 sums fit the team's task block).
 * A function of n alone: the thread count never moves a chunk boundary.
 */
function reduceChunkLength(n: i32): i32 {
  return max(1 << 16, ((n + 15) / 16 + 7) & ~7);
}

/** `reduce` of SUM (op 0) or SUMSQ (op 1), chosen at run time (a team's share). */
export function reduceOp(simd: bool, op: i32, n: i32, x: usize): f64 {
  return op == 0 ? reduce(simd, Reduce.SUM, n, x, 0, 0) : reduce(simd, Reduce.SUMSQ, n, x, 0, 0);
}

/**
 * Σ x[i] (op 0) or Σ x[i]² (op 1) over a whole vector, in fixed chunks (`reduceChunkLength`) whose
 * f64 sums are added in chunk order: a threaded core reduces the chunks on several threads and gets
 * the bits of one. Up to 2¹⁶ elements this is one chunk, the plain `reduce`.
 */
export function reduceChunked(simd: bool, op: i32, n: i32, x: usize): f64 {
  const len = reduceChunkLength(n);
  const chunks = (n + len - 1) / len;
  const size = min(chunks, rangeTeamSize(simd, n));
  let total: f64 = 0;
  if (size > 1) {
    setTaskWord(0, REDUCE); setTaskWord(1, n); setTaskWord(2, op); setTaskWord(3, x); setTaskWord(4, len);
    runTeam(size, 0);
    for (let c = 0; c < chunks; c++) total += taskF64(16 + 2 * c);
  } else {
    for (let c = 0; c < chunks; c++) total += reduceOp(simd, op, min(len, n - c * len), x + (<usize>(c * len) << 2));
  }
  return total;
}
