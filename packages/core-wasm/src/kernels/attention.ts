import type { Core } from '../core.js';
import { kernelFor } from '../dispatch.js';
import { EddyError } from '../errors.js';
import { ArgNames, checkArgs, checkDim, checkDisjoint, checkImpl, checkVector, type Impl, type KnownArgs } from '../validate.js';

// One global-attention step for B rows in one call (assembly/attention/attention.ts): scores,
// masked softmax and context forward, and their backward. Keys and projected keys are time-major
// [S, B, ·] as an encoder emits them, so a decoder step needs no transpose and no per-row product.

type ForwardKernel = (
  B: number, S: number, P: number, Hk: number, q: number, proj: number, scores: number, keys: number, lengths: number, weights: number, context: number,
) => void;
type BackwardKernel = (
  B: number, S: number, P: number, Hk: number, q: number, proj: number, keys: number, lengths: number, weights: number, dweights: number,
  dcontext: number, dscores: number, dq: number, dproj: number, dkeys: number,
) => void;

export interface AttentionExports {
  f32_attention_forward__wasmsimd: ForwardKernel;
  f32_attention_forward__scalar: ForwardKernel;
  f32_attention_backward__wasmsimd: BackwardKernel;
  f32_attention_backward__scalar: BackwardKernel;
}

/** What both directions share: the sizes and the inputs of the scores. */
interface AttentionSizes {
  /** Rows (B: batch elements, or B·K beam hypotheses). */
  b: number;
  /** Source positions (S). */
  s: number;
  /** Features of the query and of the projected keys (P); 0 when `scores` are given. */
  p: number;
  /** Features of the keys (Hk). */
  hk: number;
  /** The queries q [B, P]; 0 when the scores are given instead. */
  q: number;
  /** The projected keys [S, B, P] (time-major); 0 when the scores are given. */
  proj: number;
  /** The keys [S, B, Hk] (time-major). */
  keys: number;
  /** Int32 [B], each in [1, S]: positions s ≥ lengths[b] get weight 0. 0: every position is valid. */
  lengths: number;
}

export interface AttentionForwardArgs extends AttentionSizes {
  /** The scores e [S, B] (time-major) when q = 0; else 0 (e = q·P is computed). */
  scores: number;
  /** Out: the weights a [B, S], exactly 0 past each length. */
  weights: number;
  /** Out: the context Σ_s a_s K_s [B, Hk]. */
  context: number;
}

export interface AttentionBackwardArgs extends AttentionSizes {
  /** The forward's weights [B, S]. */
  weights: number;
  /** Upstream gradient of the weights [B, S], or 0 (none). */
  dweights: number;
  /** Upstream gradient of the context [B, Hk], or 0 (none). */
  dcontext: number;
  /** Out (always written): the scores' gradient [S, B], 0 at padding. */
  dscores: number;
  /** Out: dq [B, P], or 0 (not wanted; must be 0 when q = 0). */
  dq: number;
  /** Out: dP [S, B, P], or 0 (not wanted; must be 0 when q = 0). */
  dproj: number;
  /** Out: dK [S, B, Hk], or 0 (not wanted). */
  dkeys: number;
}

const SIZE_ARGS = { b: true, s: true, p: true, hk: true, q: true, proj: true, keys: true, lengths: true } as const;
const FORWARD_ARGS = new ArgNames({ ...SIZE_ARGS, scores: true, weights: true, context: true } satisfies KnownArgs<AttentionForwardArgs>);
const BACKWARD_ARGS = new ArgNames({
  ...SIZE_ARGS, weights: true, dweights: true, dcontext: true, dscores: true, dq: true, dproj: true, dkeys: true,
} satisfies KnownArgs<AttentionBackwardArgs>);

interface Checked {
  B: number;
  S: number;
  P: number;
  Hk: number;
  /** Name, pointer and bytes of every input, for the outputs' overlap checks. */
  inputs: [string, number, number][];
}

/** Sizes, pointers and lengths (each in [1, S]) shared by both directions. */
function checkSizes(core: Core, op: string, args: AttentionSizes, scores: number | null): Checked {
  const B = checkDim(op, 'b', args.b);
  const S = checkDim(op, 's', args.s);
  const P = checkDim(op, 'p', args.p);
  const Hk = checkDim(op, 'hk', args.hk);
  const inputs: [string, number, number][] = [['keys', checkVector(core, op, 'keys', args.keys, S * B * Hk), 4 * S * B * Hk]];
  if (args.q === 0) {
    if (args.proj !== 0 || P !== 0) throw new EddyError('E_ARGUMENT', `${op}: without q the scores are given: proj and p must be 0, got proj ${args.proj} and p ${P}`);
    if (scores !== null) inputs.push(['scores', checkVector(core, op, 'scores', scores, S * B), 4 * S * B]);
  } else {
    if (scores !== null && scores !== 0) throw new EddyError('E_ARGUMENT', `${op}: give either q (with proj) or scores, not both`);
    inputs.push(['q', checkVector(core, op, 'q', args.q, B * P), 4 * B * P], ['proj', checkVector(core, op, 'proj', args.proj, S * B * P), 4 * S * B * P]);
  }
  if (args.lengths !== 0) {
    const ptr = checkVector(core, op, 'lengths', args.lengths, B);
    const values = core.arena.i32.subarray(ptr >>> 2, (ptr >>> 2) + B);
    for (let i = 0; i < B; i++) {
      if (!(values[i] >= 1 && values[i] <= S)) throw new EddyError('E_ARGUMENT', `${op}: lengths[${i}] must be in [1, s = ${S}], got ${values[i]}`);
    }
    inputs.push(['lengths', ptr, 4 * B]);
  }
  return { B, S, P, Hk, inputs };
}

/** An output of n floats (or 0 when `optional`), overlapping no input and no earlier output. */
function checkOutput(core: Core, op: string, name: string, ptr: number, n: number, seen: [string, number, number][], optional: boolean): number {
  if (optional && ptr === 0) return 0;
  const p = checkVector(core, op, name, ptr, n);
  for (const [other, q, bytes] of seen) checkDisjoint(op, name, p, 4 * n, other, q, bytes);
  seen.push([name, p, 4 * n]);
  return p;
}

/**
 * One attention step for B rows: the weights a_b = softmax_{s < lengths[b]}(e_{b,s}) (0 past the
 * length) and the context c_b = Σ_s a_{b,s} K_{s,b}, with e_{b,s} = q_b · P_{s,b} or given scores.
 * Dots and sums are accumulated in float64; both twins give the same bits.
 */
export function attentionForward(core: Core, args: AttentionForwardArgs, impl: Impl = 'simd'): void {
  const op = 'attentionForward';
  checkArgs(op, args, FORWARD_ARGS);
  checkImpl(op, impl);
  const { B, S, P, Hk, inputs } = checkSizes(core, op, args, args.scores);
  if (args.lengths === 0 && S === 0 && B > 0) throw new EddyError('E_ARGUMENT', `${op}: s must be >= 1 (a softmax over no position)`);
  const weights = checkOutput(core, op, 'weights', args.weights, B * S, inputs, false);
  const context = checkOutput(core, op, 'context', args.context, B * Hk, inputs, false);
  kernelFor(core, 'attention_forward', impl)(B, S, P, Hk, args.q, args.proj, args.q === 0 ? args.scores : 0, args.keys, args.lengths, weights, context);
}

/**
 * The backward of `attentionForward` from its weights: with g_s = dweights_s + dcontext · K_s,
 * de_s = a_s (g_s − Σ_j a_j g_j) into `dscores` [S, B], dq_b = Σ_s de_s P_{s,b},
 * dP_{s,b} = de_s q_b and dK_{s,b} = a_s dcontext_b (every output overwritten, 0 at padding).
 */
export function attentionBackward(core: Core, args: AttentionBackwardArgs, impl: Impl = 'simd'): void {
  const op = 'attentionBackward';
  checkArgs(op, args, BACKWARD_ARGS);
  checkImpl(op, impl);
  const { B, S, P, Hk, inputs } = checkSizes(core, op, args, null);
  if (args.q === 0 && (args.dq !== 0 || args.dproj !== 0)) throw new EddyError('E_ARGUMENT', `${op}: dq and dproj need q; without it they must be 0`);
  inputs.push(['weights', checkVector(core, op, 'weights', args.weights, B * S), 4 * B * S]);
  if (args.dweights !== 0) inputs.push(['dweights', checkVector(core, op, 'dweights', args.dweights, B * S), 4 * B * S]);
  if (args.dcontext !== 0) inputs.push(['dcontext', checkVector(core, op, 'dcontext', args.dcontext, B * Hk), 4 * B * Hk]);
  const dscores = checkOutput(core, op, 'dscores', args.dscores, S * B, inputs, false);
  const dq = checkOutput(core, op, 'dq', args.dq, B * P, inputs, true);
  const dproj = checkOutput(core, op, 'dproj', args.dproj, S * B * P, inputs, true);
  const dkeys = checkOutput(core, op, 'dkeys', args.dkeys, S * B * Hk, inputs, true);
  kernelFor(core, 'attention_backward', impl)(
    B, S, P, Hk, args.q, args.proj, args.keys, args.lengths, args.weights, args.dweights, args.dcontext, dscores, dq, dproj, dkeys,
  );
}
