// Gradient clipping by value, as torch.nn.utils.clip_grad_value_: g ← clamp(g, −c, c) in place.
// (Clipping by global norm is a sum-of-squares reduction followed by an in-place scale; both
// belong to the elementwise and reduction families.)
// NOTE: NaN stays NaN (min/max propagate it, as torch.clamp does), so a diverged gradient is not
// silently turned into ±c.
import { lanes, maxV, minV, splat } from "../math/lanes";
import { rangeTeamSize, runTeam, setTaskF32, setTaskWord } from "../gemm/parallel";
import { CLIP_VALUE } from "../threads/team";

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

/** Clamps n gradient elements to [−clip, clip] in place. Large tensors split by ranges. */
export function clipValue(simd: bool, n: i32, grad: usize, clip: f32): void {
  const size = rangeTeamSize(simd, n);
  if (size > 1) {
    setTaskWord(0, CLIP_VALUE); setTaskWord(1, n); setTaskWord(2, grad); setTaskF32(3, clip);
    runTeam(size, 0);
    return;
  }
  clipValueSlice(simd, 0, n, grad, clip);
}

/** Elements [i0, i1) of `clipValue` (i0 a multiple of 4). */
export function clipValueSlice(simd: bool, i0: i32, i1: i32, grad: usize, clip: f32): void {
  const tail = simd ? clipValueRange<v128>(i0, i1, grad, clip) : i0;
  clipValueRange<f32>(tail, i1, grad, clip);
}
