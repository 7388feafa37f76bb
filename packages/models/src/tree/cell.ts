import { applyMany, linear, noGrad, sigmoid, tanh, zeros, type Function, type Tensor } from '@eddy/autograd';
import { fail } from '../errors.js';

// The memory-cell update shared by the Tree-LSTMs' leaves and levels, as one Function: from the
// gate pre-activations of M nodes it gives h and c, and its backward gives the gradients of the
// pre-activations, the bias and the children's cells in one pass. Written as separate ops (a split
// into gate blocks, four sigmoids, two tanhs, products and sums) the same update costs some twenty
// tape nodes per level, and every gate block's gradient a zero-filled [M, G·H] copy.
//
// The gates come transposed, [G·H, M] (one GEMM: W·Xᵀ), so that each kind of gate is one
// contiguous block and the sigmoid and tanh kernels run once each over exactly the values that
// need them (on [M, G·H] rows they would have to run over every gate).

/**
 * Columns of a [M, H] array handled per sweep over the nodes: the transposed gate rows they read
 * (one cache line per column) stay in L1 while the sweep walks down the nodes.
 */
const TILE = 16;

interface CellOptions {
  H: number;
  /** Forget gates (children whose cells are carried): 0 at leaves and in the child-sum model. */
  K: number;
}

interface CellSaved extends CellOptions {
  /** σ of the gates i, f_1 … f_K, o: [(K + 2)·H, M]. */
  s: Tensor;
  /** tanh of u: [H, M]. */
  tu: Tensor;
  /** tanh(c) [M, H]. */
  tc: Tensor;
  cc: Tensor | null;
}

// Gate blocks (rows of the transposed gates): i, f_1 … f_K, o, u (G = K + 3 blocks of H).
//   c = σ(i) ⊙ tanh(u) + Σ_k σ(f_k) ⊙ c_k (+ kept),   h = σ(o) ⊙ tanh(c)
const TreeLstmCellFn: Function<CellOptions, CellSaved> = {
  name: 'treeLstmCell',
  forward: (ctx, inputs, o) => {
    const [gatesT, bias] = inputs;
    const cc = o.K > 0 ? inputs[2] : null;
    const kept = inputs.length > (o.K > 0 ? 3 : 2) ? inputs[inputs.length - 1] : null;
    const { H, K } = o, m = gatesT.shape[1], S = (K + 2) * H;
    // The pre-activations with their bias, split into the sigmoid gates and u.
    const preS = zeros([S, m]), preU = zeros([H, m]);
    let f = preS.core.arena.f32;
    const pgt = gatesT.ptr >>> 2, pb = bias.ptr >>> 2, pps = preS.ptr >>> 2, ppu = preU.ptr >>> 2;
    for (let q = 0; q < S + H; q++) {
      const b = f[pb + q], from = pgt + q * m, to = q < S ? pps + q * m : ppu + (q - S) * m;
      for (let r = 0; r < m; r++) f[to + r] = f[from + r] + b;
    }
    const { s, tu } = noGrad(() => ({ s: sigmoid(preS), tu: tanh(preU) }));
    const c = zeros([m, H]);
    f = c.core.arena.f32;
    const ps = s.ptr >>> 2, ptu = tu.ptr >>> 2, pc = c.ptr >>> 2;
    const pcc = cc === null ? 0 : cc.ptr >>> 2, pk = kept === null ? 0 : kept.ptr >>> 2;
    for (let jb = 0; jb < H; jb += TILE) {
      const je = Math.min(jb + TILE, H);
      for (let r = 0; r < m; r++) {
        const row = pc + r * H, kids = pcc + r * K * H;
        for (let j = jb; j < je; j++) {
          let v = f[ps + j * m + r] * f[ptu + j * m + r];
          for (let k = 0; k < K; k++) v += f[ps + ((1 + k) * H + j) * m + r] * f[kids + k * H + j];
          f[row + j] = v;
        }
      }
    }
    if (kept !== null) for (let e = 0; e < m * H; e++) f[pc + e] += f[pk + e];
    const tc = noGrad(() => tanh(c));
    const h = zeros([m, H]);
    f = h.core.arena.f32;
    const ph = h.ptr >>> 2, ptc = tc.ptr >>> 2;
    const po = ps + (1 + K) * H * m;
    for (let jb = 0; jb < H; jb += TILE) {
      const je = Math.min(jb + TILE, H);
      for (let r = 0; r < m; r++) for (let j = jb; j < je; j++) f[ph + r * H + j] = f[po + j * m + r] * f[ptc + r * H + j];
    }
    ctx.saved = { H, K, s, tu, tc, cc };
    return [h, c];
  },
  backward: (ctx, [dh, dc]) => {
    const { H, K, s, tu, tc, cc } = ctx.saved!;
    const m = tc.shape[0], S = (K + 2) * H;
    const dgT = zeros([S + H, m]), db = zeros([S + H]);
    const dcc = cc !== null && ctx.needsGrad[2] ? zeros([m, K * H]) : null;
    const dcTotal = zeros([m, H]);
    const f = dgT.core.arena.f32;
    const ps = s.ptr >>> 2, ptu = tu.ptr >>> 2, ptc = tc.ptr >>> 2, pg = dgT.ptr >>> 2, pd = dcTotal.ptr >>> 2;
    const pdh = dh === null ? -1 : dh.ptr >>> 2, pdc = dc === null ? -1 : dc.ptr >>> 2;
    const pcc = cc === null ? 0 : cc.ptr >>> 2, pdcc = dcc === null ? -1 : dcc.ptr >>> 2;
    const po = ps + (1 + K) * H * m, go = pg + (1 + K) * H * m, gu = pg + S * m;
    for (let jb = 0; jb < H; jb += TILE) {
      const je = Math.min(jb + TILE, H);
      for (let r = 0; r < m; r++) {
        const row = r * H, kids = r * K * H;
        for (let j = jb; j < je; j++) {
          const t = j * m + r;
          let d = pdc < 0 ? 0 : f[pdc + row + j];
          if (pdh >= 0) {
            const gh = f[pdh + row + j], th = f[ptc + row + j], so = f[po + t];
            d += gh * so * (1 - th * th);
            f[go + t] = gh * th * so * (1 - so);
          }
          f[pd + row + j] = d;
          const si = f[ps + t], tur = f[ptu + t];
          f[pg + t] = d * tur * si * (1 - si);
          f[gu + t] = d * si * (1 - tur * tur);
          for (let k = 0; k < K; k++) {
            const fk = ((1 + k) * H + j) * m + r, ck = kids + k * H + j, sf = f[ps + fk];
            f[pg + fk] = d * f[pcc + ck] * sf * (1 - sf);
            if (pdcc >= 0) f[pdcc + ck] = d * sf;
          }
        }
      }
    }
    // The bias's gradient: the sum over nodes of each gate row.
    const pdb = db.ptr >>> 2;
    for (let q = 0; q < S + H; q++) {
      let sum = 0;
      for (let r = 0, at = pg + q * m; r < m; r++) sum += f[at + r];
      f[pdb + q] = sum;
    }
    const grads: (Tensor | null)[] = [dgT, db];
    if (K > 0) grads.push(dcc);
    // dc flows unchanged into an added `kept` term.
    if (ctx.inputs.length > grads.length) grads.push(dcTotal);
    return grads;
  },
};

/**
 * The Tree-LSTM memory cell of M nodes from their inputs `x` [M, I] and the gates' weight [G·H, I]
 * and bias [G·H] (blocks i, f_1 … f_K, o, u), the K children's cells `childCells` [M, K·H] (child
 * k's in block k; null when K = 0) and an optional `kept` [M, H] added to c (the child-sum
 * model's Σ f ⊙ c):
 *
 *     i, f_1 … f_K, o, u = σ, …, σ, tanh (W x + b)
 *     c = i ⊙ u + Σ_k f_k ⊙ c_k (+ kept),   h = o ⊙ tanh(c)
 *
 * The gates are one GEMM (W·Xᵀ). Returns [h, c], each [M, H].
 */
export function treeLstmCell(x: Tensor, weight: Tensor, bias: Tensor, H: number, childCells: Tensor | null, kept: Tensor | null = null): Tensor[] {
  const K = childCells === null ? 0 : childCells.shape[1] / H;
  if (weight.shape[0] !== (K + 3) * H || bias.shape[0] !== (K + 3) * H) {
    throw fail('E_ARGUMENT', `treeLstmCell: weight and bias must have ${(K + 3) * H} rows (${K + 3} gates of ${H}), got ${weight.shape[0]} and ${bias.shape[0]}`);
  }
  const inputs = [linear(weight, x), bias];
  if (childCells !== null) inputs.push(childCells);
  if (kept !== null) inputs.push(kept);
  return applyMany(TreeLstmCellFn, inputs, { H, K });
}
