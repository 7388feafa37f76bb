// RMSprop as torch.optim.RMSprop (foreach=False): square average v, optional centring by the
// gradient average ḡ, optional momentum buffer b:
//   g ← g + λθ (λ ≠ 0)
//   v ← α·v + ((1−α)·g)·g
//   ṽ = v, or centred: ḡ ← α·ḡ + (1−α)·g, ṽ = v − ḡ·ḡ
//   a = √ṽ + ε
//   momentum: b ← μ·b + g/a, θ ← θ − γ·b        else: θ ← θ − (γ·g)/a
// 1−α comes from the caller (float64, rounded once), as PyTorch computes it in Python.
// NOTE: centred, ṽ = v − ḡ² is a variance and ≥ 0 in exact arithmetic, but rounding can make it
// slightly negative when g barely varies, and then √ṽ is NaN. PyTorch does not clamp it either;
// we keep its behaviour so that trajectories agree, NaN included.
import { withL2 } from "./weight-decay";
import { add, div, lanes, mul, splat, sqrtV, sub } from "../math/lanes";
import { rangeTeamSize, runTeam, setTaskF32, setTaskWord } from "../gemm/parallel";
import { RMSPROP } from "../threads/team";

function rmspropRange<T>(
  from: i32, n: i32, param: usize, grad: usize, squareAvg: usize, gradAvg: usize, buf: usize,
  lr: f32, alpha: f32, oneMinusAlpha: f32, eps: f32, weightDecay: f32, momentum: f32,
): i32 {
  const w = lanes<T>();
  const vLr = splat<T>(lr);
  const vAlpha = splat<T>(alpha);
  const vOmAlpha = splat<T>(oneMinusAlpha);
  const vEps = splat<T>(eps);
  const vWd = splat<T>(weightDecay);
  const vMu = splat<T>(momentum);
  const decay = weightDecay != 0;
  let i = from;
  for (; i + w <= n; i += w) {
    const o = <usize>i << 2;
    const theta = load<T>(param + o);
    let g = load<T>(grad + o);
    g = withL2<T>(g, theta, vWd, decay);
    const v = add<T>(mul<T>(vAlpha, load<T>(squareAvg + o)), mul<T>(mul<T>(vOmAlpha, g), g));
    store<T>(squareAvg + o, v);
    let vTilde = v;
    if (gradAvg != 0) {
      const gAvg = add<T>(mul<T>(vAlpha, load<T>(gradAvg + o)), mul<T>(vOmAlpha, g));
      store<T>(gradAvg + o, gAvg);
      vTilde = sub<T>(v, mul<T>(gAvg, gAvg));
    }
    const avg = add<T>(sqrtV<T>(vTilde), vEps);
    if (buf != 0) {
      const b = add<T>(mul<T>(vMu, load<T>(buf + o)), div<T>(g, avg));
      store<T>(buf + o, b);
      store<T>(param + o, sub<T>(theta, mul<T>(vLr, b)));
    } else {
      store<T>(param + o, sub<T>(theta, div<T>(mul<T>(vLr, g), avg)));
    }
  }
  return i;
}

/** One RMSprop step; `gradAvg` = 0 means not centred, `buf` = 0 means no momentum. Large tensors split by ranges. */
export function rmspropUpdate(
  simd: bool, n: i32, param: usize, grad: usize, squareAvg: usize, gradAvg: usize, buf: usize,
  lr: f32, alpha: f32, oneMinusAlpha: f32, eps: f32, weightDecay: f32, momentum: f32,
): void {
  const size = rangeTeamSize(simd, n);
  if (size > 1) {
    setTaskWord(0, RMSPROP); setTaskWord(1, n); setTaskWord(2, param); setTaskWord(3, grad); setTaskWord(4, squareAvg);
    setTaskWord(5, gradAvg); setTaskWord(6, buf); setTaskF32(7, lr); setTaskF32(8, alpha); setTaskF32(9, oneMinusAlpha);
    setTaskF32(10, eps); setTaskF32(11, weightDecay); setTaskF32(12, momentum);
    runTeam(size, 0);
    return;
  }
  rmspropSlice(simd, 0, n, param, grad, squareAvg, gradAvg, buf, lr, alpha, oneMinusAlpha, eps, weightDecay, momentum);
}

/** Elements [i0, i1) of an RMSprop step (i0 a multiple of 4). */
export function rmspropSlice(
  simd: bool, i0: i32, i1: i32, param: usize, grad: usize, squareAvg: usize, gradAvg: usize, buf: usize,
  lr: f32, alpha: f32, oneMinusAlpha: f32, eps: f32, weightDecay: f32, momentum: f32,
): void {
  const tail = simd
    ? rmspropRange<v128>(i0, i1, param, grad, squareAvg, gradAvg, buf, lr, alpha, oneMinusAlpha, eps, weightDecay, momentum)
    : i0;
  rmspropRange<f32>(tail, i1, param, grad, squareAvg, gradAvg, buf, lr, alpha, oneMinusAlpha, eps, weightDecay, momentum);
}
