import { attention, index, Tensor, tensor, where } from '@eddy/autograd';
import { boolOption, checkOptions } from '@eddy/autograd/internal';
import { describe, fail } from '../errors.js';
import { readLengths } from '../lengths.js';
import { Module } from '../module.js';

// The one forward behind every attention score (Bahdanau; Luong dot, general, concat): shape and
// length checks, exact masking, the softmax over source positions and the context live here once;
// a score only says how it projects the keys and how it scores a query against them.

/** Valid key positions per batch element: an int32 tensor [B] or B integers in [1, S]. */
export type AttentionLengths = Tensor | readonly number[] | Int32Array;

/** The per-call options of `forward`. */
export interface AttentionForwardOptions {
  /**
   * Valid key positions per batch element, each in [1, S]: positions s ≥ lengths[b] are padding,
   * get weight exactly 0, and their values (whatever they are) change neither the context nor any
   * gradient. Absent: every position is valid.
   */
  lengths?: AttentionLengths | null;
  /**
   * `projectKeys(keys, { lengths })` computed once per source batch, reused at every decoder step
   * (the key side of the score does not depend on the query). Absent: projected in this call.
   */
  projectedKeys?: Tensor | null;
}

/** What `forward` returns. */
export interface AttentionOutput {
  /** Σ_s a_s k_s, [B, Hk]. */
  context: Tensor;
  /** The attention weights a [B, S]: a softmax over the valid positions, exactly 0 past them. */
  weights: Tensor;
}

/** The options of `projectKeys`. */
export interface ProjectKeysOptions {
  /** As `forward`'s: padding keys are replaced by 0 before the projection. */
  lengths?: AttentionLengths | null;
}

/** The options of `prepare`. */
export interface PrepareOptions extends ProjectKeysOptions {
  /**
   * The keys are already exactly 0 at every padding position (an encoder's packed outputs, as
   * `Seq2SeqEncoder` emits them): they are used as they are instead of being masked again, which
   * saves a pass over the keys and its backward. The scores still mask padding by `lengths`.
   * Default false.
   */
  paddingIsZero?: boolean;
}

/**
 * Keys prepared once per source batch for many `attend` calls (a decoder's steps): everything about
 * the keys that does not depend on the query. Time-major, as the encoder emits them: a step runs
 * on them as they are (one fused kernel call for all rows, no transpose, no per-row product).
 */
export interface AttentionMemory {
  /** The keys [S, B, Hk], padding rows 0. */
  readonly keys: Tensor;
  /** The key side of the score [S, B, ·] (`projectKeys`), padding rows from zeroed keys. */
  readonly projected: Tensor;
  /** int32 [B]: the valid positions of each row; null when nothing is padding. */
  readonly lengths: Tensor | null;
}

/** The padding of one call: the key mask [S, B, 1] (1 at valid positions) and the lengths [B]. */
interface Masks {
  keys: Tensor;
  lengths: Tensor;
}

/**
 * The base of `BahdanauAttention` and `LuongAttention`. Keys are time-major [S, B, Hk] (the
 * encoder's output), the query [B, H] (the decoder's state). A subclass gives the key-side
 * projection P = proj(K) and the scores e [S, B] of a query against P:
 *
 *     a_b = softmax_{s < lengths[b]}(e_{s,b})      context_b = Σ_s a_{b,s} k_{s,b}
 */
export abstract class AttentionBase extends Module {
  /** H, the query's features. */
  readonly hiddenSize: number;
  /** Hk, the keys' features. */
  readonly keySize: number;

  protected constructor(hiddenSize: number, keySize: number) {
    super();
    this.hiddenSize = hiddenSize;
    this.keySize = keySize;
  }

  /** The class name, for messages. */
  protected abstract get kind(): string;

  /** The features of the projected keys (H, or Hk when keys are scored as they are). */
  protected abstract get projectedSize(): number;

  /** The key side of the score for every position, [S, B, projectedSize]. */
  protected abstract project(keys: Tensor): Tensor;

  /** The scores e [S, B] of query [B, H] against the projected keys [S, B, projectedSize] (unless `dotProduct`). */
  protected abstract scores(query: Tensor, projected: Tensor): Tensor;

  /**
   * Whether the score is query · projected key (Luong dot and general): the fused step then makes
   * the scores too. Otherwise `scores` gives them.
   */
  protected get dotProduct(): boolean {
    return false;
  }

  /**
   * The key side of the score, computed once per source batch and passed to every decoder step
   * as `forward`'s `projectedKeys`: Ua k (Bahdanau), attn(k) (Luong general), the key columns of
   * attn plus its bias (Luong concat), k itself (Luong dot). keys [S, B, Hk] → [S, B, ·]. Pass the
   * same `lengths` as to `forward` so that padding keys are zeroed before they are projected.
   */
  projectKeys(keys: Tensor, options: ProjectKeysOptions = {}): Tensor {
    const op = `${this.kind}.projectKeys`;
    const o = checkOptions(op, options, ['lengths']);
    const [S, B] = this.checkKeys(op, keys);
    const masks = this.masks(op, o.lengths as ProjectKeysOptions['lengths'], S, B);
    return this.project(masks === null ? keys : where(masks.keys, keys, 0));
  }

  /**
   * Attends from `query` [B, H] over `keys` [S, B, Hk]: returns the context [B, Hk] and the
   * weights [B, S]. See the class documentation for the equations and `AttentionForwardOptions`
   * for lengths and projected keys. The same as `attend(query, prepare(keys, options))`.
   */
  forward(query: Tensor, keys: Tensor, options: AttentionForwardOptions = {}): AttentionOutput {
    const op = `${this.kind}.forward`;
    const o = checkOptions(op, options, ['lengths', 'projectedKeys']);
    return this.attendChecked(op, query, this.prepareChecked(op, keys, o.lengths as AttentionForwardOptions['lengths'], o.projectedKeys));
  }

  /**
   * Everything about `keys` [S, B, Hk] that does not depend on the query, computed once per source
   * batch (the masked keys, their projection, the score mask) for `attend` at every decoder step.
   */
  prepare(keys: Tensor, options: PrepareOptions = {}): AttentionMemory {
    const op = `${this.kind}.prepare`;
    const o = checkOptions(op, options, ['lengths', 'paddingIsZero']);
    const paddingIsZero = boolOption(op, 'paddingIsZero', o.paddingIsZero, false);
    return this.prepareChecked(op, keys, o.lengths as ProjectKeysOptions['lengths'], undefined, paddingIsZero);
  }

  /**
   * One step: the context [B, Hk] and weights [B, S] of `query` [B, H] over prepared keys: the
   * scores, the masked softmax and the context of all B rows in one fused call (autograd's `attention`).
   */
  attend(query: Tensor, memory: AttentionMemory): AttentionOutput {
    return this.attendChecked(`${this.kind}.attend`, query, memory);
  }

  /** The rows `ids` (int32 [R], each in [0, B)) of a prepared memory: R sequences' keys, e.g. K per source for beam search. */
  selectRows(memory: AttentionMemory, ids: Tensor): AttentionMemory {
    const [S, B] = memory.keys.shape;
    const picked = ids.toArray();
    const R = picked.length;
    // Rows are the second dimension of time-major tensors: one gather of the [S·B, ·] rows
    // s·B + ids[r] per tensor (no transposes), done once per search, not per step.
    const flat = new Int32Array(S * R);
    for (let s = 0; s < S; s++) for (let r = 0; r < R; r++) flat[s * R + r] = s * B + picked[r];
    const at = tensor(flat, [S * R], { dtype: 'int32' });
    const rows = (t: Tensor): Tensor => index(t.reshape([S * B, t.shape[2]]), at).reshape([S, R, t.shape[2]]);
    let lengths: Tensor | null = null;
    if (memory.lengths !== null) {
      // int32 (index gathers floats): B values read once, on the host.
      const all = memory.lengths.toArray();
      lengths = tensor(Int32Array.from(picked, (i) => all[i]), [R], { dtype: 'int32' });
    }
    return { keys: rows(memory.keys), projected: rows(memory.projected), lengths };
  }

  private prepareChecked(op: string, keys: Tensor, lengths: AttentionForwardOptions['lengths'], projectedKeys: unknown, paddingIsZero = false): AttentionMemory {
    const [S, B] = this.checkKeys(op, keys);
    const masks = this.masks(op, lengths, S, B);
    // Padding keys become 0 first: every later product then meets finite values only, so no
    // padding value (huge or not) can overflow into an Inf or NaN that a 0 weight would not undo.
    // Keys the caller guarantees 0 there need no second pass; the scores mask by lengths anyway.
    const k = masks === null || paddingIsZero ? keys : where(masks.keys, keys, 0);
    let projected: Tensor;
    if (projectedKeys === undefined || projectedKeys === null) {
      projected = this.project(k);
    } else {
      const given = checkTensor(op, 'projectedKeys', projectedKeys, [S, B, this.projectedSize], '[S, B, ·] (from projectKeys)');
      projected = masks === null ? given : where(masks.keys, given, 0);
    }
    return { keys: k, projected, lengths: masks === null ? null : masks.lengths };
  }

  private attendChecked(op: string, query: Tensor, memory: AttentionMemory): AttentionOutput {
    const B = memory.keys.shape[1];
    checkTensor(op, 'query', query, [B, this.hiddenSize], '[B, hiddenSize]');
    const scores = this.dotProduct ? { query, projected: memory.projected } : this.scores(query, memory.projected);
    return attention(memory.keys, scores, memory.lengths);
  }

  private checkKeys(op: string, keys: unknown): [number, number] {
    if (!(keys instanceof Tensor)) throw fail('E_ARGUMENT', `${op}: keys must be a Tensor, got ${describe(keys)}`);
    keys.check(op);
    if (keys.dtype !== 'float32') throw fail('E_ARGUMENT', `${op}: keys must be float32, got ${keys.dtype}`);
    if (keys.shape.length !== 3 || keys.shape[2] !== this.keySize || keys.shape[0] < 1 || keys.shape[1] < 1) {
      throw fail('E_SHAPE', `${op}: keys must have shape [S, B, keySize = ${this.keySize}] with S, B >= 1, got [${keys.shape.join(', ')}]`);
    }
    return [keys.shape[0], keys.shape[1]];
  }

  /** The masks for `lengths` (each in [1, S]), or null when absent or when nothing is padding. */
  private masks(op: string, lengths: AttentionForwardOptions['lengths'], S: number, B: number): Masks | null {
    if (lengths === undefined || lengths === null) return null;
    const values = readLengths(op, lengths, S, B, 1, 'S');
    const sb = new Float32Array(S * B);
    let padded = false;
    for (let b = 0; b < B; b++) {
      const n = values[b];
      padded ||= n < S;
      for (let s = 0; s < n; s++) sb[s * B + b] = 1;
    }
    return padded ? { keys: tensor(sb, [S, B, 1]), lengths: tensor(Int32Array.from(values), [B], { dtype: 'int32' }) } : null;
  }
}

/** A live float32 tensor of exactly `shape`, else E_ARGUMENT / E_SHAPE naming `name`. */
function checkTensor(op: string, name: string, t: unknown, shape: readonly number[], layout: string): Tensor {
  if (!(t instanceof Tensor)) throw fail('E_ARGUMENT', `${op}: ${name} must be a Tensor, got ${describe(t)}`);
  t.check(op);
  if (t.dtype !== 'float32') throw fail('E_ARGUMENT', `${op}: ${name} must be float32, got ${t.dtype}`);
  if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
    throw fail('E_SHAPE', `${op}: ${name} must have shape ${layout} = [${shape.join(', ')}], got [${t.shape.join(', ')}]`);
  }
  return t;
}
