// Adam and AdamW, as torch.optim.Adam / AdamW (foreach=False), one parameter tensor per call:
//   Adam:  g ← g + λθ (λ ≠ 0)            AdamW: θ ← θ·(1 − γλ)   (decoupled, before the moments)
//   m ← β₁·m + (1−β₁)·g
//   v ← β₂·v + ((1−β₂)·g)·g
//   v̂ ← max(v̂, v) (amsgrad, kept in its own buffer) or v̂ = v
//   θ ← θ − (s·m) / (√v̂ / c₂ + ε),   s = γ / (1 − β₁ᵗ),  c₂ = √(1 − β₂ᵗ)
// s, c₂, 1−β₁, 1−β₂ and 1−γλ are computed by the caller in float64 and rounded once to float32,
// as PyTorch computes them in Python floats.
// NOTE: amsgrad keeps the max of the raw v and bias-corrects it afterwards, as PyTorch's code does;
// its docs once showed the max of the corrected v̂ (pytorch/pytorch#142323), which differs.
// NOTE: PyTorch ≥ 2.0 writes the first moment as m.lerp_(g, 1−β₁); that is the same value up to one
// rounding of m. The form of the algorithm box is used here: it cannot overflow in g − m.
import { withL2 } from "./weight-decay";
import { add, div, lanes, maxV, mul, splat, sqrtV, sub } from "../math/lanes";
import { rangeTeamSize, runTeam, setTaskF32, setTaskWord } from "../gemm/parallel";
import { ADAM } from "../threads/team";

function adamRange<T>(
  from: i32, n: i32, param: usize, grad: usize, expAvg: usize, expAvgSq: usize, maxExpAvgSq: usize,
  beta1: f32, oneMinusBeta1: f32, beta2: f32, oneMinusBeta2: f32, eps: f32,
  decay: f32, decoupled: bool, stepSize: f32, biasCorrection2Sqrt: f32,
): i32 {
  const w = lanes<T>();
  const vB1 = splat<T>(beta1);
  const vOmB1 = splat<T>(oneMinusBeta1);
  const vB2 = splat<T>(beta2);
  const vOmB2 = splat<T>(oneMinusBeta2);
  const vEps = splat<T>(eps);
  const vDecay = splat<T>(decay);
  const vStep = splat<T>(stepSize);
  const vBc2 = splat<T>(biasCorrection2Sqrt);
  // The AdamW factor needs no such skip as L2: multiplying by exactly 1 changes nothing, not ∞, not NaN.
  const l2 = !decoupled && decay != 0;
  let i = from;
  for (; i + w <= n; i += w) {
    const o = <usize>i << 2;
    let theta = load<T>(param + o);
    let g = load<T>(grad + o);
    if (decoupled) theta = mul<T>(theta, vDecay);
    else g = withL2<T>(g, theta, vDecay, l2);
    const m = add<T>(mul<T>(vB1, load<T>(expAvg + o)), mul<T>(vOmB1, g));
    const v = add<T>(mul<T>(vB2, load<T>(expAvgSq + o)), mul<T>(mul<T>(vOmB2, g), g));
    store<T>(expAvg + o, m);
    store<T>(expAvgSq + o, v);
    let vHat = v;
    if (maxExpAvgSq != 0) {
      vHat = maxV<T>(load<T>(maxExpAvgSq + o), v);
      store<T>(maxExpAvgSq + o, vHat);
    }
    const denom = add<T>(div<T>(sqrtV<T>(vHat), vBc2), vEps);
    store<T>(param + o, sub<T>(theta, div<T>(mul<T>(vStep, m), denom)));
  }
  return i;
}

/**
 * One Adam (decoupled = false, `decay` = λ) or AdamW (decoupled = true, `decay` = 1 − γλ) step
 * over n elements; `maxExpAvgSq` = 0 turns amsgrad off. Large tensors split over a threaded core's
 * threads by ranges (threads/team.ts), with the bits of one thread.
 */
export function adamUpdate(
  simd: bool, n: i32, param: usize, grad: usize, expAvg: usize, expAvgSq: usize, maxExpAvgSq: usize,
  beta1: f32, oneMinusBeta1: f32, beta2: f32, oneMinusBeta2: f32, eps: f32,
  decay: f32, decoupled: bool, stepSize: f32, biasCorrection2Sqrt: f32,
): void {
  const size = rangeTeamSize(simd, n);
  if (size > 1) {
    setTaskWord(0, ADAM); setTaskWord(1, n); setTaskWord(2, param); setTaskWord(3, grad); setTaskWord(4, expAvg);
    setTaskWord(5, expAvgSq); setTaskWord(6, maxExpAvgSq); setTaskF32(7, beta1); setTaskF32(8, oneMinusBeta1);
    setTaskF32(9, beta2); setTaskF32(10, oneMinusBeta2); setTaskF32(11, eps); setTaskF32(12, decay);
    setTaskWord(13, decoupled ? 1 : 0); setTaskF32(14, stepSize); setTaskF32(15, biasCorrection2Sqrt);
    runTeam(size, 0);
    return;
  }
  adamSlice(simd, 0, n, param, grad, expAvg, expAvgSq, maxExpAvgSq,
    beta1, oneMinusBeta1, beta2, oneMinusBeta2, eps, decay, decoupled, stepSize, biasCorrection2Sqrt);
}

/** Elements [i0, i1) of an Adam step (i0 a multiple of 4). */
export function adamSlice(
  simd: bool, i0: i32, i1: i32, param: usize, grad: usize, expAvg: usize, expAvgSq: usize, maxExpAvgSq: usize,
  beta1: f32, oneMinusBeta1: f32, beta2: f32, oneMinusBeta2: f32, eps: f32,
  decay: f32, decoupled: bool, stepSize: f32, biasCorrection2Sqrt: f32,
): void {
  const tail = simd
    ? adamRange<v128>(i0, i1, param, grad, expAvg, expAvgSq, maxExpAvgSq,
      beta1, oneMinusBeta1, beta2, oneMinusBeta2, eps, decay, decoupled, stepSize, biasCorrection2Sqrt)
    : i0;
  adamRange<f32>(tail, i1, param, grad, expAvg, expAvgSq, maxExpAvgSq,
    beta1, oneMinusBeta1, beta2, oneMinusBeta2, eps, decay, decoupled, stepSize, biasCorrection2Sqrt);
}
