import { split, type Nonlinearity, type Tensor } from '@eddy/autograd';
import type { StepCell } from '../stepwise.js';
import { layerNormBlocks } from './layer-norm.js';

// The step equations of the per-step path, one per family. Each gets xw = LN(W_ih xₜ) + b_ih from
// the runner and the recurrent contribution LN(W_hh h) + b_hh through `rec` (LN only with
// layerNorm), so a step is only the gate arithmetic.

/** The LSTM options the step needs. */
export interface LstmStepOptions {
  peephole: boolean;
  coupledInputForget: boolean;
  layerNorm: boolean;
}

/**
 * The LSTM step with every option (a plain LSTM when all are off; the projection is on when the
 * weights have W_hr). Gate blocks i|f|g|o, or f|g|o with the coupled gate:
 *
 *     iₜ = σ(aᵢ + w_ci ⊙ cₜ₋₁)      (coupled: iₜ = 1 − fₜ)
 *     fₜ = σ(a_f + w_cf ⊙ cₜ₋₁)
 *     gₜ = tanh(a_g)
 *     cₜ = fₜ ⊙ cₜ₋₁ + iₜ ⊙ gₜ
 *     oₜ = σ(a_o + w_co ⊙ cₜ)         (peephole terms only with peephole)
 *     hₜ = oₜ ⊙ tanh(LN(cₜ))           (LN(cₜ) = γ_c ⊙ ĉₜ + β_c with layerNorm, else cₜ;
 *                                        W_hr(oₜ ⊙ ·) with a projection)
 *
 * where a = xw + rec(hₜ₋₁) is the gates' pre-activation.
 */
export function lstmStep(o: LstmStepOptions): StepCell {
  return {
    gates: o.coupledInputForget ? 3 : 4,
    hasCell: true,
    layerNorm: o.layerNorm,
    step(xw, rec, s, w, gates) {
      const c = s.c!;
      const blocks = split(xw.add(rec.apply(s.h)), rec.hidden, 1);
      const [ai, af, ag, ao] = o.coupledInputForget ? [null, ...blocks] : blocks;
      const f = (o.peephole ? af!.add(w.extra.weight_cf.mul(c)) : af!).sigmoid();
      const i = ai === null ? f.neg().add(1) : (o.peephole ? ai.add(w.extra.weight_ci.mul(c)) : ai).sigmoid();
      const g = ag!.tanh();
      const cNext = f.mul(c).add(i.mul(g));
      const out = (o.peephole ? ao!.add(w.extra.weight_co.mul(cNext)) : ao!).sigmoid();
      gates?.({ i, f, g, o: out });
      let cAct = cNext;
      if (o.layerNorm) {
        cAct = layerNormBlocks(cNext, rec.hidden, w.extra.weight_ln_c);
        if (w.extra.bias_ln_c !== undefined) cAct = cAct.add(w.extra.bias_ln_c); // absent with bias: false
      }
      let h = out.mul(cAct.tanh());
      if (w.wHr !== null) h = h.matmul(w.wHr.transpose());
      return { h, c: cNext };
    },
  };
}

/**
 * The GRU step, gate blocks r|z|n, in PyTorch's form or (resetBefore) Cho et al.'s:
 *
 *     rₜ = σ(a_r)    zₜ = σ(a_z)
 *     nₜ = tanh(xw_n + rₜ ⊙ rec_n(hₜ₋₁))      (resetBefore: tanh(xw_n + rec_n(rₜ ⊙ hₜ₋₁)))
 *     hₜ = (1 − zₜ) ⊙ nₜ + zₜ ⊙ hₜ₋₁
 */
export function gruStep(o: { resetBefore: boolean; layerNorm: boolean }): StepCell {
  return {
    gates: 3,
    hasCell: false,
    layerNorm: o.layerNorm,
    step(xw, rec, s, _w, gates) {
      const h = s.h;
      const [xr, xz, xn] = split(xw, rec.hidden, 1);
      const [hr, hz, hn] = split(rec.apply(h, 0, o.resetBefore ? 2 : 3), rec.hidden, 1);
      const r = xr.add(hr).sigmoid();
      const z = xz.add(hz).sigmoid();
      const n = xn.add(o.resetBefore ? rec.apply(r.mul(h), 2, 1) : r.mul(hn)).tanh();
      gates?.({ r, z, n });
      return { h: n.add(z.mul(h.sub(n))), c: null };
    },
  };
}

/** The Elman step: hₜ = φ(xw + rec(hₜ₋₁)), φ = tanh or ReLU. */
export function rnnStep(o: { nonlinearity: Nonlinearity; layerNorm: boolean }): StepCell {
  return {
    gates: 1,
    hasCell: false,
    layerNorm: o.layerNorm,
    step(xw, rec, s) {
      const a = xw.add(rec.apply(s.h));
      return { h: o.nonlinearity === 'relu' ? a.relu() : a.tanh(), c: null };
    },
  };
}
