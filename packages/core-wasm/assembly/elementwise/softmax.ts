// Row-wise softmax and log-softmax of a rows×cols matrix (row strides in elements), numerically
// stable: with m = maxⱼ xⱼ, softmax(x)ⱼ = e^{xⱼ−m} / Σₖ e^{xₖ−m} and
// log_softmax(x)ⱼ = (xⱼ − m) − log Σₖ e^{xₖ−m}; every exponent is ≤ 0, so nothing overflows and
// the sum is ≥ 1. The sum is accumulated in f64 (reduce.ts) and its log taken in f64.
// NOTE: a row holding NaN or +Inf gives NaN in the whole row (as PyTorch); a row of −Inf too.
// out may be x (with the same stride); a partial overlap is not supported.
import { Binary, mapBinary } from "./map";
import { reduce, Reduce, rowMax } from "./reduce";

export function softmaxRows(simd: bool, rows: i32, cols: i32, x: usize, ldx: i32, out: usize, ldo: i32): void {
  for (let r = 0; r < rows; r++) {
    const xr = x + (<usize>r * <usize>ldx << 2);
    const or = out + (<usize>r * <usize>ldo << 2);
    const m = rowMax(simd, cols, xr);
    const sum = reduce(simd, Reduce.EXPSUM, cols, xr, m, or);
    mapBinary(simd, Binary.SCALE, cols, <f32>(1 / sum), or, or, or);
  }
}

export function logSoftmaxRows(simd: bool, rows: i32, cols: i32, x: usize, ldx: i32, out: usize, ldo: i32): void {
  for (let r = 0; r < rows; r++) {
    const xr = x + (<usize>r * <usize>ldx << 2);
    const or = out + (<usize>r * <usize>ldo << 2);
    const m = rowMax(simd, cols, xr);
    const lse = <f32>Math.log(reduce(simd, Reduce.EXPSUM, cols, xr, m, 0));
    shiftRow(simd, cols, xr, m, lse, or);
  }
}

/** out[j] = (x[j] − m) − c: the log-softmax shift, two roundings as written. */
function shiftRow(simd: bool, n: i32, x: usize, m: f32, c: f32, out: usize): void {
  let j = 0;
  if (simd) {
    const vm = f32x4.splat(m);
    const vc = f32x4.splat(c);
    for (; j + 4 <= n; j += 4) {
      const o = <usize>j << 2;
      v128.store(out + o, f32x4.sub(f32x4.sub(v128.load(x + o), vm), vc));
    }
  }
  for (; j < n; j++) {
    const o = <usize>j << 2;
    store<f32>(out + o, load<f32>(x + o) - m - c);
  }
}

/**
 * Backward of softmax from its output y: dx = y ⊙ (dy − Σⱼ dyⱼ·yⱼ) row by row (Σ in f64).
 * dx may be dy or y itself (same stride): each row's Σ is taken before the row is written.
 */
export function softmaxBackwardRows(
  simd: bool, rows: i32, cols: i32, y: usize, ldy: i32, dy: usize, lddy: i32, dx: usize, lddx: i32,
): void {
  for (let r = 0; r < rows; r++) {
    const yr = y + (<usize>r * <usize>ldy << 2);
    const gr = dy + (<usize>r * <usize>lddy << 2);
    const dot = <f32>reduce(simd, Reduce.DOT, cols, gr, 0, yr);
    mapBinary(simd, Binary.SOFTMAX_GRAD, cols, dot, gr, yr, dx + (<usize>r * <usize>lddx << 2));
  }
}

/**
 * Backward of log-softmax from its output y: dx = dy − e^{y}·Σⱼ dyⱼ row by row (e^{y} = softmax).
 * Same aliasing as softmaxBackwardRows.
 */
export function logSoftmaxBackwardRows(
  simd: bool, rows: i32, cols: i32, y: usize, ldy: i32, dy: usize, lddy: i32, dx: usize, lddx: i32,
): void {
  for (let r = 0; r < rows; r++) {
    const yr = y + (<usize>r * <usize>ldy << 2);
    const gr = dy + (<usize>r * <usize>lddy << 2);
    const total = <f32>reduce(simd, Reduce.SUM, cols, gr, 0, 0);
    mapBinary(simd, Binary.LOG_SOFTMAX_GRAD, cols, total, gr, yr, dx + (<usize>r * <usize>lddx << 2));
  }
}
