// Arithmetic generic over the lane type V = v128 (four f32 lanes) or f32 (one lane), so that the
// GRU's fused elementwise passes are written once and instantiated for the SIMD body and for the
// scalar tail / scalar twin: the two cannot drift apart. `isVector<V>()` is a compile-time
// constant, so only the branch for V is compiled and the f32 instantiation contains no v128.
import { sigmoid4, sigmoidS, tanh4, tanhS } from "../math/transcendental";

/** Lanes per V: 4 for v128, 1 for f32. */
// @ts-ignore: decorator
@inline
export function lanes<V>(): i32 {
  return isVector<V>() ? 4 : 1;
}

// @ts-ignore: decorator
@inline
export function ld<V>(p: usize): V {
  if (isVector<V>()) return v128.load(p);
  else return load<f32>(p);
}

// @ts-ignore: decorator
@inline
export function st<V>(p: usize, v: V): void {
  if (isVector<V>()) v128.store(p, v);
  else store<f32>(p, v);
}

// @ts-ignore: decorator
@inline
export function splat<V>(x: f32): V {
  if (isVector<V>()) return f32x4.splat(x);
  else return x;
}

// @ts-ignore: decorator
@inline
export function add<V>(a: V, b: V): V {
  if (isVector<V>()) return f32x4.add(a, b);
  else return a + b;
}

// @ts-ignore: decorator
@inline
export function sub<V>(a: V, b: V): V {
  if (isVector<V>()) return f32x4.sub(a, b);
  else return a - b;
}

// @ts-ignore: decorator
@inline
export function mul<V>(a: V, b: V): V {
  if (isVector<V>()) return f32x4.mul(a, b);
  else return a * b;
}

// @ts-ignore: decorator
@inline
export function sigmoid<V>(x: V): V {
  if (isVector<V>()) return sigmoid4(x);
  else return sigmoidS(x);
}

// @ts-ignore: decorator
@inline
export function tanh<V>(x: V): V {
  if (isVector<V>()) return tanh4(x);
  else return tanhS(x);
}
