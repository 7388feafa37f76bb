// Adagrad as torch.optim.Adagrad (foreach=False):
//   g ← g + λθ (λ ≠ 0)
//   s ← s + g·g
//   θ ← θ − (γ̃·g) / (√s + ε),   γ̃ = γ / (1 + (t−1)·η)
// γ̃ is computed by the caller in float64 and rounded once; the initial accumulator value is the
// caller's too (it fills s before the first step).
import { withL2 } from "./weight-decay";
import { add, div, lanes, mul, splat, sqrtV, sub } from "../math/lanes";
import { rangeTeamSize, runTeam, setTaskF32, setTaskWord } from "../gemm/parallel";
import { ADAGRAD } from "../threads/team";

function adagradRange<T>(
  from: i32, n: i32, param: usize, grad: usize, stateSum: usize, clr: f32, eps: f32, weightDecay: f32,
): i32 {
  const w = lanes<T>();
  const vClr = splat<T>(clr);
  const vEps = splat<T>(eps);
  const vWd = splat<T>(weightDecay);
  const decay = weightDecay != 0;
  let i = from;
  for (; i + w <= n; i += w) {
    const o = <usize>i << 2;
    const theta = load<T>(param + o);
    let g = load<T>(grad + o);
    g = withL2<T>(g, theta, vWd, decay);
    const s = add<T>(load<T>(stateSum + o), mul<T>(g, g));
    store<T>(stateSum + o, s);
    store<T>(param + o, sub<T>(theta, div<T>(mul<T>(vClr, g), add<T>(sqrtV<T>(s), vEps))));
  }
  return i;
}

/** One Adagrad step over n elements with the decayed learning rate `clr` = γ̃. Large tensors split by ranges. */
export function adagradUpdate(
  simd: bool, n: i32, param: usize, grad: usize, stateSum: usize, clr: f32, eps: f32, weightDecay: f32,
): void {
  const size = rangeTeamSize(simd, n);
  if (size > 1) {
    setTaskWord(0, ADAGRAD); setTaskWord(1, n); setTaskWord(2, param); setTaskWord(3, grad); setTaskWord(4, stateSum);
    setTaskF32(5, clr); setTaskF32(6, eps); setTaskF32(7, weightDecay);
    runTeam(size, 0);
    return;
  }
  adagradSlice(simd, 0, n, param, grad, stateSum, clr, eps, weightDecay);
}

/** Elements [i0, i1) of an Adagrad step (i0 a multiple of 4). */
export function adagradSlice(
  simd: bool, i0: i32, i1: i32, param: usize, grad: usize, stateSum: usize, clr: f32, eps: f32, weightDecay: f32,
): void {
  const tail = simd ? adagradRange<v128>(i0, i1, param, grad, stateSum, clr, eps, weightDecay) : i0;
  adagradRange<f32>(tail, i1, param, grad, stateSum, clr, eps, weightDecay);
}
