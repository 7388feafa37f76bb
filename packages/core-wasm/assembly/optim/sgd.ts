// SGD with momentum, dampening, Nesterov and L2 weight decay, as torch.optim.SGD (foreach=False):
//   g ← g + λθ                      (λ ≠ 0)
//   b ← g on the first step, else b ← μ·b + (1−τ)·g      (momentum buffer present)
//   g ← g + μ·b (Nesterov) or g ← b
//   θ ← θ − γ·g
// The operation order copies ATen's (add with alpha is a + α·b), so rounding matches PyTorch's
// float32 CPU path as closely as a non-FMA kernel can.
import { withL2 } from "./weight-decay";
import { add, lanes, mul, splat, sub } from "../math/lanes";
import { rangeTeamSize, runTeam, setTaskF32, setTaskWord } from "../gemm/parallel";
import { SGD } from "../threads/team";

/** Updates [from, n) in steps of the lane count of T; returns where a shorter tail starts. */
function sgdRange<T>(
  from: i32, n: i32, param: usize, grad: usize, buf: usize,
  lr: f32, momentum: f32, oneMinusDampening: f32, weightDecay: f32, nesterov: bool, first: bool,
): i32 {
  const w = lanes<T>();
  const vLr = splat<T>(lr);
  const vMu = splat<T>(momentum);
  const vDamp = splat<T>(oneMinusDampening);
  const vWd = splat<T>(weightDecay);
  const decay = weightDecay != 0;
  let i = from;
  for (; i + w <= n; i += w) {
    const o = <usize>i << 2;
    const theta = load<T>(param + o);
    let g = load<T>(grad + o);
    g = withL2<T>(g, theta, vWd, decay);
    if (buf != 0) {
      // PyTorch's first step clones g into the buffer: no dampening on it.
      const b = first ? g : add<T>(mul<T>(vMu, load<T>(buf + o)), mul<T>(vDamp, g));
      store<T>(buf + o, b);
      g = nesterov ? add<T>(g, mul<T>(vMu, b)) : b;
    }
    store<T>(param + o, sub<T>(theta, mul<T>(vLr, g)));
  }
  return i;
}

/** One SGD step over n elements; `buf` = 0 means no momentum. `simd` picks the twin. Large tensors split by ranges. */
export function sgdUpdate(
  simd: bool, n: i32, param: usize, grad: usize, buf: usize,
  lr: f32, momentum: f32, oneMinusDampening: f32, weightDecay: f32, nesterov: bool, first: bool,
): void {
  const size = rangeTeamSize(simd, n);
  if (size > 1) {
    setTaskWord(0, SGD); setTaskWord(1, n); setTaskWord(2, param); setTaskWord(3, grad); setTaskWord(4, buf);
    setTaskF32(5, lr); setTaskF32(6, momentum); setTaskF32(7, oneMinusDampening); setTaskF32(8, weightDecay);
    setTaskWord(9, nesterov ? 1 : 0); setTaskWord(10, first ? 1 : 0);
    runTeam(size, 0);
    return;
  }
  sgdSlice(simd, 0, n, param, grad, buf, lr, momentum, oneMinusDampening, weightDecay, nesterov, first);
}

/** Elements [i0, i1) of an SGD step (i0 a multiple of 4). */
export function sgdSlice(
  simd: bool, i0: i32, i1: i32, param: usize, grad: usize, buf: usize,
  lr: f32, momentum: f32, oneMinusDampening: f32, weightDecay: f32, nesterov: bool, first: bool,
): void {
  const tail = simd
    ? sgdRange<v128>(i0, i1, param, grad, buf, lr, momentum, oneMinusDampening, weightDecay, nesterov, first)
    : i0;
  sgdRange<f32>(tail, i1, param, grad, buf, lr, momentum, oneMinusDampening, weightDecay, nesterov, first);
}
