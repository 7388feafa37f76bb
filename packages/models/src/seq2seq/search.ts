import { index, logSoftmax, scope, tensor, type Tensor } from '@eddy/autograd';
import { lengthPenalty } from '@eddy/text';
import type { DecoderState, Memory, Seq2SeqDecoder } from './decoder.js';

// The machinery greedy decoding, sampling and beam search share: R decoder rows advanced one
// step at a time (one batch of R rows per step, whatever the search), the history of what each
// row emitted, and the GNMT score of a finished output.

/** One output of `Seq2Seq.translate`. */
export interface Translation {
  /** Output ids, without BOS and EOS. */
  tokens: Int32Array;
  /** log p(tokens, EOS | source), after the length and coverage penalties when they are set. */
  score: number;
  /**
   * One row per output token (EOS included when emitted): the attention weights over the source
   * positions, in the source's order (length = the source's length; also with `reverseSource`).
   * Empty for a model without attention.
   */
  attention: Float32Array[];
}

/** The penalties and limits of a search, checked. */
export interface SearchOptions {
  bosId: number;
  eosId: number;
  /** GNMT α. */
  lengthPenalty: number;
  /** GNMT β. */
  coveragePenalty: number;
  /** The most tokens (EOS excluded) of each source's output. */
  caps: Int32Array;
  /** The valid positions of each source. */
  sourceLengths: Int32Array;
  /** The keys were read in reverse (`reverseSource`): attention rows are flipped back. */
  reversed: boolean;
}

/**
 * R decoder rows over the memory of their sources. `advance` feeds one id per row (after
 * reordering the rows' states by `parents`, a gather on the device: beam search's reordering)
 * and returns log p(· | prefix) [R·V] and the attention weights [R·S] on the host. `parents` may
 * name fewer rows than the last step had: the rows of finished sources are then dropped, memory
 * included, and stop costing anything.
 */
export class Stepper {
  private state: DecoderState;
  private memory: Memory;

  constructor(
    private readonly decoder: Seq2SeqDecoder,
    memory: Memory,
    state: DecoderState,
  ) {
    this.memory = memory;
    this.state = state;
  }

  advance(ids: Int32Array, parents: Int32Array | null): { logProbs: Float32Array; attention: Float32Array | null } {
    const old = this.state;
    const r = scope(() => {
      let state = old;
      let memory = this.memory;
      if (parents !== null) {
        const at = tensor(parents, [parents.length], { dtype: 'int32' });
        const pick = (t: Tensor): Tensor => index(t, at);
        state = { h: old.h.map(pick), c: old.c === null ? null : old.c.map(pick), feed: old.feed === null ? null : pick(old.feed) };
        // Fewer rows: the finished sources' rows leave the memory too (a row's parent reads the same source).
        if (parents.length !== old.h[0].shape[0]) {
          memory = {
            attention: memory.attention === null ? null : this.decoder.attention!.selectRows(memory.attention, at),
            condition: memory.condition === null ? null : pick(memory.condition),
          };
        }
      }
      const embedded = this.decoder.embed(tensor(ids, [ids.length], { dtype: 'int32' }));
      const step = this.decoder.step(embedded, state, memory);
      return {
        state: step.state,
        memory,
        logProbs: logSoftmax(this.decoder.logits(step.attentional), -1).toFloat32Array(),
        attention: step.weights === null ? null : step.weights.toFloat32Array(),
      };
    });
    disposeState(old);
    this.state = r.state;
    this.memory = r.memory;
    return r;
  }
}

/** Frees a decoder state's tensors (a layer's h may be shared with another entry: once each). */
export function disposeState(state: DecoderState): void {
  const all = new Set([...state.h, ...(state.c ?? []), ...(state.feed === null ? [] : [state.feed])]);
  for (const t of all) if (!t.disposed) t.dispose();
}

/** What every step emitted: for each step, the id and parent row of each row, and the weights. */
export class History {
  readonly ids: Int32Array[] = [];
  readonly parents: (Int32Array | null)[] = [];
  readonly attention: (Float32Array | null)[] = [];

  constructor(private readonly S: number) {}

  /** Starts step t with the weights its output rows were computed with. */
  begin(attention: Float32Array | null): void {
    this.attention.push(attention);
  }

  /** Ends step t: the id each slot took, and from which row (null: slot r from row r). */
  end(ids: Int32Array, parents: Int32Array | null): void {
    this.ids.push(ids);
    this.parents.push(parents);
  }

  /**
   * The output that takes `id` from row `row` of step t's output, with everything before it: its
   * ids (EOS included if emitted) and the attention row of each. At step s, slot r holds ids[s][r],
   * taken from row p = parents[s][r] of that step's output (p = r without parents), whose weights
   * are attention[s][p].
   */
  trace(t: number, row: number, id: number, source: number, options: SearchOptions): { ids: number[]; attention: Float32Array[] } {
    const ids: number[] = [id];
    const attention: Float32Array[] = [];
    const n = options.sourceLengths[source];
    const weights = (s: number, p: number): void => {
      const a = this.attention[s];
      if (a === null) return;
      const w = a.subarray(p * this.S, p * this.S + n);
      attention.push(options.reversed ? w.slice().reverse() : w.slice());
    };
    weights(t, row);
    for (let s = t - 1, r = row; s >= 0; s--) {
      ids.push(this.ids[s][r]);
      const p = this.parents[s]?.[r] ?? r;
      weights(s, p);
      r = p;
    }
    return { ids: ids.reverse(), attention: attention.reverse() };
  }
}

/**
 * The translation of a traced output and its GNMT score (Wu et al. 2016, eq. 14):
 *
 *     s(Y, X) = log p(Y | X) / lp(Y) + cp(X; Y)
 *     lp(Y) = ((5 + |Y|) / 6)^α                 (|Y| counts EOS when emitted)
 *     cp(X; Y) = β Σᵢ log(min(Σₜ aₜᵢ, 1))       (over the source positions i)
 */
export function finish(traced: { ids: number[]; attention: Float32Array[] }, logProb: number, options: SearchOptions): Translation {
  const { ids, attention } = traced;
  const ended = ids.length > 0 && ids[ids.length - 1] === options.eosId;
  let score = logProb / lengthPenalty(ids.length, options.lengthPenalty);
  if (options.coveragePenalty !== 0 && attention.length > 0) {
    let cp = 0;
    for (let i = 0; i < attention[0].length; i++) {
      let coverage = 0;
      for (const row of attention) coverage += row[i];
      cp += Math.log(Math.min(coverage, 1));
    }
    score += options.coveragePenalty * cp;
  }
  return { tokens: Int32Array.from(ended ? ids.slice(0, -1) : ids), score, attention };
}

/** A row's log-probabilities [V] of `logProbs` [R·V]. */
export function rowOf(logProbs: Float32Array, r: number, V: number): Float32Array {
  return logProbs.subarray(r * V, (r + 1) * V);
}
