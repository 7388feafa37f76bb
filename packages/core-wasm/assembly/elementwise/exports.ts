// Raw exports of the elementwise family: vectors of n float32 (any n ≥ 0, any 4-byte aligned
// pointers); `out` may be the same pointer as an input. Long vectors split over a threaded core's
// threads (passes.ts, reduce.ts), with the bits of one thread. Every kernel has a `__wasmsimd` and a
// `__scalar` twin with the same signature; they return bit-identical results.
import { Binary, Grad, Unary } from "./map";
import { binaryPass, gradPass, unaryPass } from "./passes";
import { reduceChunked } from "./reduce";
import { logSoftmaxBackwardRows, logSoftmaxRows, softmaxBackwardRows, softmaxRows } from "./softmax";

/** out = a + b */
export function f32_add__wasmsimd(n: i32, a: usize, b: usize, out: usize): void { binaryPass(true, Binary.ADD, n, 0, a, b, out); }
export function f32_add__scalar(n: i32, a: usize, b: usize, out: usize): void { binaryPass(false, Binary.ADD, n, 0, a, b, out); }
/** out = a − b */
export function f32_sub__wasmsimd(n: i32, a: usize, b: usize, out: usize): void { binaryPass(true, Binary.SUB, n, 0, a, b, out); }
export function f32_sub__scalar(n: i32, a: usize, b: usize, out: usize): void { binaryPass(false, Binary.SUB, n, 0, a, b, out); }
/** out = a ⊙ b */
export function f32_mul__wasmsimd(n: i32, a: usize, b: usize, out: usize): void { binaryPass(true, Binary.MUL, n, 0, a, b, out); }
export function f32_mul__scalar(n: i32, a: usize, b: usize, out: usize): void { binaryPass(false, Binary.MUL, n, 0, a, b, out); }
/** out = α·x */
export function f32_scale__wasmsimd(n: i32, alpha: f32, x: usize, out: usize): void { binaryPass(true, Binary.SCALE, n, alpha, x, 0, out); }
export function f32_scale__scalar(n: i32, alpha: f32, x: usize, out: usize): void { binaryPass(false, Binary.SCALE, n, alpha, x, 0, out); }
/** y = α·x + y */
export function f32_axpy__wasmsimd(n: i32, alpha: f32, x: usize, y: usize): void { binaryPass(true, Binary.AXPY, n, alpha, x, y, y); }
export function f32_axpy__scalar(n: i32, alpha: f32, x: usize, y: usize): void { binaryPass(false, Binary.AXPY, n, alpha, x, y, y); }

/** out = eˣ */
export function f32_exp__wasmsimd(n: i32, x: usize, out: usize): void { unaryPass(true, Unary.EXP, n, x, out); }
export function f32_exp__scalar(n: i32, x: usize, out: usize): void { unaryPass(false, Unary.EXP, n, x, out); }
/** out = log x */
export function f32_log__wasmsimd(n: i32, x: usize, out: usize): void { unaryPass(true, Unary.LOG, n, x, out); }
export function f32_log__scalar(n: i32, x: usize, out: usize): void { unaryPass(false, Unary.LOG, n, x, out); }
/** out = σ(x) */
export function f32_sigmoid__wasmsimd(n: i32, x: usize, out: usize): void { unaryPass(true, Unary.SIGMOID, n, x, out); }
export function f32_sigmoid__scalar(n: i32, x: usize, out: usize): void { unaryPass(false, Unary.SIGMOID, n, x, out); }
/** out = tanh x */
export function f32_tanh__wasmsimd(n: i32, x: usize, out: usize): void { unaryPass(true, Unary.TANH, n, x, out); }
export function f32_tanh__scalar(n: i32, x: usize, out: usize): void { unaryPass(false, Unary.TANH, n, x, out); }
/** out = max(x, 0) */
export function f32_relu__wasmsimd(n: i32, x: usize, out: usize): void { unaryPass(true, Unary.RELU, n, x, out); }
export function f32_relu__scalar(n: i32, x: usize, out: usize): void { unaryPass(false, Unary.RELU, n, x, out); }

/** dx (+)= dy·y(1−y), y = σ(x) the forward output; accumulate 0 never reads dx. */
export function f32_sigmoid_backward__wasmsimd(n: i32, y: usize, dy: usize, dx: usize, accumulate: i32): void {
  gradPass(true, Grad.SIGMOID, n, y, dy, dx, accumulate != 0);
}
export function f32_sigmoid_backward__scalar(n: i32, y: usize, dy: usize, dx: usize, accumulate: i32): void {
  gradPass(false, Grad.SIGMOID, n, y, dy, dx, accumulate != 0);
}
/** dx (+)= dy·(1−y²), y = tanh x the forward output. */
export function f32_tanh_backward__wasmsimd(n: i32, y: usize, dy: usize, dx: usize, accumulate: i32): void {
  gradPass(true, Grad.TANH, n, y, dy, dx, accumulate != 0);
}
export function f32_tanh_backward__scalar(n: i32, y: usize, dy: usize, dx: usize, accumulate: i32): void {
  gradPass(false, Grad.TANH, n, y, dy, dx, accumulate != 0);
}
/** dx (+)= dy·[x > 0], x the forward input. */
export function f32_relu_backward__wasmsimd(n: i32, x: usize, dy: usize, dx: usize, accumulate: i32): void {
  gradPass(true, Grad.RELU, n, x, dy, dx, accumulate != 0);
}
export function f32_relu_backward__scalar(n: i32, x: usize, dy: usize, dx: usize, accumulate: i32): void {
  gradPass(false, Grad.RELU, n, x, dy, dx, accumulate != 0);
}

/** Σ x[i], accumulated and returned in f64. */
export function f32_sum__wasmsimd(n: i32, x: usize): f64 { return reduceChunked(true, 0, n, x); }
export function f32_sum__scalar(n: i32, x: usize): f64 { return reduceChunked(false, 0, n, x); }
/** Σ x[i]², accumulated and returned in f64 (squares exact in f64). */
export function f32_sumsq__wasmsimd(n: i32, x: usize): f64 { return reduceChunked(true, 1, n, x); }
export function f32_sumsq__scalar(n: i32, x: usize): f64 { return reduceChunked(false, 1, n, x); }

/** Row-wise softmax of a rows×cols matrix x (row stride ldx) into out (row stride ldo). */
export function f32_softmax__wasmsimd(rows: i32, cols: i32, x: usize, ldx: i32, out: usize, ldo: i32): void {
  softmaxRows(true, rows, cols, x, ldx, out, ldo);
}
export function f32_softmax__scalar(rows: i32, cols: i32, x: usize, ldx: i32, out: usize, ldo: i32): void {
  softmaxRows(false, rows, cols, x, ldx, out, ldo);
}
/** Row-wise log-softmax, same arguments as `f32_softmax__wasmsimd`. */
export function f32_log_softmax__wasmsimd(rows: i32, cols: i32, x: usize, ldx: i32, out: usize, ldo: i32): void {
  logSoftmaxRows(true, rows, cols, x, ldx, out, ldo);
}
export function f32_log_softmax__scalar(rows: i32, cols: i32, x: usize, ldx: i32, out: usize, ldo: i32): void {
  logSoftmaxRows(false, rows, cols, x, ldx, out, ldo);
}

/**
 * dx = y ⊙ (dy − rowsum(dy ⊙ y)) from the softmax output y (rows×cols; strides ldy, lddy, lddx).
 * dx may be dy or y with the same stride. Overwrites dx.
 */
export function f32_softmax_backward__wasmsimd(rows: i32, cols: i32, y: usize, ldy: i32, dy: usize, lddy: i32, dx: usize, lddx: i32): void {
  softmaxBackwardRows(true, rows, cols, y, ldy, dy, lddy, dx, lddx);
}
export function f32_softmax_backward__scalar(rows: i32, cols: i32, y: usize, ldy: i32, dy: usize, lddy: i32, dx: usize, lddx: i32): void {
  softmaxBackwardRows(false, rows, cols, y, ldy, dy, lddy, dx, lddx);
}
/** dx = dy − e^{y} ⊙ rowsum(dy) from the log-softmax output y; same arguments as softmax_backward. */
export function f32_log_softmax_backward__wasmsimd(rows: i32, cols: i32, y: usize, ldy: i32, dy: usize, lddy: i32, dx: usize, lddx: i32): void {
  logSoftmaxBackwardRows(true, rows, cols, y, ldy, dy, lddy, dx, lddx);
}
export function f32_log_softmax_backward__scalar(rows: i32, cols: i32, y: usize, ldy: i32, dy: usize, lddy: i32, dx: usize, lddx: i32): void {
  logSoftmaxBackwardRows(false, rows, cols, y, ldy, dy, lddy, dx, lddx);
}
