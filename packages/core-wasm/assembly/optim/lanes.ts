// Arithmetic generic over the lane type T = v128 (four f32 lanes) or f32 (one lane), so that each
// optimizer body is written once and instantiated twice: the SIMD kernel and its scalar twin cannot
// drift apart. `isVector<T>()` is resolved at compile time and the branch not taken is never
// compiled, so the f32 instantiation contains no v128 instruction at all.
// NOTE: every operation is exactly rounded per lane (f32x4.add/mul/div/sqrt are IEEE like their
// scalar forms) and no FMA is used even in the relaxed build, so both twins give bit-identical
// results in every build; min/max propagate NaN in both forms.

/** Elements per T: 4 for v128, 1 for f32. */
// @ts-ignore: decorator
@inline export function lanes<T>(): i32 {
  return isVector<T>() ? 4 : 1;
}

// @ts-ignore: decorator
@inline export function splat<T>(x: f32): T {
  if (isVector<T>()) return <T>f32x4.splat(x);
  else return <T>x;
}

// @ts-ignore: decorator
@inline export function add<T>(a: T, b: T): T {
  if (isVector<T>()) return <T>f32x4.add(<v128>a, <v128>b);
  else return <T>(<f32>a + <f32>b);
}

// @ts-ignore: decorator
@inline export function sub<T>(a: T, b: T): T {
  if (isVector<T>()) return <T>f32x4.sub(<v128>a, <v128>b);
  else return <T>(<f32>a - <f32>b);
}

// @ts-ignore: decorator
@inline export function mul<T>(a: T, b: T): T {
  if (isVector<T>()) return <T>f32x4.mul(<v128>a, <v128>b);
  else return <T>(<f32>a * <f32>b);
}

// @ts-ignore: decorator
@inline export function div<T>(a: T, b: T): T {
  if (isVector<T>()) return <T>f32x4.div(<v128>a, <v128>b);
  else return <T>(<f32>a / <f32>b);
}

// @ts-ignore: decorator
@inline export function sqrtT<T>(a: T): T {
  if (isVector<T>()) return <T>f32x4.sqrt(<v128>a);
  else return <T>sqrt<f32>(<f32>a);
}

// @ts-ignore: decorator
@inline export function maxT<T>(a: T, b: T): T {
  if (isVector<T>()) return <T>f32x4.max(<v128>a, <v128>b);
  else return <T>max<f32>(<f32>a, <f32>b);
}

// @ts-ignore: decorator
@inline export function minT<T>(a: T, b: T): T {
  if (isVector<T>()) return <T>f32x4.min(<v128>a, <v128>b);
  else return <T>min<f32>(<f32>a, <f32>b);
}
