import { applyMany, linear, zeros, type Function, type Tensor } from '@eddy/autograd';
import { empty, linearPacked, PackedWeight, treeLstmCellBackward, treeLstmCellForward } from '@eddy/autograd/internal';
import { fail } from '../errors.js';

// The memory-cell update shared by the Tree-LSTMs' leaves and levels, as one Function over the
// fused core-wasm kernel: from the gate pre-activations of M nodes it gives h and c, and its
// backward gives the gradients of the pre-activations, the bias and the children's cells in one
// pass. Written as separate ops (a split into gate blocks, four sigmoids, two tanhs, products and
// sums) the same update costs some twenty tape nodes per level, and every gate block's gradient a
// zero-filled [M, G·H] copy.

interface CellOptions {
  H: number;
  /** Forget gates (children whose cells are carried): 0 at leaves and in the child-sum model. */
  K: number;
}

interface CellSaved extends CellOptions {
  /** The activated gates σ(i), σ(f_1) … σ(f_K), σ(o), tanh(u): [M, (K + 3)·H]. */
  act: Tensor;
  /** tanh(c) [M, H]. */
  tc: Tensor;
  cc: Tensor | null;
}

// Gate blocks of a row of the pre-activations: i, f_1 … f_K, o, u (G = K + 3 blocks of H).
//   c = σ(i) ⊙ tanh(u) + Σ_k σ(f_k) ⊙ c_k (+ kept),   h = σ(o) ⊙ tanh(c)
const TreeLstmCellFn: Function<CellOptions, CellSaved> = {
  name: 'treeLstmCell',
  forward: (ctx, inputs, o) => {
    const [pre, bias] = inputs;
    const cc = o.K > 0 ? inputs[2] : null;
    const kept = inputs.length > (o.K > 0 ? 3 : 2) ? inputs[inputs.length - 1] : null;
    const { H, K } = o, m = pre.shape[0];
    // Outputs the kernel writes whole: no zero fill.
    const core = pre.core;
    const act = empty(core, pre.shape), c = empty(core, [m, H]), tc = empty(core, [m, H]), h = empty(core, [m, H]);
    treeLstmCellForward(core, {
      m, h: H, k: K, pre: pre.ptr, bias: bias.ptr, cc: cc?.ptr ?? 0, kept: kept?.ptr ?? 0, act: act.ptr, c: c.ptr, tc: tc.ptr, hOut: h.ptr,
    });
    ctx.saved = { H, K, act, tc, cc };
    return [h, c];
  },
  backward: (ctx, [dh, dc]) => {
    const { H, K, act, tc, cc } = ctx.saved!;
    const m = tc.shape[0];
    const core = tc.core, dpre = empty(core, act.shape);
    // The kernel adds the bias's gradient into db.
    const db = ctx.needsGrad[1] ? zeros([act.shape[1]]) : null;
    const dcc = cc !== null && ctx.needsGrad[2] ? empty(core, [m, K * H]) : null;
    const keptAt = K > 0 ? 3 : 2;
    const dcTotal = ctx.inputs.length > keptAt && ctx.needsGrad[keptAt] ? empty(core, [m, H]) : null;
    treeLstmCellBackward(core, {
      m, h: H, k: K, cc: cc?.ptr ?? 0, act: act.ptr, tc: tc.ptr, dh: dh?.ptr ?? 0, dc: dc?.ptr ?? 0,
      dpre: dpre.ptr, db: db?.ptr ?? 0, dcc: dcc?.ptr ?? 0, dcTotal: dcTotal?.ptr ?? 0,
    });
    const grads: (Tensor | null)[] = [dpre, db];
    if (K > 0) grads.push(dcc);
    // dc flows unchanged into an added `kept` term.
    if (ctx.inputs.length > keptAt) grads.push(dcTotal);
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
 * The gates are one GEMM (X·Wᵀ, the bias added in the fused pass); with `weight` a PackedWeight
 * (a level's weight, the same for every level of a pass) it reuses the weight's packing. Returns
 * [h, c], each [M, H].
 */
export function treeLstmCell(x: Tensor, w: Tensor | PackedWeight, bias: Tensor, H: number, childCells: Tensor | null, kept: Tensor | null = null): Tensor[] {
  const weight = w instanceof PackedWeight ? w.weight : w;
  const K = childCells === null ? 0 : childCells.shape[1] / H;
  if (weight.shape[0] !== (K + 3) * H || bias.shape[0] !== (K + 3) * H) {
    throw fail('E_ARGUMENT', `treeLstmCell: weight and bias must have ${(K + 3) * H} rows (${K + 3} gates of ${H}), got ${weight.shape[0]} and ${bias.shape[0]}`);
  }
  const inputs = [w instanceof PackedWeight ? linearPacked(x, w) : linear(x, weight), bias];
  if (childCells !== null) inputs.push(childCells);
  if (kept !== null) inputs.push(kept);
  return applyMany(TreeLstmCellFn, inputs, { H, K });
}
