// Elementwise maps over float32 vectors: one loop skeleton per arity, the operation picked by a
// compile-time op code. Every kernel calls a skeleton with constant `simd` and `op`, so after
// inlining the optimizer folds the op dispatch away and the scalar twin holds no v128 at all.
// The tail (n mod 4 elements) of the SIMD path runs the scalar op, which gives the same bits as a
// lane would: the twins agree exactly.
//
// Aliasing: `out` may be the same pointer as an input (each element is read before it is written);
// a partial overlap is not supported (the TypeScript wrappers reject it).
import { exp4, expS, log4, logS, sigmoid4, sigmoidS, tanh4, tanhS } from "../math/transcendental";

export const enum Unary { COPY, EXP, LOG, SIGMOID, TANH, RELU }
export const enum Binary { ADD, SUB, MUL, SCALE, AXPY, SOFTMAX_GRAD, LOG_SOFTMAX_GRAD }
export const enum Grad { SIGMOID, TANH, RELU }

// @ts-ignore: decorator
@inline function unary4(op: Unary, x: v128): v128 {
  if (op == Unary.COPY) return x;
  if (op == Unary.EXP) return exp4(x);
  if (op == Unary.LOG) return log4(x);
  if (op == Unary.SIGMOID) return sigmoid4(x);
  if (op == Unary.TANH) return tanh4(x);
  // NOTE: max propagates NaN (relu(NaN) = NaN, as PyTorch) and relu(−0) = +0.
  return f32x4.max(x, f32x4.splat(0));
}

// @ts-ignore: decorator
@inline function unaryS(op: Unary, x: f32): f32 {
  if (op == Unary.COPY) return x;
  if (op == Unary.EXP) return expS(x);
  if (op == Unary.LOG) return logS(x);
  if (op == Unary.SIGMOID) return sigmoidS(x);
  if (op == Unary.TANH) return tanhS(x);
  return max<f32>(x, 0);
}

/** out[i] = f(x[i]) for i < n. */
// @ts-ignore: decorator
@inline export function mapUnary(simd: bool, op: Unary, n: i32, x: usize, out: usize): void {
  let i = 0;
  if (simd) {
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(out + o, unary4(op, v128.load(x + o)));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(out + o, unaryS(op, load<f32>(x + o)));
  }
}

// @ts-ignore: decorator
@inline function binary4(op: Binary, alpha: v128, a: v128, b: v128): v128 {
  if (op == Binary.ADD) return f32x4.add(a, b);
  if (op == Binary.SUB) return f32x4.sub(a, b);
  if (op == Binary.MUL) return f32x4.mul(a, b);
  if (op == Binary.SCALE) return f32x4.mul(alpha, a);
  if (op == Binary.AXPY) return f32x4.add(f32x4.mul(alpha, a), b);
  if (op == Binary.SOFTMAX_GRAD) return f32x4.mul(b, f32x4.sub(a, alpha));
  return f32x4.sub(a, f32x4.mul(exp4(b), alpha));
}

// @ts-ignore: decorator
@inline function binaryS(op: Binary, alpha: f32, a: f32, b: f32): f32 {
  if (op == Binary.ADD) return a + b;
  if (op == Binary.SUB) return a - b;
  if (op == Binary.MUL) return a * b;
  if (op == Binary.SCALE) return alpha * a;
  if (op == Binary.AXPY) return alpha * a + b;
  if (op == Binary.SOFTMAX_GRAD) return b * (a - alpha);
  return a - expS(b) * alpha;
}

/**
 * out[i] = a[i] ∘ b[i] for ADD, SUB, MUL; out[i] = α·a[i] for SCALE (b is not read);
 * out[i] = α·a[i] + b[i] for AXPY (y += α·x is out = b = y, a = x); the softmax gradients with
 * a = dy, b = the forward output y, α = the row's Σ: b·(a − α) (SOFTMAX_GRAD) and
 * a − e^{b}·α (LOG_SOFTMAX_GRAD).
 */
// @ts-ignore: decorator
@inline export function mapBinary(simd: bool, op: Binary, n: i32, alpha: f32, a: usize, b: usize, out: usize): void {
  let i = 0;
  if (simd) {
    const va = f32x4.splat(alpha);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      const vb = op == Binary.SCALE ? va : v128.load(b + o);
      v128.store(out + o, binary4(op, va, v128.load(a + o), vb));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const sb = op == Binary.SCALE ? alpha : load<f32>(b + o);
    store<f32>(out + o, binaryS(op, alpha, load<f32>(a + o), sb));
  }
}

// @ts-ignore: decorator
@inline function grad4(op: Grad, v: v128, dy: v128): v128 {
  const one = f32x4.splat(1);
  if (op == Grad.SIGMOID) return f32x4.mul(dy, f32x4.mul(v, f32x4.sub(one, v)));
  if (op == Grad.TANH) return f32x4.mul(dy, f32x4.sub(one, f32x4.mul(v, v)));
  return v128.and(dy, f32x4.gt(v, f32x4.splat(0)));
}

// @ts-ignore: decorator
@inline function gradS(op: Grad, v: f32, dy: f32): f32 {
  if (op == Grad.SIGMOID) return dy * (v * (1 - v));
  if (op == Grad.TANH) return dy * (1 - v * v);
  return v > 0 ? dy : 0;
}

/**
 * dx[i] (+)= dy[i]·f′ where f′ is read from v: the output y for SIGMOID (y(1−y)) and TANH (1−y²),
 * the input x for RELU ([x > 0]; NOTE: the subgradient at 0 is 0, and a NaN or infinite dy does not
 * leak through x ≤ 0 or x = NaN, as PyTorch's threshold_backward). accumulate = false never reads dx.
 */
// @ts-ignore: decorator
@inline export function mapGrad(simd: bool, op: Grad, n: i32, v: usize, dy: usize, dx: usize, accumulate: bool): void {
  let i = 0;
  if (simd) {
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      let g = grad4(op, v128.load(v + o), v128.load(dy + o));
      if (accumulate) g = f32x4.add(v128.load(dx + o), g);
      v128.store(dx + o, g);
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    let g = gradS(op, load<f32>(v + o), load<f32>(dy + o));
    if (accumulate) g = load<f32>(dx + o) + g;
    store<f32>(dx + o, g);
  }
}
