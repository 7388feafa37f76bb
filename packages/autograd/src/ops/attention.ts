import { attentionBackward, attentionForward, fail } from '../backend.js';
import { applyMany, type Function } from '../function.js';
import { fmt } from '../shapes.js';
import { coreOf, empty, Tensor } from '../tensor.js';

// One global-attention step for B rows as ONE tape node and one kernel call each way (core-wasm's
// attentionForward/Backward): the scores, the masked softmax over the valid source positions and
// the context, instead of a batched product per row, a mask, a softmax and a second product.
// Keys stay time-major [S, B, ·], as an encoder emits them: no transpose.

/** How the scores are made: q·P for each position (dot and general scores), or given [S, B]. */
export type AttentionScores = { query: Tensor; projected: Tensor } | Tensor;

/** What `attention` returns. */
export interface AttentionStep {
  /** a [B, S]: softmax over the valid positions, exactly 0 past each length. */
  weights: Tensor;
  /** Σ_s a_s K_s [B, Hk]. */
  context: Tensor;
}

interface Plan {
  B: number;
  S: number;
  P: number;
  Hk: number;
  /** The inputs are [keys, query, projected, lengths?] (true) or [keys, scores, lengths?]. */
  dot: boolean;
  lengths: boolean;
}

const AttentionFn: Function<Plan, Plan> = {
  name: 'attention',
  forward: (ctx, inputs, p) => {
    const core = inputs[0].core;
    const [keys, a, b] = inputs;
    const weights = empty(core, [p.B, p.S]);
    const context = empty(core, [p.B, p.Hk]);
    const lengths = p.lengths ? inputs[inputs.length - 1].ptr : 0;
    attentionForward(core, {
      b: p.B, s: p.S, p: p.P, hk: p.Hk, keys: keys.ptr, lengths,
      q: p.dot ? a.ptr : 0, proj: p.dot ? b.ptr : 0, scores: p.dot ? 0 : a.ptr, weights: weights.ptr, context: context.ptr,
    });
    // Backward reads the weights: they are an output, kept alive by the node (not copied).
    if (ctx.recording) ctx.saved = p;
    return [weights, context];
  },
  backward: (ctx, [dweights, dcontext]) => {
    const p = ctx.saved!;
    const { B, S, P, Hk } = p;
    const [keys, a, b] = ctx.inputs;
    const core = keys.core;
    const need = ctx.needsGrad;
    const dscores = empty(core, [S, B]);
    const dq = p.dot && need[1] ? empty(core, [B, P]) : null;
    const dproj = p.dot && need[2] ? empty(core, [S, B, P]) : null;
    const dkeys = need[0] ? empty(core, [S, B, Hk]) : null;
    attentionBackward(core, {
      b: B, s: S, p: P, hk: Hk, keys: keys.ptr, lengths: p.lengths ? ctx.inputs[ctx.inputs.length - 1].ptr : 0,
      q: p.dot ? a.ptr : 0, proj: p.dot ? b.ptr : 0, weights: ctx.outputs[0].ptr,
      dweights: dweights?.ptr ?? 0, dcontext: dcontext?.ptr ?? 0,
      dscores: dscores.ptr, dq: dq?.ptr ?? 0, dproj: dproj?.ptr ?? 0, dkeys: dkeys?.ptr ?? 0,
    });
    const grads: (Tensor | null)[] = [dkeys];
    if (p.dot) grads.push(dq, dproj);
    else grads.push(dscores);
    if (p.lengths) grads.push(null);
    if (p.dot) dscores.dispose();
    return grads;
  },
};

/**
 * One step of global attention (Luong et al. 2015) for B rows over time-major keys [S, B, Hk]:
 *
 *     e_{b,s} = query_b · projected_{s,b}   (or the given scores [S, B])
 *     a_b = softmax_{s < lengths[b]}(e_b),  a_{b,s} = 0 for s ≥ lengths[b]
 *     context_b = Σ_s a_{b,s} keys_{s,b}
 *
 * `query` [B, P] with `projected` [S, B, P] gives dot-product scores (Luong dot: P = keys; general:
 * P = the keys through a Linear); a tensor [S, B] gives the scores themselves (additive scores).
 * `lengths` (int32 [B], each in [1, S]) marks padding; its keys get no weight and no gradient.
 * One kernel call forward and one backward, one tape node.
 */
export function attention(keys: Tensor, scores: AttentionScores, lengths: Tensor | null = null): AttentionStep {
  const op = 'attention';
  coreOf(op, keys);
  if (keys.dtype !== 'float32' || keys.shape.length !== 3) throw fail('E_SHAPE', `${op}: keys must be float32 [S, B, Hk], got ${keys.dtype} ${fmt(keys.shape)}`);
  const [S, B, Hk] = keys.shape;
  const inputs: Tensor[] = [keys];
  let P = 0;
  const dot = !(scores instanceof Tensor);
  if (dot) {
    const { query, projected } = scores as { query: Tensor; projected: Tensor };
    coreOf(op, keys, query, projected);
    if (query.dtype !== 'float32' || query.shape.length !== 2 || query.shape[0] !== B) throw fail('E_SHAPE', `${op}: query must be float32 [B = ${B}, P], got ${query.dtype} ${fmt(query.shape)}`);
    P = query.shape[1];
    const ps = projected.shape;
    if (projected.dtype !== 'float32' || ps.length !== 3 || ps[0] !== S || ps[1] !== B || ps[2] !== P) {
      throw fail('E_SHAPE', `${op}: projected must be float32 [S, B, P] = [${S}, ${B}, ${P}], got ${projected.dtype} ${fmt(ps)}`);
    }
    inputs.push(query, projected);
  } else {
    coreOf(op, keys, scores);
    if (scores.dtype !== 'float32' || scores.shape.length !== 2 || scores.shape[0] !== S || scores.shape[1] !== B) {
      throw fail('E_SHAPE', `${op}: scores must be float32 [S, B] = [${S}, ${B}], got ${scores.dtype} ${fmt(scores.shape)}`);
    }
    inputs.push(scores);
  }
  if (lengths !== null) {
    coreOf(op, keys, lengths);
    if (lengths.dtype !== 'int32' || lengths.shape.length !== 1 || lengths.shape[0] !== B) {
      throw fail('E_SHAPE', `${op}: lengths must be int32 [B] = [${B}], got ${lengths.dtype} ${fmt(lengths.shape)}`);
    }
    inputs.push(lengths);
  }
  if (S < 1) throw fail('E_SHAPE', `${op}: keys need S >= 1 positions, got ${fmt(keys.shape)}`);
  const [weights, context] = applyMany(AttentionFn, inputs, { B, S, P, Hk, dot, lengths: lengths !== null });
  return { weights, context };
}
