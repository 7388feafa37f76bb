// Gradient clipping by value, as torch.nn.utils.clip_grad_value_: g ← clamp(g, −c, c) in place.
// (Clipping by global norm is a sum-of-squares reduction followed by an in-place scale; both
// belong to the elementwise and reduction families.)
// NOTE: NaN stays NaN (min/max propagate it, as torch.clamp does), so a diverged gradient is not
// silently turned into ±c.
import { lanes, maxV, minV, splat } from "../math/lanes";

function clipValueRange<T>(from: i32, n: i32, grad: usize, clip: f32): i32 {
  const w = lanes<T>();
  const hi = splat<T>(clip);
  const lo = splat<T>(-clip);
  let i = from;
  for (; i + w <= n; i += w) {
    const o = <usize>i << 2;
    store<T>(grad + o, minV<T>(maxV<T>(load<T>(grad + o), lo), hi));
  }
  return i;
}

/** Clamps n gradient elements to [−clip, clip] in place. */
export function clipValue(simd: bool, n: i32, grad: usize, clip: f32): void {
  const tail = simd ? clipValueRange<v128>(0, n, grad, clip) : 0;
  clipValueRange<f32>(tail, n, grad, clip);
}
