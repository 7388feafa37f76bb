// Arithmetic generic over the lane type V = v128 (four f32 lanes) or f32 (one lane), so that a
// kernel body is written once and instantiated twice: for the SIMD body (and its scalar tail) and
// for the scalar twin, which then cannot drift apart. `isVector<V>()` is resolved at compile time
// and the branch not taken is never compiled, so the f32 instantiation contains no v128
// instruction at all; every helper is @inline, so the generic form costs nothing in a hot loop.
// Used by the optimizers (assembly/optim) and the fused recurrent cells (assembly/recurrent).
// Helpers whose plain name is an AssemblyScript builtin (sqrt, max, min) carry a V suffix.
// NOTE: every operation is exactly rounded per lane (f32x4.add/mul/div/sqrt are IEEE like their
// scalar forms) and no FMA is used even in the relaxed build, so both twins give bit-identical
// arithmetic in every build; min/max propagate NaN in both forms. sigmoid/tanh are the
// transcendental.ts approximations, whose vector and scalar forms may differ in the last bits.
import { sigmoid4, sigmoidS, tanh4, tanhS } from "./transcendental";

/** Elements per V: 4 for v128, 1 for f32. */
// @ts-ignore: decorator
@inline export function lanes<V>(): i32 {
  return isVector<V>() ? 4 : 1;
}

/** Loads one V at byte address p (v128.load allows unaligned access). */
// @ts-ignore: decorator
@inline export function ld<V>(p: usize): V {
  if (isVector<V>()) return <V>v128.load(p);
  else return <V>load<f32>(p);
}

// @ts-ignore: decorator
@inline export function st<V>(p: usize, v: V): void {
  if (isVector<V>()) v128.store(p, <v128>v);
  else store<f32>(p, <f32>v);
}

// @ts-ignore: decorator
@inline export function splat<V>(x: f32): V {
  if (isVector<V>()) return <V>f32x4.splat(x);
  else return <V>x;
}

// @ts-ignore: decorator
@inline export function add<V>(a: V, b: V): V {
  if (isVector<V>()) return <V>f32x4.add(<v128>a, <v128>b);
  else return <V>(<f32>a + <f32>b);
}

// @ts-ignore: decorator
@inline export function sub<V>(a: V, b: V): V {
  if (isVector<V>()) return <V>f32x4.sub(<v128>a, <v128>b);
  else return <V>(<f32>a - <f32>b);
}

// @ts-ignore: decorator
@inline export function mul<V>(a: V, b: V): V {
  if (isVector<V>()) return <V>f32x4.mul(<v128>a, <v128>b);
  else return <V>(<f32>a * <f32>b);
}

// @ts-ignore: decorator
@inline export function div<V>(a: V, b: V): V {
  if (isVector<V>()) return <V>f32x4.div(<v128>a, <v128>b);
  else return <V>(<f32>a / <f32>b);
}

// @ts-ignore: decorator
@inline export function sqrtV<V>(a: V): V {
  if (isVector<V>()) return <V>f32x4.sqrt(<v128>a);
  else return <V>sqrt<f32>(<f32>a);
}

// @ts-ignore: decorator
@inline export function maxV<V>(a: V, b: V): V {
  if (isVector<V>()) return <V>f32x4.max(<v128>a, <v128>b);
  else return <V>max<f32>(<f32>a, <f32>b);
}

// @ts-ignore: decorator
@inline export function minV<V>(a: V, b: V): V {
  if (isVector<V>()) return <V>f32x4.min(<v128>a, <v128>b);
  else return <V>min<f32>(<f32>a, <f32>b);
}

/**
 * `a` where `gate` > 0, else +0 (ReLU's derivative applied to a gradient).
 * NOTE: a NaN gate gives 0 and a NaN `a` passes where the gate is on, in both forms (as torch's
 * threshold_backward).
 */
// @ts-ignore: decorator
@inline export function wherePositive<V>(gate: V, a: V): V {
  if (isVector<V>()) return <V>v128.and(<v128>a, f32x4.gt(<v128>gate, f32x4.splat(0)));
  else return <V>(<f32>gate > 0 ? <f32>a : <f32>0);
}

// @ts-ignore: decorator
@inline export function sigmoid<V>(x: V): V {
  if (isVector<V>()) return <V>sigmoid4(<v128>x);
  else return <V>sigmoidS(<f32>x);
}

// @ts-ignore: decorator
@inline export function tanh<V>(x: V): V {
  if (isVector<V>()) return <V>tanh4(<v128>x);
  else return <V>tanhS(<f32>x);
}
