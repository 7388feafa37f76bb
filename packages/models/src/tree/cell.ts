import { applyMany, noGrad, sigmoid, tanh, zeros, type Function, type Tensor } from '@eddy/autograd';
import { fail } from '../errors.js';

// The memory-cell update shared by the Tree-LSTMs' leaves and levels, as one Function: from the
// pre-activations of all gates of M nodes it gives c and h, and its backward gives the gradients
// of the pre-activations and of the children's cells in one pass. Written as separate ops (a split
// into gate blocks, four sigmoids, two tanhs, products and sums) the same update costs some twenty
// tape nodes per level, and every gate block's gradient a zero-filled [M, G·H] copy.

interface CellOptions {
  H: number;
  /** Forget gates (children whose cells are carried): 0 at leaves and in the child-sum model. */
  K: number;
}

interface CellSaved extends CellOptions {
  /** σ and tanh of every pre-activation [M, G·H] (the kernels run on whole rows: one call each). */
  s: Tensor;
  t: Tensor;
  /** tanh(c) [M, H]. */
  tc: Tensor;
  cc: Tensor | null;
}

// Gates per row: i, f_1 … f_K, o, u (G = K + 3 blocks of H).
//   c = σ(i) ⊙ tanh(u) + Σ_k σ(f_k) ⊙ c_k (+ kept),   h = σ(o) ⊙ tanh(c)
const TreeLstmCellFn: Function<CellOptions, CellSaved> = {
  name: 'treeLstmCell',
  forward: (ctx, inputs, o) => {
    const [gates] = inputs;
    const cc = o.K > 0 ? inputs[1] : null;
    const kept = inputs.length > (o.K > 0 ? 2 : 1) ? inputs[inputs.length - 1] : null;
    const m = gates.shape[0], H = o.H, G = o.K + 3;
    const { s, t } = noGrad(() => ({ s: sigmoid(gates), t: tanh(gates) }));
    const c = zeros([m, H]);
    let f = c.core.arena.f32;
    const ps = s.ptr >>> 2, pt = t.ptr >>> 2, pc = c.ptr >>> 2;
    const pcc = cc === null ? 0 : cc.ptr >>> 2, pk = kept === null ? 0 : kept.ptr >>> 2;
    for (let r = 0; r < m; r++) {
      const g = r * G * H, out = pc + r * H;
      for (let j = 0; j < H; j++) f[out + j] = f[ps + g + j] * f[pt + g + (G - 1) * H + j];
      for (let k = 0; k < o.K; k++) {
        const fk = ps + g + (1 + k) * H, ck = pcc + (r * o.K + k) * H;
        for (let j = 0; j < H; j++) f[out + j] += f[fk + j] * f[ck + j];
      }
      if (kept !== null) for (let j = 0; j < H; j++) f[out + j] += f[pk + r * H + j];
    }
    const tc = noGrad(() => tanh(c));
    const h = zeros([m, H]);
    f = h.core.arena.f32;
    const ph = h.ptr >>> 2, ptc = tc.ptr >>> 2;
    for (let r = 0; r < m; r++) {
      const so = ps + r * G * H + (G - 2) * H;
      for (let j = 0; j < H; j++) f[ph + r * H + j] = f[so + j] * f[ptc + r * H + j];
    }
    ctx.saved = { ...o, s, t, tc, cc };
    return [h, c];
  },
  backward: (ctx, [dh, dc]) => {
    const { H, K, s, t, tc, cc } = ctx.saved!;
    const m = tc.shape[0], G = K + 3;
    const dgates = zeros([m, G * H]);
    const dcc = cc !== null && ctx.needsGrad[1] ? zeros([m, K * H]) : null;
    const dcTotal = zeros([m, H]);
    const f = dgates.core.arena.f32;
    const ps = s.ptr >>> 2, pt = t.ptr >>> 2, ptc = tc.ptr >>> 2, pg = dgates.ptr >>> 2, pd = dcTotal.ptr >>> 2;
    const pdh = dh === null ? -1 : dh.ptr >>> 2, pdc = dc === null ? -1 : dc.ptr >>> 2;
    const pcc = cc === null ? 0 : cc.ptr >>> 2, pdcc = dcc === null ? 0 : dcc.ptr >>> 2;
    for (let r = 0; r < m; r++) {
      const g = r * G * H, row = r * H;
      for (let j = 0; j < H; j++) {
        const so = f[ps + g + (G - 2) * H + j], th = f[ptc + row + j];
        let d = pdc < 0 ? 0 : f[pdc + row + j];
        if (pdh >= 0) {
          const gh = f[pdh + row + j];
          d += gh * so * (1 - th * th);
          f[pg + g + (G - 2) * H + j] = gh * th * so * (1 - so);
        }
        f[pd + row + j] = d;
        const si = f[ps + g + j], tu = f[pt + g + (G - 1) * H + j];
        f[pg + g + j] = d * tu * si * (1 - si);
        f[pg + g + (G - 1) * H + j] = d * si * (1 - tu * tu);
      }
      for (let k = 0; k < K; k++) {
        const fk = g + (1 + k) * H, ck = (r * K + k) * H;
        for (let j = 0; j < H; j++) {
          const d = f[pd + row + j], sf = f[ps + fk + j];
          f[pg + fk + j] = d * f[pcc + ck + j] * sf * (1 - sf);
          if (dcc !== null) f[pdcc + ck + j] = d * sf;
        }
      }
    }
    // dc flows unchanged into an added `kept` term.
    const grads: (Tensor | null)[] = [dgates];
    if (K > 0) grads.push(dcc);
    if (ctx.inputs.length > grads.length) grads.push(dcTotal);
    return grads;
  },
};

/**
 * The Tree-LSTM memory cell of M nodes from their gate pre-activations `gates` [M, (K + 3)·H]
 * (blocks i, f_1 … f_K, o, u), the K children's cells `childCells` [M, K·H] (child k's in block
 * k; omitted when K = 0) and an optional `kept` [M, H] added to c (the child-sum model's Σ f ⊙ c):
 *
 *     c = σ(i) ⊙ tanh(u) + Σ_k σ(f_k) ⊙ c_k (+ kept),   h = σ(o) ⊙ tanh(c)
 *
 * Returns [h, c], each [M, H].
 */
export function treeLstmCell(gates: Tensor, H: number, childCells: Tensor | null, kept: Tensor | null = null): Tensor[] {
  const K = childCells === null ? 0 : childCells.shape[1] / H;
  if (gates.shape.length !== 2 || gates.shape[1] !== (K + 3) * H) throw fail('E_ARGUMENT', `treeLstmCell: gates must be [M, ${(K + 3) * H}], got [${gates.shape.join(', ')}]`);
  const inputs = [gates];
  if (childCells !== null) inputs.push(childCells);
  if (kept !== null) inputs.push(kept);
  return applyMany(TreeLstmCellFn, inputs, { H, K });
}
