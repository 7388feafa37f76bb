import { split, stack, tensor, where, zeros, type Tensor } from '@eddy/autograd';
import type { LayerResult, LayerWeights } from './runner.js';

// The LSTM with a projected hidden state (PyTorch's proj_size, Sak et al. 2014). The fused kernel
// has no projection, so this is the slower path: a per-step loop of autograd primitives, about
// fifteen recorded operations per step instead of one node for the whole sequence. It exists for
// parity with checkpoints that use it, not for speed.

/**
 * One LSTM layer and direction with projection over time-major x [T, B, I]:
 *
 *   [iₜ fₜ gₜ oₜ] = [σ σ tanh σ](W_ih xₜ + b_ih + W_hh hₜ₋₁ + b_hh)
 *   cₜ = fₜ ⊙ cₜ₋₁ + iₜ ⊙ gₜ
 *   hₜ = W_hr (oₜ ⊙ tanh cₜ)                      (hₜ has P features, cₜ has H)
 *
 * with w.wHh [4H, P] and w.wHr [P, H]. With `lengths`, steps t ≥ lengths[b] leave element b's
 * state as it was and write a zero output row (packed-sequence semantics, as the fused kernels).
 * The input projection W_ih x + b_ih is hoisted out of the loop as one matrix product.
 */
export function lstmProjectedSequence(x: Tensor, w: LayerWeights, h0: Tensor | null, c0: Tensor | null, lengths: Tensor | null, reverse: boolean): LayerResult {
  const [T, B, I] = x.shape;
  const H = w.wHh.shape[0] / 4;
  const wHr = w.wHr!;
  const P = wHr.shape[0];
  let xw = x.reshape([T * B, I]).matmul(w.wIh.transpose());
  if (w.bIh !== null) xw = xw.add(w.bIh);
  const steps = split(xw.reshape([T, B * 4 * H]), 1, 0).map((s) => s.reshape([B, 4 * H]));
  const wHhT = w.wHh.transpose();
  const wHrT = wHr.transpose();
  const valid = lengths === null ? null : stepMasks(lengths.toArray(), T, B);

  let h = h0 ?? zeros([B, P]);
  let c = c0 ?? zeros([B, H]);
  const outputs: Tensor[] = new Array<Tensor>(T);
  for (let s = 0; s < T; s++) {
    const t = reverse ? T - 1 - s : s;
    let gates = steps[t].add(h.matmul(wHhT));
    if (w.bHh !== null) gates = gates.add(w.bHh);
    const [gi, gf, gg, go] = split(gates, H, 1);
    const cNext = gf.sigmoid().mul(c).add(gi.sigmoid().mul(gg.tanh()));
    const hNext = go.sigmoid().mul(cNext.tanh()).matmul(wHrT);
    const m = valid?.[t] ?? null;
    if (m === null) {
      [h, c, outputs[t]] = [hNext, cNext, hNext];
    } else {
      // NOTE: where() routes the gradient instead of multiplying by the mask, so padding steps
      // pass the state's gradient through untouched.
      outputs[t] = where(m, hNext, 0);
      h = where(m, hNext, h);
      c = where(m, cNext, c);
    }
  }
  return { output: stack(outputs, 0), h, c };
}

/** Per step t, a [B, 1] mask of the elements with t < lengths[b], or null when all are valid. */
function stepMasks(lengths: ArrayLike<number>, T: number, B: number): Array<Tensor | null> {
  const masks: Array<Tensor | null> = [];
  for (let t = 0; t < T; t++) {
    const m = new Float32Array(B);
    let all = true;
    for (let b = 0; b < B; b++) {
      m[b] = t < lengths[b] ? 1 : 0;
      all &&= m[b] === 1;
    }
    masks.push(all ? null : tensor(m, [B, 1]));
  }
  return masks;
}
